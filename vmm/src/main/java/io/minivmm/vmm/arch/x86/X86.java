package io.minivmm.vmm.arch.x86;

/** Architectural bits (Intel SDM vol. 3, ch. 2 and 4). */
public final class X86 {
    private X86() {}

    public static final long CR0_PE = 1L, CR0_MP = 1L << 1, CR0_ET = 1L << 4, CR0_NE = 1L << 5, CR0_WP = 1L << 16,
            CR0_AM = 1L << 18, CR0_PG = 1L << 31;
    public static final long CR4_PAE = 1L << 5, CR4_PGE = 1L << 7, CR4_OSFXSR = 1L << 9, CR4_OSXMMEXCPT = 1L << 10;
    public static final long EFER_SCE = 1L, EFER_LME = 1L << 8, EFER_LMA = 1L << 10, EFER_NXE = 1L << 11;
    public static final long RFLAGS_RESERVED = 2;

    /** MSR numbers. */
    public static final int MSR_IA32_APICBASE = 0x1b, MSR_IA32_MISC_ENABLE = 0x1a0, MSR_IA32_SYSENTER_CS = 0x174,
            MSR_IA32_SYSENTER_ESP = 0x175, MSR_IA32_SYSENTER_EIP = 0x176, MSR_IA32_TSC = 0x10,
            MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082, MSR_CSTAR = 0xc0000083,
            MSR_SYSCALL_MASK = 0xc0000084, MSR_KERNEL_GS_BASE = 0xc0000102;
    /** IA32_MISC_ENABLE bit 0: fast strings (rep movs/stos). */
    public static final long MISC_ENABLE_FAST_STRING = 1;
}
