package io.minivmm.vmm.paging;

import io.minivmm.vmm.memory.GuestMemoryException;
import io.minivmm.vmm.memory.PhysMemory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks and edits x86-64 4-level page tables through a {@link TableReader}/{@link TableAccess}
 * (after hyperlight's {@code vmem}), so one walker serves guest memory and test arrays. The VMM's
 * only reader of a guest's own tables: crash reports walk RIP/RSP/IDT/GDT/CR2 with
 * {@link #translate} (and {@link #walkLegacy32} for a 32-bit guest), and {@link #translate} is the
 * entry point for a debugger's view of guest virtual memory and for snapshots.
 *
 * <p>Leaves written here are {@code pa | NX? | D | A | RW? | P}; copy-on-write leaves have RW
 * clear and bit 9 set. Intermediate entries are {@code P | RW | A}.
 */
public final class PageWalker {
    /** Software-available bit 9: copy-on-write marker on a read-only leaf. */
    public static final long COW = 1L << 9;
    /** Intermediate entries written by {@link #map}. */
    public static final long TABLE = X86Pte.P | X86Pte.RW | X86Pte.A;

    private static final long PAGE = 4096;
    private static final long UPPER_HALF = 0xffff_8000_0000_0000L;

    private PageWalker() {
    }

    /**
     * The present 4 KiB pages covering [addr, addr+len), in address order; holes are skipped.
     * The end saturates at 2^64; non-canonical addresses are a hole. Pieces of huge pages are
     * reported 4 KiB at a time.
     */
    public static List<PageMapping> virtToPhys(TableReader ops, long rootPaddr, long addr, long len) {
        List<PageMapping> out = new ArrayList<>();
        if (len == 0) {
            return out;
        }
        long last = addr + len - 1;
        if (Long.compareUnsigned(last, addr) < 0) {
            last = -1L; // saturate
        }
        long root = ops.fromPhys(rootPaddr);
        long va = addr & -PAGE;
        outer:
        while (Long.compareUnsigned(va, last) <= 0) {
            if (!PageTable64.isCanonical(va)) {
                va = UPPER_HALF; // every non-canonical address lies below the upper half
                continue;
            }
            long table = root;
            for (int level = 0; level < 4; level++) {
                int shift = 39 - 9 * level;
                long e = ops.readEntry(table, (int) (va >>> shift) & 511);
                if ((e & X86Pte.P) == 0) {
                    long next = (va & -(1L << shift)) + (1L << shift);
                    if (next == 0) {
                        break outer;
                    }
                    va = next;
                    continue outer;
                }
                if (level == 3 || (level > 0 && X86Pte.isHuge(e))) {
                    long size = 1L << shift;
                    long pa = (X86Pte.paddr(e) & -size) + (va & (size - 1));
                    out.add(new PageMapping(va, pa, PAGE, kindOf(e)));
                    va += PAGE;
                    if (va == 0) {
                        break outer;
                    }
                    continue outer;
                }
                table = ops.fromPhys(X86Pte.paddr(e));
            }
        }
        return out;
    }

    /**
     * Translates guest-virtual {@code va} through the guest's own 4-level tables rooted at
     * {@code cr3} (its flag and PCID bits are ignored), reading guest-physical {@code mem}:
     * {@link PageWalk#paddr()} when {@link PageWalk#mapped()}, else {@link PageWalk#faultLevel()}
     * says where the walk stopped. Reads only; a table outside {@code mem} ends the walk as
     * {@link PageWalk.End#TABLE_UNREADABLE} instead of throwing.
     */
    public static PageWalk translate(PhysMemory mem, long cr3, long va) {
        return walk(new PhysTableAccess(mem), cr3 & X86Pte.ADDR_MASK, va);
    }

    /** {@link #translate}'s walk over any {@link TableReader}: every entry read, and the end. */
    public static PageWalk walk(TableReader ops, long rootPaddr, long va) {
        if (!PageTable64.isCanonical(va)) {
            return new PageWalk(va, List.of(), PageWalk.End.NON_CANONICAL, -1, -1, -1, 0);
        }
        return walk((table, index) -> ops.readEntry(ops.fromPhys(table), index), rootPaddr, va, LONG_MODE);
    }

    /**
     * Walks a legacy 32-bit (non-PAE) guest's 2-level tables: 4-byte entries, 4 MiB pages where a
     * directory entry has PS. {@code cr3} bits below 4 KiB are ignored.
     */
    public static PageWalk walkLegacy32(PhysMemory mem, long cr3, long va) {
        return walk((table, index) -> {
            byte[] b = new byte[4];
            mem.read(table + 4L * index, b, 0, 4);
            return (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
        }, cr3 & 0xffff_f000L, va & 0xffff_ffffL, LEGACY_32);
    }

    /**
     * Walks a PAE guest's 3-level tables (protected mode with CR4.PAE, no long mode): a 4-entry
     * page-directory-pointer table at {@code cr3} (32-byte aligned), then 8-byte entries, 2 MiB
     * pages where a directory entry has PS.
     */
    public static PageWalk walkPae(PhysMemory mem, long cr3, long va) {
        PhysTableAccess ops = new PhysTableAccess(mem);
        return walk((table, index) -> ops.readEntry(ops.fromPhys(table), index), cr3 & 0xffff_ffe0L, va & 0xffff_ffffL, PAE);
    }

    /** The shape of one paging mode's tables. */
    private record Shape(int levels, int topShift, int indexBits, int entrySize, long addrMask, int firstLeafLevel) {}

    private static final Shape LONG_MODE = new Shape(4, 39, 9, 8, X86Pte.ADDR_MASK, 1);
    private static final Shape LEGACY_32 = new Shape(2, 22, 10, 4, 0xffff_f000L, 0);
    private static final Shape PAE = new Shape(3, 30, 9, 8, X86Pte.ADDR_MASK, 1);

    @FunctionalInterface
    private interface EntryReader {
        long read(long tablePaddr, int index);
    }

    private static PageWalk walk(EntryReader read, long root, long va, Shape shape) {
        List<PageWalk.Step> steps = new ArrayList<>(shape.levels());
        long table = root;
        for (int level = 0; level < shape.levels(); level++) {
            int shift = shape.topShift() - shape.indexBits() * level;
            int index = (int) (va >>> shift) & ((1 << shape.indexBits()) - 1);
            long e;
            try {
                e = read.read(table, index);
            } catch (GuestMemoryException outside) {
                return new PageWalk(va, steps, PageWalk.End.TABLE_UNREADABLE, table, index, -1, 0);
            }
            steps.add(new PageWalk.Step(level, index, table + (long) shape.entrySize() * index, e));
            if ((e & X86Pte.P) == 0) {
                return new PageWalk(va, steps, PageWalk.End.NOT_PRESENT, -1, -1, -1, 0);
            }
            if (level == shape.levels() - 1 || (level >= shape.firstLeafLevel() && X86Pte.isHuge(e))) {
                long size = 1L << shift;
                long pa = (e & shape.addrMask() & -size) | (va & (size - 1));
                return new PageWalk(va, steps, PageWalk.End.MAPPED, -1, -1, pa, size);
            }
            table = e & shape.addrMask();
        }
        throw new AssertionError("the last level always ends the walk");
    }

    /**
     * Writes {@code m} page by page (virtBase, physBase and len 4 KiB aligned), building missing
     * tables; existing leaves are overwritten. {@link MappingKind.Unmapped} clears leaves and
     * builds nothing. A huge leaf in the way is an {@link IllegalArgumentException}.
     * Unlike {@link PageTable64} this is not all-or-nothing: if allocating a table fails, the
     * pages before it stay written (the caller is building a fresh space and discards it).
     */
    public static void map(TableAccess ops, long rootPaddr, PageMapping m) throws PagingError {
        if (((m.virtBase() | m.physBase() | m.len()) & (PAGE - 1)) != 0) {
            throw new PagingError(PagingError.Kind.NOT_ALIGNED, m.toString());
        }
        boolean clear = m.kind() instanceof MappingKind.Unmapped;
        long root = ops.fromPhys(rootPaddr);
        for (long off = 0; off != m.len(); off += PAGE) {
            long va = m.virtBase() + off;
            if (!PageTable64.isCanonical(va)) {
                throw new PagingError(PagingError.Kind.INVALID_ARGUMENT, String.format("0x%x is not canonical", va));
            }
            long table = root;
            boolean hole = false;
            for (int level = 0; level < 3; level++) {
                int index = (int) (va >>> (39 - 9 * level)) & 511;
                long e = ops.readEntry(table, index);
                if ((e & X86Pte.P) == 0) {
                    if (clear) {
                        hole = true;
                        break;
                    }
                    long t = ops.allocTable();
                    ops.writeEntry(table, index, ops.toPhys(t) | TABLE);
                    table = t;
                } else if (level > 0 && X86Pte.isHuge(e)) {
                    throw new IllegalArgumentException(String.format("0x%x lies in a huge page", va));
                } else {
                    table = ops.fromPhys(X86Pte.paddr(e));
                }
            }
            if (!hole) {
                ops.writeEntry(table, (int) (va >>> 12) & 511, clear ? 0 : leaf(m.physBase() + off, m.kind()));
            }
        }
    }

    /** The leaf entry for a page at {@code pa} of {@code kind}. */
    public static long leaf(long pa, MappingKind kind) {
        long base = (pa & X86Pte.ADDR_MASK) | X86Pte.D | X86Pte.A | X86Pte.P;
        if (kind instanceof MappingKind.Basic b) {
            return base | (b.writable() ? X86Pte.RW : 0) | (b.executable() ? 0 : X86Pte.NX);
        }
        if (kind instanceof MappingKind.Cow c) {
            return base | COW | (c.executable() ? 0 : X86Pte.NX);
        }
        return 0;
    }

    /** The kind of a present leaf. */
    public static MappingKind kindOf(long e) {
        boolean x = (e & X86Pte.NX) == 0;
        if ((e & X86Pte.RW) == 0 && (e & COW) != 0) {
            return new MappingKind.Cow(x);
        }
        return new MappingKind.Basic((e & X86Pte.RW) != 0, x);
    }

    /**
     * Walks the roots in order. Leaves come out as {@link SpaceMapping.Leaf}; an intermediate
     * table already reached through an earlier root comes out once as a
     * {@link SpaceMapping.SharedTable} and is not walked again.
     */
    public static List<SpaceMapping> walkSpaces(TableReader ops, long... rootPaddrs) {
        List<SpaceMapping> out = new ArrayList<>();
        Map<Long, long[]> seen = new HashMap<>(); // table pa -> {space, va}
        for (int s = 0; s < rootPaddrs.length; s++) {
            walkSpace(ops, ops.fromPhys(rootPaddrs[s]), 0, 0, s, seen, out);
        }
        return out;
    }

    private static void walkSpace(TableReader ops, long table, int level, long base, int space,
                                  Map<Long, long[]> seen, List<SpaceMapping> out) {
        int shift = 39 - 9 * level;
        for (int i = 0; i < 512; i++) {
            long e = ops.readEntry(table, i);
            if ((e & X86Pte.P) == 0) {
                continue;
            }
            long va = PageTable64.signExtend(base + ((long) i << shift));
            if (level == 3 || (level > 0 && X86Pte.isHuge(e))) {
                long size = 1L << shift;
                out.add(new SpaceMapping.Leaf(space, new PageMapping(va, X86Pte.paddr(e) & -size, size, kindOf(e))));
                continue;
            }
            long child = X86Pte.paddr(e);
            long[] owner = seen.get(child);
            if (owner != null && owner[0] != space) {
                out.add(new SpaceMapping.SharedTable(space, va, level + 1, child, (int) owner[0], owner[1]));
                continue;
            }
            if (owner == null) {
                seen.put(child, new long[] {space, va});
            }
            walkSpace(ops, ops.fromPhys(child), level + 1, va, space, seen, out);
        }
    }
}
