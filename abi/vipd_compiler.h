/* What the header-only C in abi/ needs from the compiler on both sides: __always_inline (which
 * the BPF headers define and the host's do not) and VIPD_OPAQUE for the verifier's sake. */
#ifndef VIPD_COMPILER_H
#define VIPD_COMPILER_H

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Keeps the compiler from folding an index's range check into the access (clang 14 does when
 * it can prove a bound the verifier cannot follow, e.g. after a modulo), which would leave the
 * verifier an unbounded index. */
#ifdef __bpf__
#define VIPD_OPAQUE(var) asm volatile("" : "+r"(var))
#else
#define VIPD_OPAQUE(var) ((void)0)
#endif

/* Asks clang to unroll the loop that follows in BPF, where the verifier would otherwise walk it
 * one iteration at a time; on the host the compiler decides for itself. */
#ifdef __bpf__
#define VIPD_UNROLL _Pragma("unroll")
#else
#define VIPD_UNROLL
#endif

/* A compile-time check in headers that compile as C and as C++. */
#ifdef __cplusplus
#define VIPD_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define VIPD_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#endif /* VIPD_COMPILER_H */
