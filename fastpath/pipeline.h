/* The pipeline: a frame in, a verdict out. Parse, find the virtual service, find the flow's
 * connection or schedule a new one, forward to its real. Anything not for a virtual service goes
 * to the kernel; nothing addressed to a virtual service ever does. Every outcome is one counter
 * from abi/. The same code is the XDP program (xdp/vipd_xdp.bpf.c), the host core and the DPDK
 * worker: it reaches tables, clock and frame only through fastpath/platform.h. */
#ifndef VIPD_FASTPATH_PIPELINE_H
#define VIPD_FASTPATH_PIPELINE_H

#include "abi/vipd_packet.h"
#include "fastpath/conn.h"
#include "fastpath/forward.h"
#include "fastpath/nat.h"
#include "fastpath/persist.h"
#include "fastpath/sched_cost.h"
#include "fastpath/sched_hash.h"
#include "fastpath/sched_lblc.h"
#include "fastpath/sched_rr.h"
#include "fastpath/sched_twos.h"
#include "fastpath/sched_wrr.h"
#include "fastpath/service.h"
#include "fastpath/stats.h"
#include "fastpath/tunnel.h"

/* Fragments and IPv6 extension headers hide the ports: drop them when they are addressed to a
 * virtual address (never let the kernel answer for a service), pass them otherwise. */
static __always_inline __u32 vipd_unparsed_outcome(int rc, const struct vipd_pkt* pkt) {
  if (rc != VIPD_CNT_DROP_FRAGMENT && rc != VIPD_CNT_DROP_IP6_EXT_HEADER) return (__u32)rc;
  struct vipd_vip_key vk;
  __builtin_memset(&vk, 0, sizeof(vk));
  vk.addr = pkt->key.daddr;
  vk.af = pkt->key.af;
  if (vipd_table_lookup(VIPD_TABLE(vips), &vk)) return (__u32)rc;
  return VIPD_CNT_PASS_UNPARSED_NOT_VIP;
}

/* mh on the generation the packet read, or on the current one if that generation was replaced
 * meanwhile: its table is deleted right after the new generation is published. (Should the
 * service have changed to another scheduler in that instant, this one packet gets no real.) */
static __always_inline __u32 vipd_sched_mh_current(const struct vipd_svc* svc,
                                                   const struct vipd_pkt* pkt) {
  int missing;
  __u32 id = vipd_sched_mh(svc, pkt, &missing);
  if (!missing) return id;
  __be16 svc_port;
  const struct vipd_svc* now = vipd_svc_of(&pkt->key, &svc_port);
  if (!now || now->generation == svc->generation || now->sched != VIPD_SCHED_MH) return id;
  return vipd_sched_mh(now, pkt, &missing);
}

/* A global function, so the verifier checks it once on its own and the caller sees only a
 * scalar come back. Inlined, the paths through fourteen schedulers would each carry their own
 * state into the rest of the program, which would then be checked once per path: more than the
 * verifier's budget. */
VIPD_SUBPROG __u32 vipd_schedule(const struct vipd_svc* svc, const struct vipd_pkt* pkt) {
  if (!svc || !pkt) return 0;
  __u32 svc_id = svc->svc_id;
  struct vipd_svc_state* st = vipd_svc_state_of(svc_id);
  if (!st) return 0;
  switch (svc->sched) {
    case VIPD_SCHED_RR:
      return vipd_sched_rr(svc, st);
    case VIPD_SCHED_WRR:
      return vipd_sched_wrr(svc, st);
    case VIPD_SCHED_LC:
    case VIPD_SCHED_WLC:
    case VIPD_SCHED_SED:
    case VIPD_SCHED_NQ:
    case VIPD_SCHED_FO:
    case VIPD_SCHED_OVF:
      return vipd_sched_cost(svc);
    case VIPD_SCHED_SH:
      return vipd_sched_sh(svc, pkt);
    case VIPD_SCHED_DH:
      return vipd_sched_dh(svc, pkt);
    case VIPD_SCHED_TWOS:
      return vipd_sched_twos(svc, pkt);
    case VIPD_SCHED_MH:
      return vipd_sched_mh_current(svc, pkt);
    case VIPD_SCHED_LBLC:
      return vipd_sched_lblc(svc, pkt);
    case VIPD_SCHED_LBLCR:
      return vipd_sched_lblcr(svc, pkt);
    default:
      return 0;
  }
}

/* The real for a new connection: through the client's persistence template when the service is
 * persistent, from the scheduler otherwise. 0 when there is none; *dropped when the packet was
 * refused (and counted) for another reason. */
