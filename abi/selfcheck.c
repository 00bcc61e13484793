/* Compiled as BPF C by meson: every abi/ header must stay valid for the BPF target. */
#include "abi/vipd_abi.h"
#include "abi/vipd_conn_state.h"
#include "abi/vipd_counters.h"
#include "abi/vipd_flow_hash.h"
#include "abi/vipd_maps.h"
#include "abi/vipd_packet.h"
#include "abi/vipd_wire.h"
