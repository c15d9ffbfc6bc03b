/* CPUID and XGETBV for choosing the evaluator's kernels at start-up (Model's InstructionLevel).
   Header-only: nothing is linked. The instructions exist on every x86-64 CPU (XGETBV only where
   CPUID.1:ECX.OSXSAVE[bit 27] is set, which the caller checks first). */
#ifndef SYMMETREE_CCPUID_H
#define SYMMETREE_CCPUID_H
#include <stdint.h>

typedef struct { uint32_t eax, ebx, ecx, edx; } symmetree_cpuid_registers;

#if defined(__x86_64__)
static inline symmetree_cpuid_registers symmetree_cpuid(uint32_t leaf, uint32_t subleaf) {
    symmetree_cpuid_registers r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

/* XCR0: which register states the operating system saves on a context switch. */
static inline uint64_t symmetree_xgetbv0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}
#endif
#endif