static __always_inline __u32 vipd_pick_real(const struct vipd_svc* svc, __be16 svc_port,
                                            const struct vipd_pkt* pkt, __u32* tmpl_id,
                                            int* dropped) {
  *tmpl_id = 0;
  *dropped = 0;
  if (!svc->persist_timeout) return vipd_schedule(svc, pkt);
  struct vipd_conn_key tk;
  vipd_tmpl_key(&pkt->key, svc_port, svc, &tk);
  __u64 now = vipd_now_ns();
  struct vipd_tmpl* t = vipd_tmpl_lookup(&tk);
  if (t && vipd_tmpl_usable(t, svc->svc_id)) {
    vipd_count(VIPD_CNT_INFO_PERSISTENT_HIT);
    return vipd_tmpl_bind(t, now, tmpl_id);
  }
  if (t) vipd_tmpl_end(VIPD_TABLE(tmpl), &tk, t); /* its real is gone: schedule afresh */
  __u32 pick = vipd_schedule(svc, pkt);
  if (!pick) return 0;
  t = vipd_tmpl_get(&tk, svc, pick, now);
  if (!t) {
    *dropped = 1;
    return 0;
  }
  return vipd_tmpl_bind(t, now, tmpl_id);
}

/* -o: a UDP datagram of a one-packet service is scheduled on its own and leaves no entry. */
static __always_inline int vipd_one_packet(const struct vipd_svc* svc, const struct vipd_pkt* pkt) {
  return (svc->flags & VIPD_SVC_F_ONE_PACKET) && pkt->key.proto == VIPD_IPPROTO_UDP;
}

/* A flow without an entry: only a SYN or a UDP datagram creates one (or, with sloppy_tcp, any
 * TCP segment but a RST). Returns a verdict when the packet is finished here, -1 with
 * *conn set when it goes on to its new real, -2 with *conn 0 and *ops_real set when it goes on
 * to a real without an entry (one-packet scheduling: IPVS creates the connection and frees it
 * with the packet, so the persistence template it was bound to is released at once). */
static __always_inline int vipd_new_conn(vipd_frame_t* f, const struct vipd_svc* svc,
                                         __be16 svc_port, const struct vipd_pkt* pkt,
                                         const struct vipd_config* cfg, struct vipd_conn** conn,
                                         int* half_open, __u32* ops_real) {
  if (pkt->key.proto == VIPD_IPPROTO_TCP) {
    int rc = vipd_tcp_new_flow_check(pkt->tcp_flags);
    int sloppy = (cfg->flags & VIPD_CFG_F_SLOPPY_TCP) && rc == VIPD_CNT_DROP_NONSYN_MISS;
    if (rc != VIPD_PARSE_OK && !sloppy) return vipd_finish((__u32)rc);
  }
  __u32 tmpl_id;
  int dropped;
  __u32 real_id = vipd_pick_real(svc, svc_port, pkt, &tmpl_id, &dropped);
  if (dropped) return VIPD_DROP;
  if (!real_id) return vipd_reply_port_unreach(f, pkt);
  if (vipd_one_packet(svc, pkt)) {
    if (tmpl_id) vipd_tmpl_unbind(&pkt->key, tmpl_id, svc->svc_id);
    *conn = 0;
    *ops_real = real_id;
    vipd_count(VIPD_CNT_INFO_ONE_PACKET);
    return -2;
  }
  const struct vipd_real* real = vipd_real_of(real_id);
  int input_only = !(real && (real->flags & VIPD_REAL_F_MASQ)); /* NAT sees both sides */
  *conn = vipd_conn_create(&pkt->key, real_id, svc->svc_id, tmpl_id, input_only, half_open);
  if (!*conn) return VIPD_DROP; /* counted by vipd_conn_create */
  vipd_count(VIPD_CNT_INFO_NEW_CONN);
  return -1;
}

/* A SYN meeting an entry ends that entry and is scheduled as a new connection: by
 * conn_reuse_mode when the entry is in TIME_WAIT or CLOSE, and with expire_nodest_conn when its
 * real is quiesced (weight 0) whatever its state, as ip_vs_in_hook does. Returns the entry to
 * use, or 0 to schedule afresh. */
static __always_inline struct vipd_conn* vipd_reuse(const struct vipd_svc* svc,
                                                    const struct vipd_pkt* pkt,
                                                    const struct vipd_config* cfg,
                                                    struct vipd_conn* c, int half_open) {
  if (pkt->key.proto != VIPD_IPPROTO_TCP || !(pkt->tcp_flags & VIPD_TCP_F_SYN)) return c;
  __u32 seen = vipd_conn_word(c);
  int input_only = vipd_st_flags(seen) & VIPD_CONN_F_INPUT_ONLY;
  int quiesced = (cfg->flags & VIPD_CFG_F_EXPIRE_NODEST) && vipd_real_quiesced(svc, c->real_id);
  if (!quiesced && !vipd_syn_reschedules(vipd_st_state(seen), input_only, cfg->conn_reuse_mode))
    return c;
  if (vipd_conn_end(vipd_conn_table(half_open), &pkt->key, c, seen)) {
    vipd_count(VIPD_CNT_INFO_CONN_REUSED);
    return 0;
  }
  /* A packet on another CPU changed the entry first. If that ended it, this SYN starts a new
   * flow; otherwise the entry lives on and serves this SYN as an entry not due for reuse would. */
  __u8 gone = VIPD_CONN_F_DEAD | VIPD_CONN_F_MOVED;
  return vipd_st_flags(vipd_conn_word(c)) & gone ? 0 : c;
}

