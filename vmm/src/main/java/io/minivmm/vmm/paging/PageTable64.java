package io.minivmm.vmm.paging;

import static io.minivmm.vmm.paging.PagingError.Kind.ALREADY_MAPPED;
import static io.minivmm.vmm.paging.PagingError.Kind.INVALID_ARGUMENT;
import static io.minivmm.vmm.paging.PagingError.Kind.MAPPED_TO_HUGE_PAGE;
import static io.minivmm.vmm.paging.PagingError.Kind.NOT_ALIGNED;
import static io.minivmm.vmm.paging.PagingError.Kind.NOT_MAPPED;

import io.minivmm.vmm.memory.PhysMemory;
import java.util.function.LongUnaryOperator;

/**
 * A 4-level x86-64 page table living in guest-physical memory (after page_table_multiarch's
 * {@code PageTable64}). Tables are 4 KiB frames from a {@link FrameAllocator}; entries are read
 * and written through {@link PhysMemory}.
 *
 * <p>Levels count from the root: 0 = PML4, 1 = PDPT (1 GiB leaves), 2 = PD (2 MiB leaves),
 * 3 = PT (4 KiB leaves). Virtual addresses must be canonical (bits 63..48 copy bit 47).
 *
 * <p>Every mutating call either succeeds or throws {@link PagingError} with the table exactly as
 * before: tables it allocated are freed, leaves it wrote are cleared, huge pages it split are
 * merged back. Intermediate tables are never freed by unmapping, only by {@link #close()}.
 *
 * <p>Not thread-safe. TLB flushing is the caller's business (the VMM builds tables before the
 * guest runs, or edits them while the vCPUs are stopped).
 */
public final class PageTable64 implements AutoCloseable {
    private static final int ENTRIES = 512;
    private static final long PAGE = 4096;
    private static final long HOLE_START = 0x0000_8000_0000_0000L;

    private final PhysMemory mem;
    private final FrameAllocator frames;
    private final boolean[] borrowed = new boolean[ENTRIES];
    private long root;
    private boolean closed;

    private PageTable64(PhysMemory mem, FrameAllocator frames, long root) {
        this.mem = mem;
        this.frames = frames;
        this.root = root;
    }

    /** A new, empty table: allocates the zeroed root frame. */
    public static PageTable64 create(PhysMemory mem, FrameAllocator frames) throws PagingError {
        return new PageTable64(mem, frames, frames.allocZeroed());
    }

    /** The guest-physical address of the PML4 (what goes into CR3). */
    public long rootPaddr() {
        checkOpen();
        return root;
    }

    public PhysMemory memory() {
        return mem;
    }

    public FrameAllocator frameAllocator() {
        return frames;
    }

    // ---------------------------------------------------------------- single pages

    /**
     * Maps the page of {@code size} containing {@code va} to the frame containing {@code pa}
     * (both aligned down), building missing tables.
     */
    public void map(long va, long pa, PageSize size, MappingFlags flags) throws PagingError {
        checkOpen();
        checkCanonical(va);
        checkPaddr(pa);
        va = size.alignDown(va);
        pa = size.alignDown(pa);
        int leafLevel = size.level();
        long table = root;
        int missingFrom = -1;
        for (int level = 0; level < leafLevel; level++) {
            long e = mem.readU64(slot(table, va, level));
            if (e == 0) {
                missingFrom = level;
                break;
            }
            if (level > 0 && X86Pte.isHuge(e)) {
                throw new PagingError(MAPPED_TO_HUGE_PAGE, String.format(
                        "0x%x: inside a %s page", va, PageSize.ofLevel(level)));
            }
            table = X86Pte.paddr(e);
        }
        long leaf = X86Pte.leaf(pa, flags, size.isHuge());
        if (missingFrom < 0) {
            long slot = slot(table, va, leafLevel);
            if (mem.readU64(slot) != 0) {
                throw new PagingError(ALREADY_MAPPED, String.format("0x%x: entry in use", va));
            }
            mem.writeU64(slot, leaf);
            return;
        }
        // Allocate every missing table first, so running out of frames changes nothing.
        int need = leafLevel - missingFrom;
        long[] fresh = new long[need];
        for (int i = 0; i < need; i++) {
            try {
                fresh[i] = frames.allocZeroed();
            } catch (PagingError e) {
                for (int j = 0; j < i; j++) {
                    frames.free(fresh[j]);
                }
                throw e;
            }
        }
        // Link bottom-up, so the table is never reachable half-built.
        mem.writeU64(slot(fresh[need - 1], va, leafLevel), leaf);
        for (int i = need - 1; i > 0; i--) {
            mem.writeU64(slot(fresh[i - 1], va, missingFrom + i), X86Pte.table(fresh[i]));
        }
        mem.writeU64(slot(table, va, missingFrom), X86Pte.table(fresh[0]));
    }

