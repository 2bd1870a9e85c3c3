package io.minivmm.vmm.paging;

import static io.minivmm.vmm.paging.AddressSpaceError.Kind.ALREADY_EXISTS;
import static io.minivmm.vmm.paging.AddressSpaceError.Kind.BAD_STATE;
import static io.minivmm.vmm.paging.AddressSpaceError.Kind.INVALID_INPUT;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Non-overlapping {@link MemoryArea}s over one {@link PageTable64} (after the memory_set crate).
 * Addresses compare unsigned. Not thread-safe.
 */
public final class MemorySet {
    /** Long.compareUnsigned as a class, not a method reference: no lambda to link at start (docs/STARTUP.md). */
    private static final java.util.Comparator<Long> UNSIGNED = new java.util.Comparator<Long>() {
        @Override
        public int compare(Long a, Long b) {
            return Long.compareUnsigned(a, b);
        }
    };

    private final TreeMap<Long, MemoryArea> areas = new TreeMap<>(UNSIGNED);
    private final PageTable64 pt;
    private final FrameAllocator frames;

    /** Areas over {@code pt}; Alloc backends take data frames from {@code frames}. */
    public MemorySet(PageTable64 pt, FrameAllocator frames) {
        this.pt = pt;
        this.frames = frames;
    }

    public int size() {
        return areas.size();
    }

    public boolean isEmpty() {
        return areas.isEmpty();
    }

    /** The areas in address order (a read-only view). */
    public Collection<MemoryArea> areas() {
        return Collections.unmodifiableCollection(areas.values());
    }

    public PageTable64 pageTable() {
        return pt;
    }

    /** The area containing {@code addr}. */
    public Optional<MemoryArea> find(long addr) {
        Map.Entry<Long, MemoryArea> e = areas.floorEntry(addr);
        return e != null && e.getValue().contains(addr) ? Optional.of(e.getValue()) : Optional.empty();
    }

    /** True if any area intersects [start, start+size). */
    public boolean overlaps(long start, long size) {
        return !overlapping(start, size).isEmpty();
    }

    /**
     * Adds {@code area} and maps it. Overlapping areas are ALREADY_EXISTS, or with
     * {@code overwrite} are unmapped first. A backend failure is BAD_STATE and records nothing.
     */
    public void map(MemoryArea area, boolean overwrite) throws AddressSpaceError {
        checkRange(area.start(), area.size());
        if (area.size() == 0) {
            throw new AddressSpaceError(INVALID_INPUT, "empty area " + area);
        }
        if (overlaps(area.start(), area.size())) {
            if (!overwrite) {
                throw new AddressSpaceError(ALREADY_EXISTS, area + " overlaps " + overlapping(area.start(), area.size()));
            }
            unmap(area.start(), area.size());
        }
        try {
            area.backend().map(area.start(), area.size(), area.flags(), pt, frames);
        } catch (PagingError e) {
            throw new AddressSpaceError(BAD_STATE, "mapping " + area + " failed", e);
        }
        areas.put(area.start(), area);
    }

    /**
     * Unmaps [start, start+size): areas inside are dropped, areas straddling an end shrink, an
     * area containing the whole range splits in two.
     */
    public void unmap(long start, long size) throws AddressSpaceError {
        checkRange(start, size);
        if (size == 0) {
            return;
        }
        long end = start + size;
        for (MemoryArea a : overlapping(start, size)) {
            long lo = max(a.start(), start);
            long hi = min(a.end(), end);
            try {
                a.backend().unmap(lo, hi - lo, pt, frames);
            } catch (PagingError e) {
                throw new AddressSpaceError(BAD_STATE, String.format("unmapping 0x%x..0x%x of %s failed", lo, hi, a), e);
            }
            areas.remove(a.start());
            if (a.start() != lo) {
                areas.put(a.start(), new MemoryArea(a.start(), lo - a.start(), a.flags(), a.backend()));
            }
            if (a.end() != hi) {
                areas.put(hi, new MemoryArea(hi, a.end() - hi, a.flags(), a.backend()));
            }
        }
    }

    /** Sets the flags of [start, start+size) to {@code flags}; see {@link #protect(long, long, UnaryOperator)}. */
    public void protect(long start, long size, MappingFlags flags) throws AddressSpaceError {
        protect(start, size, old -> flags);
    }

