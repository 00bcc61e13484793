/* The table-driven schedulers, as ip_vs_sh.c and ip_vs_dh.c: a 256-slot table the control plane
 * builds (with the reference implementation's own fill rule) and the kernel's hash of the
 * client's address (sh, plus its port with sh-port) or of the virtual address (dh). A slot whose
 * real is unavailable gives no real, except that sh-fallback probes further: the kernel re-hashes
 * with offset (offset + ihash), so it visits slot (2 * ihash + offset) mod 256. */
#ifndef VIPD_FASTPATH_SCHED_HASH_H
#define VIPD_FASTPATH_SCHED_HASH_H

#include "abi/vipd_flow_hash.h"
#include "abi/vipd_packet.h"
#include "fastpath/tables.h"

/* hash_32(val, 8): multiply by GOLDEN_RATIO_32, keep the top 8 bits. */
static __always_inline __u32 vipd_hash32_8(__u32 val) {
  return (val * 0x61C88647u) >> 24;
}

/* The host-order value ip_vs_*_hashkey hash an address by: IPv4 itself, IPv6 its words XORed. */
static __always_inline __u32 vipd_fold(const struct vipd_addr* a, __u8 af) {
  if (af != VIPD_AF_INET6) return vipd_ntohl(a->w[0]);
  return vipd_ntohl(a->w[0]) ^ vipd_ntohl(a->w[1]) ^ vipd_ntohl(a->w[2]) ^ vipd_ntohl(a->w[3]);
}

/* The real at a slot's position (in dests[], + 1) if it can take a connection (weight above 0,
 * not overloaded); 0 if the slot is empty (*empty set) or its real is unavailable. */
static __always_inline __u32 vipd_pos_real(const struct vipd_svc* svc, __u32 pos, int* empty) {
  *empty = pos == 0;
  if (pos == 0 || pos > VIPD_MAX_REALS) return 0;
  const struct vipd_dest* d = &svc->dests[(pos - 1) & (VIPD_MAX_REALS - 1)];
  if (d->weight == 0) return 0;
  __u32 id = d->real_id;
  struct vipd_real_state* rs = vipd_real_state_of(id);
  if (vipd_overloaded(rs)) return 0;
  return id;
}

static __always_inline __u32 vipd_slot_real(const struct vipd_svc* svc, __u32 slot, int* empty) {
  VIPD_OPAQUE(slot);
  return vipd_pos_real(svc, svc->slots[slot & (VIPD_SLOTS - 1)], empty);
}

struct vipd_sh_probe {
  const struct vipd_svc* svc;
  __u32 ihash;
  __u32 pick;
};

static long vipd_sh_fallback_step(__u32 offset, void* arg) {
  struct vipd_sh_probe* p = (struct vipd_sh_probe*)arg;
  int empty;
  __u32 slot = (((offset + p->ihash) & (VIPD_HASH_SLOTS - 1)) + p->ihash) & (VIPD_HASH_SLOTS - 1);
  p->pick = vipd_slot_real(p->svc, slot, &empty);
  return p->pick || empty; /* found, or an empty slot ends the search as in the kernel */
}

static __always_inline __u32 vipd_sched_sh(const struct vipd_svc* svc, const struct vipd_pkt* pkt) {
  __u32 port = 0;
  if (svc->flags & VIPD_SVC_F_HASH_PORT) port = vipd_ntohs(pkt->key.sport);
  struct vipd_sh_probe p = {.svc = svc};
  p.ihash = vipd_hash32_8(port + vipd_fold(&pkt->key.saddr, pkt->key.af));
  int empty;
  __u32 id = vipd_slot_real(svc, p.ihash, &empty);
  if (id || empty || !(svc->flags & VIPD_SVC_F_FALLBACK)) return id;
  vipd_loop(VIPD_HASH_SLOTS, vipd_sh_fallback_step, &p);
  return p.pick;
}

static __always_inline __u32 vipd_sched_dh(const struct vipd_svc* svc, const struct vipd_pkt* pkt) {
  int empty;
  return vipd_slot_real(svc, vipd_hash32_8(vipd_fold(&pkt->key.daddr, pkt->key.af)), &empty);
}

/* mh, as ip_vs_mh.c: IPVS's Maglev table (a prime number of slots, filled by the reference
 * implementation from each real's offset and skip, kept in the mh table in chunks under the
 * generation it belongs to), looked up by hsiphash of the client (and port with mh-port);
 * mh-fallback re-hashes with offset (offset + ihash) mod size until it meets an available real
 * or an empty slot. */
struct vipd_mh_probe {
  const struct vipd_svc* svc;
  __u32 size;
  __u32 key; /* port + folded client address, before the offset */
  __u32 ihash;
  __u32 pick;
  int missing; /* a chunk of the generation's table was not found */
};

static __always_inline __u32 vipd_mh_slot(const struct vipd_mh_probe* p, __u32 offset) {
  return vipd_hsiphash_u32(offset + p->key, VIPD_MH_K, VIPD_MH_K) % p->size;
}

/* The real of a slot, as vipd_pos_real; a missing chunk counts as an empty slot and is noted. */
static __always_inline __u32 vipd_mh_real(struct vipd_mh_probe* p, __u32 slot, int* empty) {
  struct vipd_mh_key k = {.svc_id = p->svc->svc_id,
                          .generation = p->svc->generation,
                          .chunk = slot / VIPD_MH_CHUNK_SLOTS};
  const struct vipd_mh_chunk* c =
      (const struct vipd_mh_chunk*)vipd_table_lookup(VIPD_TABLE(mh), &k);
  if (!c) {
    p->missing = 1;
    *empty = 1;
    return 0;
  }
  __u32 i = slot % VIPD_MH_CHUNK_SLOTS;
  VIPD_OPAQUE(i);
  return vipd_pos_real(p->svc, i < VIPD_MH_CHUNK_SLOTS ? c->slots[i] : 0, empty);
}

static long vipd_mh_fallback_step(__u32 offset, void* arg) {
  struct vipd_mh_probe* p = (struct vipd_mh_probe*)arg;
  int empty;
  __u32 roffset = (offset + p->ihash) % p->size;
  p->pick = vipd_mh_real(p, vipd_mh_slot(p, roffset), &empty);
  return p->pick || empty;
}

/* *missing is set when the generation's table was not there: the packet read a generation that
 * was replaced meanwhile, and its caller tries again with the current one. */
static __always_inline __u32 vipd_sched_mh(const struct vipd_svc* svc, const struct vipd_pkt* pkt,
                                           int* missing) {
  struct vipd_mh_probe p = {.svc = svc, .size = svc->mh_size};
  *missing = 0;
  if (p.size == 0 || p.size > VIPD_MH_MAX_SLOTS) return 0;
  __u32 port = 0;
  if (svc->flags & VIPD_SVC_F_HASH_PORT) port = vipd_ntohs(pkt->key.sport);
  p.key = port + vipd_fold(&pkt->key.saddr, pkt->key.af);
  p.ihash = vipd_mh_slot(&p, 0);
  int empty;
  __u32 id = vipd_mh_real(&p, p.ihash, &empty);
  if (!id && !empty && (svc->flags & VIPD_SVC_F_FALLBACK)) {
    vipd_loop(p.size, vipd_mh_fallback_step, &p);
    id = p.pick;
  }
  *missing = p.missing;
  return id;
}

#endif /* VIPD_FASTPATH_SCHED_HASH_H */