    /**
     * Rewrites the leaf for {@code va} with a new frame and flags. The tables down to the leaf
     * must exist (else NOT_MAPPED); an unused 4 KiB slot in an existing table is filled.
     *
     * @return the size of the page
     */
    public PageSize remap(long va, long pa, MappingFlags flags) throws PagingError {
        checkOpen();
        checkCanonical(va);
        checkPaddr(pa);
        long s = walk(va);
        long slot = s & ~7L;
        int level = (int) (s & 7);
        long e = mem.readU64(slot);
        if (e == 0 && level != 3) {
            throw new PagingError(NOT_MAPPED, String.format("0x%x: no table at level %d", va, level));
        }
        PageSize size = PageSize.ofLevel(level);
        mem.writeU64(slot, X86Pte.leaf(size.alignDown(pa), flags, size.isHuge()));
        return size;
    }

    /** Changes the flags of the leaf mapping {@code va}, keeping its frame; returns its size. */
    public PageSize protect(long va, MappingFlags flags) throws PagingError {
        checkOpen();
        checkCanonical(va);
        long s = walk(va);
        long slot = s & ~7L;
        long e = mem.readU64(slot);
        if (e == 0) {
            throw notMapped(va);
        }
        mem.writeU64(slot, reflag(e, X86Pte.fromFlags(flags)));
        return PageSize.ofLevel((int) (s & 7));
    }

    /** Removes the leaf mapping {@code va}; returns its base frame, flags and size. */
    public Translation unmap(long va) throws PagingError {
        checkOpen();
        checkCanonical(va);
        long s = walk(va);
        long slot = s & ~7L;
        long e = mem.readU64(slot);
        if (e == 0) {
            throw notMapped(va);
        }
        mem.writeU64(slot, 0);
        return new Translation(X86Pte.paddr(e), X86Pte.toFlags(e), PageSize.ofLevel((int) (s & 7)));
    }

    /** Where {@code va} goes: the physical address (with the offset in the page), flags, size. */
    public Translation query(long va) throws PagingError {
        Translation t = find(va);
        if (t == null) {
            throw notMapped(va);
        }
        return t;
    }

    /** Like {@link #query} but returns null instead of throwing (holes are routine for callers). */
    public Translation find(long va) {
        checkOpen();
        if (!isCanonical(va)) {
            return null;
        }
        long s = walk(va);
        long e = mem.readU64(s & ~7L);
        if (e == 0) {
            return null;
        }
        PageSize size = PageSize.ofLevel((int) (s & 7));
        long base = X86Pte.paddr(e) & -size.bytes();
        return new Translation(base + (va & (size.bytes() - 1)), X86Pte.toFlags(e), size);
    }

    // ---------------------------------------------------------------- regions

