/* The keyed flow hash the fast paths draw from where IPVS would draw a random number (twos):
 * SipHash-1-3 over a 40-byte record of the flow, so that the same flow gives the same draw in
 * the C++ reference, in BPF and in DPDK. Header-only C; the reference implementation in
 * schedulers/core/Hash.cpp is independent and the unit tests check one against the other. */
#ifndef VIPD_FLOW_HASH_H
#define VIPD_FLOW_HASH_H

#include "abi/vipd_compiler.h"
#include "abi/vipd_maps.h"

#ifdef __cplusplus
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#endif

/* The key of the twos draws: "vipdtwos", "draw-key" as little-endian words. */
#define VIPD_TWOS_K0 0x7669706474776f73ULL
#define VIPD_TWOS_K1 0x647261772d6b6579ULL

#define VIPD_ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

struct vipd_sip {
  __u64 v0, v1, v2, v3;
};

static __always_inline void vipd_sip_round(struct vipd_sip* s) {
  s->v0 += s->v1;
  s->v1 = VIPD_ROTL64(s->v1, 13);
  s->v1 ^= s->v0;
  s->v0 = VIPD_ROTL64(s->v0, 32);
  s->v2 += s->v3;
  s->v3 = VIPD_ROTL64(s->v3, 16);
  s->v3 ^= s->v2;
  s->v0 += s->v3;
  s->v3 = VIPD_ROTL64(s->v3, 21);
  s->v3 ^= s->v0;
  s->v2 += s->v1;
  s->v1 = VIPD_ROTL64(s->v1, 17);
  s->v1 ^= s->v2;
  s->v2 = VIPD_ROTL64(s->v2, 32);
}

static __always_inline void vipd_sip_absorb(struct vipd_sip* s, __u64 m) {
  s->v3 ^= m;
  vipd_sip_round(s);
  s->v0 ^= m;
}

static __always_inline __u64 vipd_le64(const __u8* p) {
  __u64 v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

/* SipHash-1-3 of the flow record {af, protocol, client port (network order), virtual port
 * (network order), 0, 0, client address (16 bytes), virtual address (16 bytes)}. */
static __always_inline __u64 vipd_flow_draw_hash(const struct vipd_conn_key* k) {
  __u8 rec[40];
  __builtin_memset(rec, 0, sizeof(rec));
  rec[0] = k->af;
  rec[1] = k->proto;
  __builtin_memcpy(rec + 2, &k->sport, 2);
  __builtin_memcpy(rec + 4, &k->dport, 2);
  __builtin_memcpy(rec + 8, &k->saddr, 16);
  __builtin_memcpy(rec + 24, &k->daddr, 16);
  struct vipd_sip s = {0x736f6d6570736575ULL ^ VIPD_TWOS_K0, 0x646f72616e646f6dULL ^ VIPD_TWOS_K1,
                       0x6c7967656e657261ULL ^ VIPD_TWOS_K0, 0x7465646279746573ULL ^ VIPD_TWOS_K1};
  for (int i = 0; i < 5; i++) vipd_sip_absorb(&s, vipd_le64(rec + 8 * i));
  vipd_sip_absorb(&s, (__u64)40 << 56);
  s.v2 ^= 0xff;
  vipd_sip_round(&s);
  vipd_sip_round(&s);
  vipd_sip_round(&s);
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

/* hsiphash(&v, 4, key) of a 64-bit little-endian kernel: SipHash-1-3 of the four bytes of v,
 * truncated to 32 bits; ip_vs_mh.c hashes flows and reals with it. */
static __always_inline __u32 vipd_hsiphash_u32(__u32 v, __u64 k0, __u64 k1) {
  struct vipd_sip s = {0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1,
                       0x6c7967656e657261ULL ^ k0, 0x7465646279746573ULL ^ k1};
  vipd_sip_absorb(&s, ((__u64)4 << 56) | v);
  s.v2 ^= 0xff;
  vipd_sip_round(&s);
  vipd_sip_round(&s);
  vipd_sip_round(&s);
  return (__u32)(s.v0 ^ s.v1 ^ s.v2 ^ s.v3);
}

/* ip_vs_mh.c's hash1 key: 2654435761 in both words. */
#define VIPD_MH_K 2654435761ULL

#ifdef __cplusplus
#pragma GCC diagnostic pop
#endif

#endif /* VIPD_FLOW_HASH_H */
