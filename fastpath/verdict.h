/* The words of the platform contract that need no platform: the core's verdicts and the flags
 * and errors of table inserts. C and C++, for the core and for whoever implements a platform. */
#ifndef VIPD_FASTPATH_VERDICT_H
#define VIPD_FASTPATH_VERDICT_H

/* What becomes of a frame. The values are XDP's actions, so the XDP program returns them as
 * they are. */
enum vipd_verdict { VIPD_DROP = 1, VIPD_PASS = 2, VIPD_TX = 3, VIPD_REDIRECT = 4 };

/* vipd_table_insert's flags, as BPF_ANY, BPF_NOEXIST and BPF_EXIST. */
#define VIPD_ANY 0
#define VIPD_NOEXIST 1
#define VIPD_EXIST 2

#define VIPD_ENOENT 2
#define VIPD_EEXIST 17

#endif /* VIPD_FASTPATH_VERDICT_H */