    /**
     * Maps [va, va+size) to {@code vaToPa(page)} for each page, greedily using 1 GiB then 2 MiB
     * leaves where {@code allowHuge}, va and pa are aligned and enough remains, else 4 KiB.
     * On failure everything this call mapped or allocated is undone.
     */
    public void mapRegion(long va, LongUnaryOperator vaToPa, long size, MappingFlags flags, boolean allowHuge)
            throws PagingError {
        checkOpen();
        checkRegion(va, size);
        if (size == 0) {
            return;
        }
        final long bits = X86Pte.fromFlags(flags) | X86Pte.A;
        Log created = new Log(2);
        long cur = va;
        long remaining = size;
        try {
            while (remaining != 0) {
                long pa = vaToPa.applyAsLong(cur);
                PageSize ps = PageSize.SIZE_4K;
                if (allowHuge) {
                    if (remaining >= PageSize.SIZE_1G.bytes() && PageSize.SIZE_1G.isAligned(cur | pa)) {
                        ps = PageSize.SIZE_1G;
                    } else if (remaining >= PageSize.SIZE_2M.bytes() && PageSize.SIZE_2M.isAligned(cur | pa)) {
                        ps = PageSize.SIZE_2M;
                    }
                }
                if (ps.isHuge()) {
                    checkLeafPaddr(cur, pa);
                    long slot = slot(ensureTable(cur, ps.level(), created), cur, ps.level());
                    if (mem.readU64(slot) != 0) {
                        throw new PagingError(ALREADY_MAPPED, String.format("0x%x: entry in use", cur));
                    }
                    mem.writeU64(slot, (pa & X86Pte.ADDR_MASK) | bits | X86Pte.PS);
                    cur += ps.bytes();
                    remaining -= ps.bytes();
                    continue;
                }
                // 4 KiB run: walk once, then fill this PT entry by entry.
                long pt = ensureTable(cur, 3, created);
                long slot = slot(pt, cur, 3);
                long ptEnd = pt + PAGE;
                while (true) {
                    checkLeafPaddr(cur, pa);
                    if (mem.readU64(slot) != 0) {
                        throw new PagingError(ALREADY_MAPPED, String.format("0x%x: entry in use", cur));
                    }
                    mem.writeU64(slot, pa | bits);
                    cur += PAGE;
                    remaining -= PAGE;
                    slot += 8;
                    if (remaining == 0 || slot == ptEnd) {
                        break;
                    }
                    pa = vaToPa.applyAsLong(cur);
                }
            }
        } catch (PagingError | RuntimeException e) {
            clearLeaves(va, size - remaining);
            for (int i = created.size - 1; i >= 0; i--) {
                mem.writeU64(created.get(i, 0), 0);
                frames.free(created.get(i, 1));
            }
            throw e;
        }
    }

    /**
     * Builds the tables (down to the 4 KiB level) covering [va, va+size) without mapping
     * anything: for lazily populated memory. Existing huge leaves in the range are an error.
     */
    public void prepareRegion(long va, long size) throws PagingError {
        checkOpen();
        checkRegion(va, size);
        Log created = new Log(2);
        long cur = va & -PageSize.SIZE_2M.bytes();
        long last = va + size - 1;
        try {
            while (size != 0) {
                ensureTable(cur, 3, created);
                long next = cur + PageSize.SIZE_2M.bytes();
                if (Long.compareUnsigned(next - 1, last) >= 0 || next == 0) {
                    break;
                }
                cur = next;
            }
        } catch (PagingError | RuntimeException e) {
            for (int i = created.size - 1; i >= 0; i--) {
                mem.writeU64(created.get(i, 0), 0);
                frames.free(created.get(i, 1));
            }
            throw e;
        }
    }

    /**
     * Unmaps every leaf in [va, va+size). A hole is NOT_MAPPED (nothing is changed); a huge page
     * the range only partly covers is split into smaller pages first.
     */
    public void unmapRegion(long va, long size) throws PagingError {
        editRegion(va, size, true, 0);
    }

    /** Sets the flags of every leaf in [va, va+size), splitting huge pages the range cuts. */
    public void protectRegion(long va, long size, MappingFlags flags) throws PagingError {
        editRegion(va, size, false, X86Pte.fromFlags(flags));
    }

