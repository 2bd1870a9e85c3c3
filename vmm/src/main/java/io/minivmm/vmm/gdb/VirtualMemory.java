package io.minivmm.vmm.gdb;

import io.minivmm.vmm.arch.x86.X86;
import io.minivmm.vmm.memory.GuestMemory;

/**
 * Guest-virtual memory access for the debugger: translates through the guest's own page tables
 * (the control registers of the stopped vCPU say which paging mode) and reads or writes guest RAM
 * through bounds-checked accesses. An address that is not mapped, or maps outside guest RAM, is
 * refused (the stub answers {@code E14}); nothing is ever read from outside RAM.
 *
 * <p>A small walker of its own (4-level long mode, PAE, 32-bit, paging off), because the stub
 * needs "physical address or nothing" per byte range while {@code arch.x86.GuestPageWalk} describes
 * a walk for humans. (Merge note: the seeds' {@code paging.PageWalker} is getting a
 * {@code translate(mem, cr3, va)} entry point on another branch; this can delegate to it.)
 */
public final class VirtualMemory {
    /** Paging state of one vCPU: CR0, CR3, CR4, EFER. */
    public record Paging(long cr0, long cr3, long cr4, long efer) {}

    private static final long ADDR_MASK = 0x000f_ffff_ffff_f000L;

    private VirtualMemory() {}

    /** The guest-physical address {@code va} maps to, or -1 when unmapped or outside RAM. */
    public static long translate(GuestMemory mem, Paging p, long va) {
        if ((p.cr0() & X86.CR0_PG) == 0) return mem.isRam(va, 1) ? va : -1;
        long pa;
        if ((p.efer() & X86.EFER_LMA) != 0) pa = walk64(mem, p.cr3() & ADDR_MASK, va);
        else if ((p.cr4() & X86.CR4_PAE) != 0) pa = walkPae(mem, p.cr3() & 0xffff_ffe0L, va & 0xffff_ffffL);
        else pa = walk32(mem, p.cr3() & 0xffff_f000L, va & 0xffff_ffffL);
        return pa >= 0 && mem.isRam(pa, 1) ? pa : -1;
    }

    private static long walk64(GuestMemory mem, long table, long va) {
        // Non-canonical addresses are not mapped.
        if ((va >> 47) != 0 && (va >> 47) != -1) return -1;
        for (int level = 0; level < 4; level++) {
            int shift = 39 - 9 * level;
            long e = entry64(mem, table + ((va >>> shift) & 0x1ff) * 8);
            if ((e & 1) == 0) return -1;
            if (level == 3 || (level > 0 && (e & 0x80) != 0)) {
                long mask = (1L << shift) - 1;
                return (e & ADDR_MASK & ~mask) | (va & mask);
            }
            table = e & ADDR_MASK;
        }
        return -1;
    }

    private static long walkPae(GuestMemory mem, long pdpt, long va) {
        long e = entry64(mem, pdpt + ((va >>> 30) & 3) * 8);
        if ((e & 1) == 0) return -1;
        long table = e & ADDR_MASK;
        for (int level = 0; level < 2; level++) {
            int shift = 21 - 9 * level;
            e = entry64(mem, table + ((va >>> shift) & 0x1ff) * 8);
            if ((e & 1) == 0) return -1;
            if (level == 1 || (e & 0x80) != 0) {
                long mask = (1L << shift) - 1;
                return (e & ADDR_MASK & ~mask) | (va & mask);
            }
            table = e & ADDR_MASK;
        }
        return -1;
    }

    private static long walk32(GuestMemory mem, long table, long va) {
        for (int level = 0; level < 2; level++) {
            int shift = 22 - 10 * level;
            long at = table + ((va >>> shift) & 0x3ff) * 4;
            if (!mem.isRam(at, 4)) return -1;
            long e = Integer.toUnsignedLong(mem.readU32(at));
            if ((e & 1) == 0) return -1;
            if (level == 1 || (e & 0x80) != 0) {
                long mask = (1L << shift) - 1;
                return (e & 0xffff_f000L & ~mask) | (va & mask);
            }
            table = e & 0xffff_f000L;
        }
        return -1;
    }

    /** An 8-byte entry, or 0 (not present) when the table is outside RAM. */
    private static long entry64(GuestMemory mem, long at) {
        return mem.isRam(at, 8) ? mem.readU64(at) : 0;
    }

    /**
     * Reads {@code len} bytes at guest-virtual {@code va}, page by page.
     *
     * @return the bytes, or null if any byte is unmapped
     */
    public static byte[] read(GuestMemory mem, Paging p, long va, int len) {
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            long a = va + done;
            long pa = translate(mem, p, a);
            int chunk = (int) Math.min(len - done, 0x1000 - (a & 0xfff));
            if (pa < 0 || !mem.isRam(pa, chunk)) return null;
            mem.read(pa, out, done, chunk);
            done += chunk;
        }
        return out;
    }

    /** Writes {@code data} at guest-virtual {@code va}; false (nothing written) if any byte is unmapped. */
    public static boolean write(GuestMemory mem, Paging p, long va, byte[] data) {
        long[] pas = new long[(data.length + 0x1fff) / 0x1000 + 1];
        int n = 0;
        for (int done = 0; done < data.length; ) { // translate everything first: all or nothing
            long a = va + done;
            long pa = translate(mem, p, a);
            int chunk = (int) Math.min(data.length - done, 0x1000 - (a & 0xfff));
            if (pa < 0 || !mem.isRam(pa, chunk)) return false;
            pas[n++] = pa;
            done += chunk;
        }
        n = 0;
        for (int done = 0; done < data.length; ) {
            long a = va + done;
            int chunk = (int) Math.min(data.length - done, 0x1000 - (a & 0xfff));
            mem.write(pas[n++], data, done, chunk);
            done += chunk;
        }
        return true;
    }
}
