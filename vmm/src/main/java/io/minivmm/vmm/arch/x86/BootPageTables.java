package io.minivmm.vmm.arch.x86;

import io.minivmm.vmm.memory.PhysMemory;
import io.minivmm.vmm.paging.MappingFlags;
import io.minivmm.vmm.paging.PageTable64;
import io.minivmm.vmm.paging.PagingError;
import io.minivmm.vmm.paging.RangeFrameAllocator;
import java.util.List;

/**
 * The page tables a long-mode guest starts with, built through {@link PageTable64} in the frames
 * of {@link BootLayout#PAGE_TABLES}: an identity map of guest RAM with the largest pages that fit
 * (1 GiB where the CPU offers them, else 2 MiB), plus linear mappings such as a higher-half
 * kernel's ({@code 0xffffffff80000000 + x -> x}).
 */
public final class BootPageTables {
    private BootPageTables() {}

    /** One linear mapping {@code [vaddr, vaddr+size) -> [paddr, ...)}, all 4 KiB aligned. */
    public record Linear(long vaddr, long paddr, long size) {}

    /** The tables and the allocator their frames came from (kept for handlePageFault and reporting). */
    public record Tables(PageTable64 table, RangeFrameAllocator frames) {
        public long cr3() { return table.rootPaddr(); }
    }

    private static final MappingFlags RWX = MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE, MappingFlags.EXECUTE);

    /**
     * Builds the tables. {@code ram} are [start, end) ranges; {@code gbPages} allows 1 GiB leaves.
     *
     * @throws PagingError when the tables do not fit in the boot page-table area
     */
    public static Tables build(PhysMemory mem, List<long[]> ram, List<Linear> extra, boolean gbPages) throws PagingError {
        RangeFrameAllocator frames = new RangeFrameAllocator(mem, BootLayout.PAGE_TABLES, BootLayout.PAGE_TABLES_END);
        PageTable64 pt = PageTable64.create(mem, frames);
        try {
            for (long[] r : ram) {
                // 1 GiB leaves need va and pa 1 GiB-aligned; where gbPages is off, cap at 2 MiB by
                // splitting the region at 1 GiB boundaries with allowHuge=true only below 1G alignment.
                long start = r[0] & ~0xfffL, end = (r[1] + 0xfff) & ~0xfffL;
                if (gbPages) {
                    pt.mapRegion(start, va -> va, end - start, RWX, true);
                } else {
                    mapWith2M(pt, start, end);
                }
            }
            for (Linear l : extra) pt.mapRegion(l.vaddr(), va -> va - l.vaddr() + l.paddr(), l.size(), RWX, gbPages);
            return new Tables(pt, frames);
        } catch (PagingError | RuntimeException e) {
            pt.close();
            throw e;
        }
    }

    /** 2 MiB leaves at most: map each 1 GiB window so greedy mapping never finds a 1 GiB fit. */
    private static void mapWith2M(PageTable64 pt, long start, long end) throws PagingError {
        long at = start;
        while (at < end) {
            long next = Math.min(end, (at | ((1L << 30) - 1)) + 1);
            long len = next - at;
            if (len == (1L << 30)) {
                // A full aligned GiB: map it as two halves so no 1 GiB leaf is chosen.
                pt.mapRegion(at, va -> va, len / 2, RWX, true);
                pt.mapRegion(at + len / 2, va -> va, len / 2, RWX, true);
            } else {
                pt.mapRegion(at, va -> va, len, RWX, true);
            }
            at = next;
        }
    }
}
