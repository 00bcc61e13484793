/* Fast-path counters: one enum, shared by the XDP program, the DPDK worker, the metrics exporter
 * and vipadm. Every packet the fast path sees ends in exactly one outcome counter. */
#ifndef VIPD_COUNTERS_H
#define VIPD_COUNTERS_H

/* X(enum suffix, metric reason label, outcome) where outcome is drop, pass, tx or info.
 * "info" counters are not outcomes; they count events along the way. */
#define VIPD_COUNTER_LIST(X)                                          \
  X(RX, "rx", info)                                                   \
  X(TX, "forwarded", tx)                                              \
  X(TX_ICMP_UNREACH, "icmp_port_unreachable", tx)                     \
  X(PASS_NOT_IP, "not_ip", pass)                                      \
  X(PASS_NOT_L4, "not_tcp_udp", pass)                                 \
  X(PASS_NOT_SERVICE, "not_service", pass)                            \
  X(PASS_UNPARSED_NOT_VIP, "unparsed_not_vip", pass)                  \
  X(DROP_L2_TRUNCATED, "l2_truncated", drop)                          \
  X(DROP_VLAN_TRUNCATED, "vlan_truncated", drop)                      \
  X(DROP_VLAN_TOO_DEEP, "vlan_too_deep", drop)                        \
  X(DROP_L3_TRUNCATED, "l3_truncated", drop)                          \
  X(DROP_IP_BAD_HEADER, "ip_bad_header", drop)                        \
  X(DROP_IP_BAD_LENGTH, "ip_bad_length", drop)                        \
  X(DROP_IP6_EXT_HEADER, "ip6_ext_header", drop)                      \
  X(DROP_FRAGMENT, "fragment", drop)                                  \
  X(DROP_L4_TRUNCATED, "l4_truncated", drop)                          \
  X(DROP_TCP_BAD_HEADER, "tcp_bad_header", drop)                      \
  X(DROP_UDP_BAD_LENGTH, "udp_bad_length", drop)                      \
  X(DROP_TCP_BAD_FLAGS, "tcp_bad_flags", drop)                        \
  X(DROP_NONSYN_MISS, "nonsyn_no_connection", drop)                   \
  X(DROP_RST_MISS, "rst_no_connection", drop)                         \
  X(DROP_NO_REAL, "no_real_server", drop)                             \
  X(DROP_REAL_GONE, "real_server_removed", drop)                      \
  X(DROP_CONN_TABLE_FULL, "connection_table_full", drop)              \
  X(DROP_HALF_OPEN_FULL, "half_open_table_full", drop)                \
  X(DROP_NEIGH_MISS, "next_hop_unresolved", drop)                     \
  X(DROP_IFACE_MISSING, "egress_interface_unknown", drop)             \
  X(DROP_INTERNAL, "internal_error", drop)                            \
  X(INFO_NEW_CONN, "new_connection", info)                            \
  X(INFO_CURSOR_RETRY, "cursor_retry", info)                          \
  X(INFO_CONN_REUSED, "connection_reused", info)                      \
  X(INFO_HANDSHAKE_DONE, "handshake_completed", info)                 \
  X(INFO_KEPT_HALF_OPEN, "established_kept_in_half_open_table", info) \
  X(INFO_CONN_EXPIRED, "connection_expired", info)                    \
  X(INFO_PERSISTENT_HIT, "persistence_template_used", info)           \
  X(INFO_TEMPLATE_EXPIRED, "persistence_template_expired", info)      \
  X(DROP_TEMPLATE_TABLE_FULL, "persistence_table_full", drop)         \
  X(INFO_NODEST_EXPIRED, "connection_expired_real_removed", info)     \
  X(INFO_LOCALITY_TABLE_FULL, "locality_table_full", info)            \
  X(INFO_LOCALITY_SET_FULL, "locality_set_full", info)                \
  X(INFO_LOCALITY_EXPIRED, "locality_entry_expired", info)            \
  X(INFO_LOCALITY_BUSY, "locality_entry_busy", info)                  \
  X(DROP_IP_BAD_CHECKSUM, "ip_bad_checksum", drop)                    \
  X(DROP_VLAN_NOT_CONFIGURED, "vlan_not_configured", drop)            \
  X(DROP_TUNNEL_NO_SOURCE, "tunnel_source_unknown", drop)             \
  X(INFO_TUNNELLED, "tunnel_encapsulated", info)                      \
  X(INFO_NAT_REQUEST, "nat_request_rewritten", info)                  \
  X(INFO_NAT_REPLY, "nat_reply_rewritten", info)                      \
  X(INFO_NAT_ICMP, "nat_icmp_error_rewritten", info)                  \
  X(PASS_NAT_NO_CONN, "nat_reply_no_connection", pass)                \
  X(DROP_NAT_TABLE_FULL, "nat_table_full", drop)                      \
  X(INFO_NAT_ORPHAN_EXPIRED, "nat_reverse_entry_expired", info)       \
  X(INFO_ONE_PACKET, "one_packet_scheduled", info)

enum vipd_counter {
#define VIPD_COUNTER_ENUM(name, label, outcome) VIPD_CNT_##name,
  VIPD_COUNTER_LIST(VIPD_COUNTER_ENUM)
#undef VIPD_COUNTER_ENUM
      VIPD_CNT__MAX
};

enum vipd_outcome { VIPD_OUTCOME_info, VIPD_OUTCOME_tx, VIPD_OUTCOME_pass, VIPD_OUTCOME_drop };

#endif /* VIPD_COUNTERS_H */