    private void editRegion(long va, long size, boolean unmap, long newBits) throws PagingError {
        checkOpen();
        checkRegion(va, size);
        if (size == 0) {
            return;
        }
        checkNoHoles(va, size);
        Log splits = new Log(3);
        try {
            splitAt(va, splits);
            long end = va + size;
            if (end != 0 && isCanonical(end)) {
                splitAt(end, splits);
            }
        } catch (PagingError | RuntimeException e) {
            for (int i = splits.size - 1; i >= 0; i--) {
                mem.writeU64(splits.get(i, 0), splits.get(i, 1));
                frames.free(splits.get(i, 2));
            }
            throw e;
        }
        long cur = va;
        long remaining = size;
        while (remaining != 0) {
            long s = walk(cur);
            long slot = s & ~7L;
            int level = (int) (s & 7);
            if (level == 3) {
                // Walk once per PT and sweep its entries.
                long ptEnd = (slot & -PAGE) + PAGE;
                do {
                    mem.writeU64(slot, unmap ? 0 : reflag(mem.readU64(slot), newBits));
                    slot += 8;
                    cur += PAGE;
                    remaining -= PAGE;
                } while (remaining != 0 && slot != ptEnd);
            } else {
                long e = mem.readU64(slot);
                mem.writeU64(slot, unmap ? 0 : reflag(e, newBits));
                long step = PageSize.ofLevel(level).bytes();
                cur += step;
                remaining -= step;
            }
        }
    }

    /** NOT_MAPPED unless every page of [va, va+size) is mapped; changes nothing. */
    private void checkNoHoles(long va, long size) throws PagingError {
        long cur = va;
        long remaining = size;
        while (remaining != 0) {
            long s = walk(cur);
            long slot = s & ~7L;
            int level = (int) (s & 7);
            if (mem.readU64(slot) == 0) {
                throw notMapped(cur);
            }
            if (level == 3) {
                long ptEnd = (slot & -PAGE) + PAGE;
                do {
                    if (mem.readU64(slot) == 0) {
                        throw notMapped(cur);
                    }
                    slot += 8;
                    cur += PAGE;
                    remaining -= PAGE;
                } while (remaining != 0 && slot != ptEnd);
            } else {
                long pageSize = PageSize.ofLevel(level).bytes();
                long step = pageSize - (cur & (pageSize - 1));
                if (Long.compareUnsigned(step, remaining) >= 0) {
                    return;
                }
                cur += step;
                remaining -= step;
            }
        }
    }

    /** Splits huge leaves until {@code addr} is a page boundary; logs (slot, old entry, table). */
    private void splitAt(long addr, Log splits) throws PagingError {
        while (true) {
            long s = walk(addr);
            long slot = s & ~7L;
            int level = (int) (s & 7);
            long e = mem.readU64(slot);
            if (e == 0 || level == 3) {
                return;
            }
            long pageSize = PageSize.ofLevel(level).bytes();
            if ((addr & (pageSize - 1)) == 0) {
                return;
            }
            long table = frames.allocZeroed();
            long childSize = pageSize >>> 9;
            long base = X86Pte.paddr(e) & -pageSize;
            long attrs = e & ~X86Pte.ADDR_MASK;
            if (level + 1 == 3) {
                attrs &= ~X86Pte.PS;
            }
            for (int i = 0; i < ENTRIES; i++) {
                mem.writeU64(table + 8L * i, (base + i * childSize) | attrs);
            }
            mem.writeU64(slot, X86Pte.table(table));
            splits.add(slot, e, table);
        }
    }

    /** Clears every leaf in [va, va+len) (used by rollback; holes are skipped). */
    private void clearLeaves(long va, long len) {
        long cur = va;
        long remaining = len;
        while (remaining != 0) {
            long s = walk(cur);
            long slot = s & ~7L;
            int level = (int) (s & 7);
            long step = level == 0 ? PAGE : PageSize.ofLevel(level).bytes();
            if (mem.readU64(slot) != 0) {
                mem.writeU64(slot, 0);
            } else {
                step = PAGE;
            }
            step = Math.min(step - (cur & (step - 1)), remaining);
            cur += step;
            remaining -= step;
        }
    }

    // ---------------------------------------------------------------- walking, sharing

    /** Receives one entry of a {@link #walk}. */
    @FunctionalInterface
    public interface EntryVisitor {
        /**
         * @param level 0 = PML4 .. 3 = PT
         * @param index the entry's index in its table
         * @param va the first virtual address the entry maps, sign-extended from bit 47
         * @param entry the raw entry
         */
        void visit(int level, int index, long va, long entry);
    }

