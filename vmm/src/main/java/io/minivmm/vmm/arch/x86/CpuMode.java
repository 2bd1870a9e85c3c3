package io.minivmm.vmm.arch.x86;

/** The CPU mode a guest is entered in. */
public enum CpuMode {
    /** 16-bit real mode, CS:IP from the entry address. */
    REAL,
    /** 32-bit flat protected mode, paging off (Multiboot, PVH, Linux 32-bit entry). */
    PROTECTED,
    /** 64-bit long mode with paging on, tables built by the VMM. */
    LONG
}
