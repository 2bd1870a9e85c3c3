package io.minivmm.vmm.arch.x86;

import io.minivmm.kvm.x86.Sregs;
import io.minivmm.vmm.memory.GuestMemory;

/**
 * Walks the guest's own page tables (from its CR3, in whatever paging mode its control registers
 * say) for one virtual address and describes every level: the entry, its flags, and where the
 * walk stops — a non-present entry, a table outside guest RAM, or the physical address. For crash
 * reports; reads guest memory only through bounds-checked accesses.
 */
public final class GuestPageWalk {
    private GuestPageWalk() {}

    private static final long ADDR_MASK = 0x000f_ffff_ffff_f000L;

    /** A multi-line description, each line indented by {@code indent}. */
    public static String describe(GuestMemory mem, Sregs s, long va, String indent) {
        StringBuilder sb = new StringBuilder();
        boolean pg = (s.cr0() & X86.CR0_PG) != 0;
        boolean lma = (s.efer() & X86.EFER_LMA) != 0;
        boolean pae = (s.cr4() & X86.CR4_PAE) != 0;
        if (!pg) {
            sb.append(indent).append(String.format("paging off: physical 0x%x%s%n", va,
                    mem.isRam(va, 1) ? "" : " (NOT in guest RAM)"));
            return sb.toString();
        }
        if (lma) {
            String[] names = {"PML4E", "PDPTE", "PDE", "PTE"};
            long table = s.cr3() & ADDR_MASK;
            for (int level = 0; level < 4; level++) {
                int shift = 39 - 9 * level;
                int idx = (int) ((va >>> shift) & 0x1ff);
                long at = table + idx * 8L;
                if (!mem.isRam(at, 8)) {
                    sb.append(indent).append(String.format("%-5s[%3d] table at 0x%x is NOT in guest RAM: walk stops%n",
                            names[level], idx, table));
                    return sb.toString();
                }
                long e = mem.readU64(at);
                sb.append(indent).append(String.format("%-5s[%3d] @0x%x = %016x %s", names[level], idx, at, e, flags(e)));
                if ((e & 1) == 0) {
                    sb.append("  NOT PRESENT: walk stops\n");
                    return sb.toString();
                }
                boolean leaf = level == 3 || (level > 0 && (e & 0x80) != 0);
                if (leaf) {
                    long pageMask = (1L << shift) - 1;
                    long pa = (e & ADDR_MASK & ~pageMask) | (va & pageMask);
                    sb.append(String.format("  -> %s page, physical 0x%x%s%n",
                            level == 1 ? "1G" : level == 2 ? "2M" : "4K", pa, mem.isRam(pa, 1) ? "" : " (NOT in guest RAM)"));
                    return sb.toString();
                }
                sb.append('\n');
                table = e & ADDR_MASK;
            }
            return sb.toString();
        }
        if (pae) {
            sb.append(indent).append(String.format("PAE paging (CR3 0x%x): not decoded%n", s.cr3()));
            return sb.toString();
        }
        long table = s.cr3() & 0xfffff000L;
        String[] names = {"PDE", "PTE"};
        for (int level = 0; level < 2; level++) {
            int shift = 22 - 10 * level;
            int idx = (int) ((va >>> shift) & 0x3ff);
            long at = table + idx * 4L;
            if (!mem.isRam(at, 4)) {
                sb.append(indent).append(String.format("%-5s[%4d] table at 0x%x is NOT in guest RAM%n", names[level], idx, table));
                return sb.toString();
            }
            long e = Integer.toUnsignedLong(mem.readU32(at));
            sb.append(indent).append(String.format("%-5s[%4d] @0x%x = %08x %s", names[level], idx, at, e, flags(e)));
            if ((e & 1) == 0) {
                sb.append("  NOT PRESENT: walk stops\n");
                return sb.toString();
            }
            if (level == 1 || (e & 0x80) != 0) {
                long mask = (1L << shift) - 1;
                sb.append(String.format("  -> physical 0x%x%n", (e & ~mask & 0xffffffffL) | (va & mask)));
                return sb.toString();
            }
            sb.append('\n');
            table = e & 0xfffff000L;
        }
        return sb.toString();
    }

    /**
     * The guest-physical address of virtual {@code va} through the guest's own tables (4-level
     * long mode, 2-level 32-bit, or paging off), or -1 when the walk stops or the mode (PAE
     * without long mode) is not decoded.
     */
    public static long translate(GuestMemory mem, Sregs s, long va) {
        if ((s.cr0() & X86.CR0_PG) == 0) return va;
        if ((s.efer() & X86.EFER_LMA) != 0) {
            long table = s.cr3() & ADDR_MASK;
            for (int level = 0; level < 4; level++) {
                int shift = 39 - 9 * level;
                long at = table + ((va >>> shift) & 0x1ff) * 8L;
                if (!mem.isRam(at, 8)) return -1;
                long e = mem.readU64(at);
                if ((e & 1) == 0) return -1;
                if (level == 3 || (level > 0 && (e & 0x80) != 0)) {
                    long pageMask = (1L << shift) - 1;
                    return (e & ADDR_MASK & ~pageMask) | (va & pageMask);
                }
                table = e & ADDR_MASK;
            }
            return -1;
        }
        if ((s.cr4() & X86.CR4_PAE) != 0) return -1;
        long table = s.cr3() & 0xfffff000L;
        for (int level = 0; level < 2; level++) {
            int shift = 22 - 10 * level;
            long at = table + ((va >>> shift) & 0x3ff) * 4L;
            if (!mem.isRam(at, 4)) return -1;
            long e = Integer.toUnsignedLong(mem.readU32(at));
            if ((e & 1) == 0) return -1;
            if (level == 1 || (e & 0x80) != 0) {
                long mask = (1L << shift) - 1;
                return (e & ~mask & 0xffffffffL) | (va & mask);
            }
            table = e & 0xfffff000L;
        }
        return -1;
    }

    static String flags(long e) {
        StringBuilder f = new StringBuilder();
        f.append((e & 1) != 0 ? "P" : "-").append((e & 2) != 0 ? "W" : "R").append((e & 4) != 0 ? "U" : "S");
        if ((e & 0x20) != 0) f.append(" A");
        if ((e & 0x40) != 0) f.append(" D");
        if ((e & 0x80) != 0) f.append(" PS");
        if (e < 0) f.append(" NX");
        return f.toString();
    }
}
