/* Finding a flow's virtual service: its address and port, or else a persistent port-zero service
 * of its address, which takes every port (ipvsadm -p with port 0). */
#ifndef VIPD_SERVICE_BPF_H
#define VIPD_SERVICE_BPF_H

#include "abi/vipd_packet.h"
#include "bpf/maps.bpf.h"

/* The service, and in *svc_port the port of its key (the flow's, or 0). */
static __always_inline struct vipd_svc* vipd_svc_of(const struct vipd_conn_key* flow,
                                                    __be16* svc_port) {
  struct vipd_svc_key sk;
  vipd_flow_svc_key(flow, &sk);
  struct vipd_svc* svc = bpf_map_lookup_elem(&vipd_svcs_v1, &sk);
  if (!svc) {
    sk.port = 0;
    svc = bpf_map_lookup_elem(&vipd_svcs_v1, &sk);
  }
  *svc_port = sk.port;
  return svc;
}

#endif /* VIPD_SERVICE_BPF_H */
