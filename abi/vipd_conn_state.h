/* Connection states as IPVS keeps them: the TCP transition table of ip_vs_proto_tcp.c (input,
 * output and input-only parts), which states count as active (kernels since 4.7), the default
 * timeouts, and IPVS's conn_reuse_mode rule for a SYN that meets an existing entry. Header-only
 * C shared by the XDP program, the DPDK worker and the C++ control plane. */
#ifndef VIPD_CONN_STATE_H
#define VIPD_CONN_STATE_H

#include <linux/types.h>

#include "abi/vipd_compiler.h"
#include "abi/vipd_maps.h"
#include "abi/vipd_wire.h"

#ifdef __cplusplus
/* C: the casts below are the C idiom. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#endif

#define VIPD_TCP_STATE_COUNT 11 /* VIPD_TCP_NONE .. VIPD_TCP_SYNACK */

/* Which part of the table applies: the director sees both directions only in NAT. */
enum vipd_tcp_dir { VIPD_DIR_INPUT = 0, VIPD_DIR_OUTPUT = 1, VIPD_DIR_INPUT_ONLY = 2 };

/* The row of the table a segment selects (tcp_state_idx): RST wins, then SYN, FIN, ACK. */
static __always_inline int vipd_tcp_event(__u8 flags) {
  if (flags & VIPD_TCP_F_RST) return 3;
  if (flags & VIPD_TCP_F_SYN) return 0;
  if (flags & VIPD_TCP_F_FIN) return 1;
  if (flags & VIPD_TCP_F_ACK) return 2;
  return -1;
}

/* The next state. A segment without SYN, FIN, ACK or RST moves the entry to CLOSE, as IPVS's
 * set_tcp_state does (its new_state starts as CLOSE). */
static __always_inline __u8 vipd_tcp_next_state(__u8 state, __u8 flags, int dir) {
#define sNO VIPD_TCP_NONE
#define sES VIPD_TCP_ESTABLISHED
#define sSS VIPD_TCP_SYN_SENT
#define sSR VIPD_TCP_SYN_RECV
#define sFW VIPD_TCP_FIN_WAIT
#define sTW VIPD_TCP_TIME_WAIT
#define sCL VIPD_TCP_CLOSE
#define sCW VIPD_TCP_CLOSE_WAIT
#define sLA VIPD_TCP_LAST_ACK
#define sLI VIPD_TCP_LISTEN
#define sSA VIPD_TCP_SYNACK
  /* clang-format off */
  static const __u8 table[3 * 4 * VIPD_TCP_STATE_COUNT] = {
      /* input:  sNO  sES  sSS  sSR  sFW  sTW  sCL  sCW  sLA  sLI  sSA */
      /*syn*/ sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR,
      /*fin*/ sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW,
      /*ack*/ sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES,
      /*rst*/ sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR,
      /* output */
      /*syn*/ sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR,
      /*fin*/ sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW,
      /*ack*/ sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES,
      /*rst*/ sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL,
      /* input only */
      /*syn*/ sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR,
      /*fin*/ sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW,
      /*ack*/ sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES,
      /*rst*/ sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL,
  };
  /* clang-format on */
#undef sNO
#undef sES
#undef sSS
#undef sSR
#undef sFW
#undef sTW
#undef sCL
#undef sCW
#undef sLA
#undef sLI
#undef sSA
  int ev = vipd_tcp_event(flags);
  if (ev < 0 || dir < 0 || dir > 2) return VIPD_TCP_CLOSE;
  if (state >= VIPD_TCP_STATE_COUNT) return VIPD_TCP_CLOSE;
  __u32 idx = ((__u32)dir * 4 + (__u32)ev) * VIPD_TCP_STATE_COUNT + state;
  VIPD_OPAQUE(idx);
  if (idx >= sizeof(table)) return VIPD_TCP_CLOSE;
  return table[idx];
}

/* Active connections (ActiveConn, and the lc family's overhead): ESTABLISHED, SYN_SENT,
 * SYN_RECV and SYNACK, as tcp_state_active_table. UDP entries are never active. */