/* A packet of a flow whose real was deleted (IPVS: its dest is no longer available). With
 * expire_nodest_conn at 0 it is dropped before it touches the entry, as IPVS drops it ("don't
 * restart its timer"): the entry ends at its own timeout. At 1 the entry ends at once and the
 * packet goes on as the first of a new flow, as ip_vs_in_hook does since Linux 5.9: a SYN or a
 * UDP datagram is scheduled to a live real, another TCP segment is a miss (but with sloppy_tcp)
 * which vipd drops where IPVS lets it through to the director's own stack. Returns an XDP
 * action when the packet is finished here, -1 to go on with *conn (0: a new flow). */
static __always_inline int vipd_nodest(const struct vipd_pkt* pkt, const struct vipd_config* cfg,
                                       struct vipd_conn** conn, int half_open) {
  if (vipd_conn_real(*conn)) return -1;
  if (!(cfg->flags & VIPD_CFG_F_EXPIRE_NODEST)) return vipd_finish(VIPD_CNT_DROP_REAL_GONE);
  vipd_conn_end_nodest(vipd_conn_table(half_open), &pkt->key, *conn);
  *conn = 0;
  return -1;
}

/* One frame: its verdict, every outcome counted. */
static __always_inline int vipd_process(vipd_frame_t* f) {
  const __u8* data = vipd_frame_data(f);
  const __u8* end = vipd_frame_end(f);
  struct vipd_pkt pkt;
  vipd_count(VIPD_CNT_RX);
  int rc = vipd_parse(data, end, &pkt);
  if (rc == VIPD_CNT_PASS_NOT_L4 &&
      (pkt.key.proto == VIPD_IPPROTO_ICMP || pkt.key.proto == VIPD_IPPROTO_ICMPV6)) {
    int verdict = vipd_nat_icmp(f, &pkt); /* an error about a NAT connection */
    if (verdict >= 0) return verdict;
  }
  if (rc != VIPD_PARSE_OK) return vipd_finish(vipd_unparsed_outcome(rc, &pkt));

  __be16 svc_port;
  const struct vipd_svc* svc = vipd_svc_of(&pkt.key, &svc_port);
  if (!svc) {
    rc = vipd_nat_reply(f, &pkt);
    return rc >= 0 ? rc : vipd_finish(VIPD_CNT_PASS_NOT_SERVICE);
  }
  if ((rc = vipd_service_frame_check(data, end, &pkt)) != VIPD_PARSE_OK) return vipd_finish(rc);
  const struct vipd_config* cfg = vipd_config_get();
  if (!cfg) return vipd_finish(VIPD_CNT_DROP_INTERNAL);

  int half_open = 0, new_conn = 0;
  __u32 real_id = 0;
  struct vipd_conn* conn = vipd_conn_find(&pkt.key, &half_open);
  if (conn) conn = vipd_reuse(svc, &pkt, cfg, conn, half_open);
  if (conn && (rc = vipd_nodest(&pkt, cfg, &conn, half_open)) >= 0) return rc;
  if (!conn) {
    rc = vipd_new_conn(f, svc, svc_port, &pkt, cfg, &conn, &half_open, &real_id);
    if (rc >= 0) return rc;
    new_conn = 1;
  }
  if (conn) {
    if (!vipd_conn_update(conn, &pkt, cfg, vipd_now_ns(), VIPD_DIR_INPUT))
      return vipd_finish(VIPD_CNT_DROP_NONSYN_MISS); /* it expired under this very packet */
    /* The entry's real, read before the handshake moves the entry to the established table:
     * the half-open element is free then, and another CPU's SYN may take its memory at once (a
     * preallocated hash recycles deleted elements). An entry's real never changes. */
    real_id = conn->real_id;
    if (half_open) vipd_conn_promote(&pkt.key, conn);
  }
  const struct vipd_real* real = vipd_live_real(real_id);
  if (!real) return vipd_finish(VIPD_CNT_DROP_REAL_GONE); /* deleted under this very packet */
  vipd_account(VIPD_TABLE(svc_sx), svc->svc_id, pkt.ip_len, new_conn);
  vipd_account(VIPD_TABLE(real_sx), real_id, pkt.ip_len, new_conn);
  if (real->flags & VIPD_REAL_F_TUNNEL) return vipd_forward_tunnel(f, &pkt, real);
  if (real->flags & VIPD_REAL_F_MASQ) return vipd_forward_masq(f, &pkt, real);
  return vipd_forward_route(f, real);
}

#endif /* VIPD_FASTPATH_PIPELINE_H */
