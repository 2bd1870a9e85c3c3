package io.minivmm.vmm.bench;

import io.minivmm.vmm.paging.ArrayPhysMemory;
import io.minivmm.vmm.paging.MappingFlags;
import io.minivmm.vmm.paging.PageTable64;
import io.minivmm.vmm.paging.RangeFrameAllocator;
import io.minivmm.vmm.paging.Translation;
import java.util.Arrays;

/**
 * Paging benchmark harness (not a test). Prints the median of repeated runs after warm-up:
 * <ul>
 *   <li>boot tables: create + identity-map 64 GiB with 1 GiB pages;</li>
 *   <li>mapRegion of 1 GiB with 4 KiB pages (262,144 leaves), then query of every page, then
 *       unmapRegion of the whole range, in ns per page.</li>
 * </ul>
 * Run: {@code java -cp vmm/target/classes:vmm/target/test-classes io.minivmm.vmm.bench.PagingBench}
 */
public final class PagingBench {
    private static final long GIB = 1L << 30;
    private static final long PAGES = GIB >>> 12;
    private static final MappingFlags RWX = MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE, MappingFlags.EXECUTE);
    private static final MappingFlags RW = MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE);

    private static long sink;

    private PagingBench() {
    }

    public static void main(String[] args) throws Exception {
        int warm = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 21;

        // Boot tables: 2 frames needed (PML4 + one PDPT).
        ArrayPhysMemory small = new ArrayPhysMemory(0, 64 << 10);
        long[] boot = new long[reps];
        for (int i = -warm * 100; i < reps; i++) {
            RangeFrameAllocator frames = new RangeFrameAllocator(small, 0, 64 << 10);
            long t0 = System.nanoTime();
            PageTable64 pt = PageTable64.create(small, frames);
            pt.mapRegion(0, va -> va, 64 * GIB, RWX, true);
            long t1 = System.nanoTime();
            sink += pt.query(63 * GIB + 5).paddr();
            pt.close();
            if (i >= 0) {
                boot[i] = t1 - t0;
            }
        }

        // 1 GiB in 4 KiB pages: 512 PTs + PD + PDPT + PML4 = 515 frames.
        ArrayPhysMemory mem = new ArrayPhysMemory(0, 4 << 20);
        long base = 0x40_0000_0000L; // 256 GiB: an arbitrary, 1 GiB-aligned place
        long[] map = new long[reps];
        long[] query = new long[reps];
        long[] unmap = new long[reps];
        for (int i = -warm; i < reps; i++) {
            RangeFrameAllocator frames = new RangeFrameAllocator(mem, 0, 4 << 20);
            PageTable64 pt = PageTable64.create(mem, frames);
            long t0 = System.nanoTime();
            pt.mapRegion(base, va -> va - base + 0x1_0000_0000L, GIB, RW, false);
            long t1 = System.nanoTime();
            long acc = 0;
            for (long p = 0; p < PAGES; p++) {
                Translation t = pt.query(base + (p << 12));
                acc += t.paddr();
            }
            long t2 = System.nanoTime();
            pt.unmapRegion(base, GIB);
            long t3 = System.nanoTime();
            sink += acc + frames.allocatedCount();
            pt.close();
            if (i >= 0) {
                map[i] = t1 - t0;
                query[i] = t2 - t1;
                unmap[i] = t3 - t2;
            }
        }

        System.out.printf("boot tables, 64 GiB identity with 1 GiB pages: median %.1f us (min %.1f us) over %d runs%n",
                median(boot) / 1e3, min(boot) / 1e3, reps);
        // The min as well: on a loaded machine a run of a few ms is often preempted for a whole
        // scheduler period, and the median then measures the run queue rather than the code.
        System.out.printf("mapRegion 1 GiB with 4 KiB pages (%d leaves): median %.2f ns/page (%.2f ms), min %.2f ns/page%n",
                PAGES, median(map) / (double) PAGES, median(map) / 1e6, min(map) / (double) PAGES);
        System.out.printf("query every page of it:                    median %.2f ns/page (%.2f ms), min %.2f ns/page%n",
                median(query) / (double) PAGES, median(query) / 1e6, min(query) / (double) PAGES);
        System.out.printf("unmapRegion 1 GiB of 4 KiB pages:          median %.2f ns/page (%.2f ms), min %.2f ns/page%n",
                median(unmap) / (double) PAGES, median(unmap) / 1e6, min(unmap) / (double) PAGES);
        if (sink == 42) {
            System.out.println();
        }
    }

    private static long median(long[] xs) {
        long[] c = xs.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static long min(long[] xs) {
        return Arrays.stream(xs).min().orElse(0);
    }
}