    /**
     * For every area piece in [start, start+size), applies {@code update} to its flags (null or
     * unchanged means leave it), changes the mapping and records the new flags, splitting the
     * area into up to three pieces.
     */
    public void protect(long start, long size, UnaryOperator<MappingFlags> update) throws AddressSpaceError {
        checkRange(start, size);
        if (size == 0) {
            return;
        }
        long end = start + size;
        for (MemoryArea a : overlapping(start, size)) {
            MappingFlags nf = update.apply(a.flags());
            if (nf == null || nf.equals(a.flags())) {
                continue;
            }
            long lo = max(a.start(), start);
            long hi = min(a.end(), end);
            try {
                a.backend().protect(lo, hi - lo, nf, pt);
            } catch (PagingError e) {
                throw new AddressSpaceError(BAD_STATE, String.format("protecting 0x%x..0x%x of %s failed", lo, hi, a), e);
            }
            areas.remove(a.start());
            if (a.start() != lo) {
                areas.put(a.start(), new MemoryArea(a.start(), lo - a.start(), a.flags(), a.backend()));
            }
            areas.put(lo, new MemoryArea(lo, hi - lo, nf, a.backend()));
            if (a.end() != hi) {
                areas.put(hi, new MemoryArea(hi, a.end() - hi, a.flags(), a.backend()));
            }
        }
    }

    /**
     * The lowest {@code align}-aligned address at or above {@code hint} (and {@code limitStart})
     * where {@code size} bytes fit between areas and end at or before {@code limitEnd}.
     */
    public OptionalLong findFreeArea(long hint, long size, long limitStart, long limitEnd, long align) {
        if (align <= 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + align);
        }
        long from = max(hint, limitStart);
        long cand = alignUp(from, align);
        // Each round either returns or moves past the end of one more area, so the loop ends
        // after at most size()+1 rounds. Every align-up step is checked for wrapping past 2^64
        // (cand below from), which would otherwise hand out an address below the hint.
        while (Long.compareUnsigned(cand, from) >= 0 && fits(cand, size, limitEnd)) {
            Map.Entry<Long, MemoryArea> before = areas.lowerEntry(cand);
            if (before != null && Long.compareUnsigned(before.getValue().end(), cand) > 0) {
                from = before.getValue().end();
                cand = alignUp(from, align);
                continue; // the new candidate may lie inside a later area: look again
            }
            Map.Entry<Long, MemoryArea> next = areas.ceilingEntry(cand);
            if (next == null || fits(cand, size, next.getKey())) {
                return OptionalLong.of(cand);
            }
            from = next.getValue().end();
            cand = alignUp(from, align);
        }
        return OptionalLong.empty();
    }

    /** True if every byte of [start, start+size) lies in areas whose flags contain {@code access}. */
    public boolean canAccessRange(long start, long size, MappingFlags access) {
        if (size == 0) {
            return true;
        }
        long end = start + size;
        if (Long.compareUnsigned(end, start) < 0) {
            return false;
        }
        long cur = start;
        for (MemoryArea a : overlapping(start, size)) {
            if (Long.compareUnsigned(a.start(), cur) > 0 || !a.flags().contains(access)) {
                return false;
            }
            cur = a.end();
        }
        return Long.compareUnsigned(cur, end) >= 0;
    }

    /** Unmaps every area. */
    public void clear() throws AddressSpaceError {
        for (MemoryArea a : new ArrayList<>(areas.values())) {
            unmap(a.start(), a.size());
        }
    }

    private List<MemoryArea> overlapping(long start, long size) {
        List<MemoryArea> out = new ArrayList<>();
        if (size == 0) {
            return out;
        }
        Map.Entry<Long, MemoryArea> lower = areas.lowerEntry(start);
        if (lower != null && Long.compareUnsigned(lower.getValue().end(), start) > 0) {
            out.add(lower.getValue());
        }
        out.addAll(areas.subMap(start, true, start + size, false).values());
        return out;
    }

    private static boolean fits(long cand, long size, long limit) {
        long end = cand + size;
        return Long.compareUnsigned(end, cand) >= 0 && Long.compareUnsigned(end, limit) <= 0;
    }

    private static long alignUp(long addr, long align) {
        return (addr + align - 1) & -align;
    }

    private static long max(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static long min(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    /** Ranges may not wrap around (nor end exactly at 2^64, which a long cannot hold). */
    private static void checkRange(long start, long size) throws AddressSpaceError {
        if (size != 0 && Long.compareUnsigned(start + size, start) <= 0) {
            throw new AddressSpaceError(INVALID_INPUT, String.format("range 0x%x+0x%x wraps around", start, size));
        }
    }
}
