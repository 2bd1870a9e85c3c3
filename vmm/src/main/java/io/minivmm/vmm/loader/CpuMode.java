package io.minivmm.vmm.loader;

/** The CPU mode the boot protocol requires at the entry point; the vCPU code sets it up. */
public enum CpuMode {
    /** 16-bit real mode, CS:IP from {@link BootPlan.BootRegisters}. */
    REAL,
    /** 32-bit protected mode, flat 4 GiB code/data segments, paging off (Linux 32-bit, PVH, Multiboot). */
    PROTECTED32_FLAT,
    /** 64-bit long mode, RAM identity-mapped plus {@link BootPlan#mappings()}. */
    LONG64
}