    /** Which entries a {@link #walk} visits. */
    public enum WalkEntries {
        /** Present entries only: what the CPU sees (the SPEC's and upstream's walk). */
        PRESENT,
        /**
         * Every entry in use, i.e. non-zero: present ones, and leaves mapped with EMPTY flags
         * (not present, but holding an address and reserved against a second map). For
         * comparing a table's whole state, e.g. that a failed operation rolled back.
         */
        IN_USE
    }

    /**
     * Visits the present entries, depth first, calling {@code pre} before and {@code post} after
     * descending; huge leaves are not descended into. At most {@code limit} entries per table
     * are visited. Either callback may be null.
     */
    public void walk(int limit, EntryVisitor pre, EntryVisitor post) {
        walk(WalkEntries.PRESENT, limit, pre, post);
    }

    /** As {@link #walk(int, EntryVisitor, EntryVisitor)}, visiting the entries {@code which} names. */
    public void walk(WalkEntries which, int limit, EntryVisitor pre, EntryVisitor post) {
        checkOpen();
        walkTable(root, 0, 0, limit, which == WalkEntries.PRESENT ? X86Pte.P : -1L, pre, post);
    }

    /** {@code mask} selects the entries to visit: P for present ones, all bits for any non-zero one. */
    private void walkTable(long table, int level, long base, int limit, long mask, EntryVisitor pre, EntryVisitor post) {
        int n = 0;
        int shift = 39 - 9 * level;
        for (int i = 0; i < ENTRIES && n < limit; i++) {
            long e = mem.readU64(table + 8L * i);
            if ((e & mask) == 0) {
                continue;
            }
            long va = signExtend(base + ((long) i << shift));
            if (pre != null) {
                pre.visit(level, i, va, e);
            }
            if (level < 3 && (level == 0 || !X86Pte.isHuge(e))) {
                walkTable(X86Pte.paddr(e), level + 1, va, limit, mask, pre, post);
            }
            if (post != null) {
                post.visit(level, i, va, e);
            }
            n++;
        }
    }

    /**
     * Shares {@code other}'s top-level entries covering [start, start+size) (shallow: both
     * tables then point at the same lower tables). The shared subtrees stay owned by
     * {@code other}: this table never frees them, so {@code other} must outlive its use here,
     * and both tables must use the same memory and frame allocator (tables created later under
     * a shared entry land in {@code other}'s tree). ALREADY_MAPPED if this table has its own
     * entries in that range.
     */
    public void copyFrom(PageTable64 other, long start, long size) throws PagingError {
        checkOpen();
        other.checkOpen();
        if (other.mem != mem) {
            throw new IllegalArgumentException("page tables live in different memories");
        }
        if (size == 0) {
            return;
        }
        checkRegion(start & -PAGE, ((start & (PAGE - 1)) + size + PAGE - 1) & -PAGE);
        int first = index(start, 0);
        int last = index(start + size - 1, 0);
        for (int i = first; i <= last; i++) {
            if (!borrowed[i] && mem.readU64(root + 8L * i) != 0) {
                throw new PagingError(ALREADY_MAPPED, String.format(
                        "top-level entry %d is in use by this table", i));
            }
        }
        for (int i = first; i <= last; i++) {
            long e = mem.readU64(other.root + 8L * i);
            mem.writeU64(root + 8L * i, e);
            borrowed[i] = e != 0;
        }
    }

    /** Frees every table this table owns, and its root; never data frames or borrowed tables. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (int i = 0; i < ENTRIES; i++) {
            long e = mem.readU64(root + 8L * i);
            if (e != 0 && !borrowed[i]) {
                freeTable(X86Pte.paddr(e), 1);
            }
        }
        frames.free(root);
        closed = true;
    }

    private void freeTable(long table, int level) {
        if (level < 3) {
            for (int i = 0; i < ENTRIES; i++) {
                long e = mem.readU64(table + 8L * i);
                if (e != 0 && !X86Pte.isHuge(e)) {
                    freeTable(X86Pte.paddr(e), level + 1);
                }
            }
        }
        frames.free(table);
    }

    // ---------------------------------------------------------------- internals

    /**
     * Walks towards the leaf for {@code va}; returns the address of the entry where the walk
     * stopped (a leaf, or the first unused entry) with its level in the low 3 bits.
     */
    private long walk(long va) {
        long table = root;
        for (int level = 0; ; level++) {
            long slot = slot(table, va, level);
            long e = mem.readU64(slot);
            if (level == 3 || e == 0 || (level > 0 && X86Pte.isHuge(e))) {
                return slot | level;
            }
            table = X86Pte.paddr(e);
        }
    }

