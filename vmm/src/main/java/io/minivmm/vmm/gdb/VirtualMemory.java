package io.minivmm.vmm.gdb;

import io.minivmm.vmm.arch.x86.X86;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.paging.PageWalk;
import io.minivmm.vmm.paging.PageWalker;

/**
 * Guest-virtual memory access for the debugger: translates through the guest's own page tables
 * (the control registers of the stopped vCPU say which paging mode) and reads or writes guest RAM
 * through bounds-checked accesses. An address that is not mapped, or maps outside guest RAM, is
 * refused (the stub answers {@code E14}); nothing is ever read from outside RAM.
 *
 * <p>Translation is the seeds' {@link PageWalker} (4-level long mode, PAE, legacy 32-bit;
 * paging off is the identity), the same walker behind the crash report's page walk.
 */
public final class VirtualMemory {
    /** Paging state of one vCPU: CR0, CR3, CR4, EFER. */
    public record Paging(long cr0, long cr3, long cr4, long efer) {}

    private static final long ADDR_MASK = 0x000f_ffff_ffff_f000L;

    private VirtualMemory() {}

    /**
     * The guest-physical address {@code va} maps to, or -1 when unmapped or outside RAM: the
     * seeds' {@link PageWalker} walks the guest's own tables in every paging mode.
     */
    public static long translate(GuestMemory mem, Paging p, long va) {
        if ((p.cr0() & X86.CR0_PG) == 0) return mem.isRam(va, 1) ? va : -1;
        PageWalk w;
        try {
            if ((p.efer() & X86.EFER_LMA) != 0) w = PageWalker.translate(mem, p.cr3(), va);
            else if ((p.cr4() & X86.CR4_PAE) != 0) w = PageWalker.walkPae(mem, p.cr3(), va);
            else w = PageWalker.walkLegacy32(mem, p.cr3(), va);
        } catch (RuntimeException e) {
            return -1; // a table outside RAM
        }
        long pa = w.mapped() ? w.paddr() : -1;
        return pa >= 0 && mem.isRam(pa, 1) ? pa : -1;
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
