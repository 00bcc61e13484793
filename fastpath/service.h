/* Finding a flow's virtual service: its address and port, or else a persistent port-zero service
 * of its address, which takes every port (ipvsadm -p with port 0). */
#ifndef VIPD_FASTPATH_SERVICE_H
#define VIPD_FASTPATH_SERVICE_H

#include "abi/vipd_packet.h"
#include "fastpath/platform.h"

/* The service, and in *svc_port the port of its key (the flow's, or 0). */
static __always_inline const struct vipd_svc* vipd_svc_of(const struct vipd_conn_key* flow,
                                                          __be16* svc_port) {
  struct vipd_svc_key sk;
  vipd_flow_svc_key(flow, &sk);
  const struct vipd_svc* svc = (const struct vipd_svc*)vipd_table_lookup(VIPD_TABLE(svcs), &sk);
  if (!svc) {
    sk.port = 0;
    svc = (const struct vipd_svc*)vipd_table_lookup(VIPD_TABLE(svcs), &sk);
  }
  *svc_port = sk.port;
  return svc;
}

#endif /* VIPD_FASTPATH_SERVICE_H */