    /** The table at {@code level} on the path to {@code va}, creating (and logging) missing ones. */
    private long ensureTable(long va, int level, Log created) throws PagingError {
        long table = root;
        for (int l = 0; l < level; l++) {
            long slot = slot(table, va, l);
            long e = mem.readU64(slot);
            if (e == 0) {
                long fresh = frames.allocZeroed();
                created.add(slot, fresh);
                mem.writeU64(slot, X86Pte.table(fresh));
                table = fresh;
            } else if (l > 0 && X86Pte.isHuge(e)) {
                throw new PagingError(MAPPED_TO_HUGE_PAGE, String.format(
                        "0x%x: inside a %s page", va, PageSize.ofLevel(l)));
            } else {
                table = X86Pte.paddr(e);
            }
        }
        return table;
    }

    private static long slot(long table, long va, int level) {
        return table + ((long) index(va, level) << 3);
    }

    private static int index(long va, int level) {
        return (int) (va >>> (39 - 9 * level)) & (ENTRIES - 1);
    }

    /** New attribute bits for a leaf, keeping its frame, size, and the A/D state. */
    private static long reflag(long e, long newBits) {
        return (e & (X86Pte.ADDR_MASK | X86Pte.PS | X86Pte.D)) | X86Pte.A | newBits;
    }

    static long signExtend(long va) {
        return (va << 16) >> 16;
    }

    static boolean isCanonical(long va) {
        return signExtend(va) == va;
    }

    private static void checkCanonical(long va) throws PagingError {
        if (!isCanonical(va)) {
            throw new PagingError(INVALID_ARGUMENT, String.format("0x%x is not a canonical address", va));
        }
    }

    private static void checkPaddr(long pa) throws PagingError {
        if ((pa & ~(X86Pte.ADDR_MASK | (PAGE - 1))) != 0) {
            throw new PagingError(INVALID_ARGUMENT, String.format("physical address 0x%x beyond 52 bits", pa));
        }
    }

    private static void checkLeafPaddr(long va, long pa) throws PagingError {
        if ((pa & ~X86Pte.ADDR_MASK) != 0) {
            if ((pa & (PAGE - 1)) != 0) {
                throw new PagingError(NOT_ALIGNED, String.format("0x%x maps to unaligned 0x%x", va, pa));
            }
            throw new PagingError(INVALID_ARGUMENT, String.format("physical address 0x%x beyond 52 bits", pa));
        }
    }

    /** 4 KiB alignment, then no wrap-around and no crossing of the non-canonical hole. */
    private static void checkRegion(long va, long size) throws PagingError {
        if (((va | size) & (PAGE - 1)) != 0) {
            throw new PagingError(NOT_ALIGNED, String.format("region 0x%x+0x%x is not 4 KiB aligned", va, size));
        }
        if (size == 0) {
            return;
        }
        long last = va + size - 1;
        if (Long.compareUnsigned(last, va) < 0 || !isCanonical(va) || !isCanonical(last) || (va ^ last) < 0) {
            throw new PagingError(INVALID_ARGUMENT, String.format(
                    "region 0x%x+0x%x overflows or leaves the canonical half", va, size));
        }
    }

    private static PagingError notMapped(long va) {
        return new PagingError(NOT_MAPPED, String.format("0x%x is not mapped", va));
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("page table is closed");
        }
    }

    /** A growable list of fixed-width tuples of longs, for undo logs. */
    private static final class Log {
        private final int width;
        private long[] data = new long[0];
        int size;

        Log(int width) {
            this.width = width;
        }

        void add(long... values) {
            if ((size + 1) * width > data.length) {
                data = java.util.Arrays.copyOf(data, Math.max(16 * width, data.length * 2));
            }
            System.arraycopy(values, 0, data, size * width, width);
            size++;
        }

        long get(int i, int field) {
            return data[i * width + field];
        }
    }
}
