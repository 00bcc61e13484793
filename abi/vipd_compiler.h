/* What the header-only C in abi/ needs from the compiler on both sides: __always_inline (which
 * the BPF headers define and the host's do not). */
#ifndef VIPD_COMPILER_H
#define VIPD_COMPILER_H

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#endif /* VIPD_COMPILER_H */
