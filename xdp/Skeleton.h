// The generated skeleton of vipd's BPF object (bpftool gen skeleton, xdp/meson.build), for the
// few files that reach the loaded programs and maps by name. The test build's other program
// comes with its own skeleton, chosen by VIPD_XDP_SKELETON.
#pragma once

// The generated code is C; its casts are its own.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#ifndef VIPD_XDP_SKELETON
#define VIPD_XDP_SKELETON "vipd_xdp.skel.h"
#endif
#include VIPD_XDP_SKELETON
#pragma GCC diagnostic pop
