package io.minivmm.vmm.arch.x86;

import io.minivmm.vmm.memory.PhysMemory;

/**
 * The page tables a long-mode guest starts with: an identity map of the first {@code bytes} of
 * guest-physical space with 2 MiB pages. Returns the PML4 address (CR3).
 */
public final class BootPageTables {
    private BootPageTables() {}

    private static final long P = 1, RW = 2, PS = 0x80;

    public static long identity(PhysMemory mem, long bytes) {
        long gib = Math.max(1, Math.min(4, (bytes + (1L << 30) - 1) >>> 30));
        long pml4 = BootLayout.PAGE_TABLES;
        long pdpt = pml4 + 0x1000;
        long pd = pdpt + 0x1000;
        mem.fill(pml4, 0x2000 + gib * 0x1000, (byte) 0);
        mem.writeU64(pml4, pdpt | P | RW);
        for (long g = 0; g < gib; g++) {
            mem.writeU64(pdpt + g * 8, (pd + g * 0x1000) | P | RW);
            for (long i = 0; i < 512; i++) {
                mem.writeU64(pd + g * 0x1000 + i * 8, ((g << 30) + (i << 21)) | P | RW | PS);
            }
        }
        return pml4;
    }
}