static __always_inline int vipd_state_active(__u8 state) {
  return state == VIPD_TCP_ESTABLISHED || state == VIPD_TCP_SYN_SENT ||
         state == VIPD_TCP_SYN_RECV || state == VIPD_TCP_SYNACK;
}

/* IPVS's default timeouts in seconds (tcp_timeouts[], udp 5 min). `vipadm --set tcp tcpfin udp`
 * changes ESTABLISHED, FIN_WAIT and UDP. */
#define VIPD_TCP_TIMEOUTS_DEFAULT \
  { 2, 15 * 60, 2 * 60, 1 * 60, 2 * 60, 2 * 60, 10, 60, 30, 2 * 60, 120 }
#define VIPD_UDP_TIMEOUT_DEFAULT (5 * 60)

/* conn_reuse_mode (default 1): a SYN that meets an entry in TIME_WAIT or CLOSE (or, with bit 2,
 * FIN_WAIT when the director sees only the client's side) ends that entry and is scheduled
 * afresh (is_new_conn_expected in ip_vs_core.c). */
static __always_inline int vipd_syn_reschedules(__u8 state, int input_only, __u32 reuse_mode) {
  if (!reuse_mode) return 0;
  if (state == VIPD_TCP_TIME_WAIT || state == VIPD_TCP_CLOSE) return 1;
  return (reuse_mode & 2) && state == VIPD_TCP_FIN_WAIT && input_only;
}

/* The packed `st` word of struct vipd_conn. */
static __always_inline __u8 vipd_st_state(__u32 st) {
  return (__u8)(st & 0xffu);
}
static __always_inline __u8 vipd_st_flags(__u32 st) {
  return (__u8)((st >> 8) & 0xffu);
}
static __always_inline __u32 vipd_st_make(__u8 state, __u8 flags) {
  return (__u32)state | ((__u32)flags << 8);
}

/* A new entry, as ip_vs_conn_new binds it: state NONE (UDP: its own), counted inactive. */
static __always_inline __u32 vipd_conn_initial_st(int is_tcp, int input_only) {
  __u8 flags = VIPD_CONN_F_INACTIVE | (input_only ? VIPD_CONN_F_INPUT_ONLY : 0);
  return vipd_st_make(is_tcp ? VIPD_TCP_NONE : VIPD_UDP_STATE, flags);
}

/* The word after one packet in direction `dir` (ignored for UDP): the new state, the INACTIVE
 * flag following it (set_tcp_state), and the touch count bumped. */
static __always_inline __u32 vipd_conn_step(__u32 st, int is_tcp, __u8 tcp_flags, int dir) {
  __u8 state = vipd_st_state(st);
  __u8 flags = vipd_st_flags(st);
  if (is_tcp) {
    if (flags & VIPD_CONN_F_INPUT_ONLY) dir = VIPD_DIR_INPUT_ONLY;
    state = vipd_tcp_next_state(state, tcp_flags, dir);
    if (vipd_state_active(state))
      flags &= (__u8)~VIPD_CONN_F_INACTIVE;
    else
      flags |= VIPD_CONN_F_INACTIVE;
  }
  return (vipd_st_make(state, flags) | (st & 0xffff0000u)) + 0x10000u;
}

/* How a change of the word moves the real's counts: +1/-1/0 for active and for inactive. */
static __always_inline void vipd_conn_count_delta(__u32 old_st, __u32 new_st, int* d_active,
                                                  int* d_inactive) {
  int was = !(vipd_st_flags(old_st) & VIPD_CONN_F_INACTIVE);
  int is = !(vipd_st_flags(new_st) & VIPD_CONN_F_INACTIVE);
  *d_active = is - was;
  *d_inactive = was - is;
}

static __always_inline __u32 vipd_conn_timeout_s(const struct vipd_config* cfg, __u8 state) {
  if (state == VIPD_UDP_STATE) return cfg->udp_timeout;
  __u32 idx = state;
  VIPD_OPAQUE(idx);
  if (idx >= VIPD_TCP_STATE_COUNT) return cfg->tcp_timeout[VIPD_TCP_CLOSE];
  return cfg->tcp_timeout[idx];
}

#ifdef __cplusplus
#pragma GCC diagnostic pop
#endif

#endif /* VIPD_CONN_STATE_H */
