package io.minivmm.vmm.paging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * memory_set's own tests, restated: a mock backend records the flags of every byte in an array,
 * so area bookkeeping is tested at byte granularity, independent of real page tables.
 */
class MemorySetTest {
    private static final int MAX_ADDR = 0x10000;

    /** One int of flags per byte address; operations fail on double map / unmapping a hole. */
    private record MockBackend(int[] pt) implements Backend {
        @Override
        public void map(long start, long size, MappingFlags flags, PageTable64 t, FrameAllocator f) throws PagingError {
            for (long a = start; a < start + size; a++) {
                if (pt[(int) a] != 0) {
                    throw new PagingError(PagingError.Kind.ALREADY_MAPPED, "mock " + a);
                }
            }
            for (long a = start; a < start + size; a++) {
                pt[(int) a] = flags.bits();
            }
        }

        @Override
        public void unmap(long start, long size, PageTable64 t, FrameAllocator f) throws PagingError {
            for (long a = start; a < start + size; a++) {
                if (pt[(int) a] == 0) {
                    throw new PagingError(PagingError.Kind.NOT_MAPPED, "mock " + a);
                }
                pt[(int) a] = 0;
            }
        }

        @Override
        public void protect(long start, long size, MappingFlags flags, PageTable64 t) throws PagingError {
            for (long a = start; a < start + size; a++) {
                if (pt[(int) a] == 0) {
                    throw new PagingError(PagingError.Kind.NOT_MAPPED, "mock " + a);
                }
                pt[(int) a] = flags.bits();
            }
        }

        @Override
        public boolean handlePageFault(long va, MappingFlags flags, PageTable64 t, FrameAllocator f) {
            return false;
        }
    }

    private final int[] pt = new int[MAX_ADDR];
    private final MockBackend mock = new MockBackend(pt);
    private MemorySet set;

    @BeforeEach
    void setUp() throws Exception {
        TestMemory tm = new TestMemory(1 << 20);
        set = new MemorySet(tm.table(), tm.frames);
    }

    private MemoryArea area(long start, long size, int flags) {
        return new MemoryArea(start, size, new MappingFlags(flags), mock);
    }

    private AddressSpaceError.Kind fails(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(AddressSpaceError.class, call).kind();
    }

    @Test
    void conformanceMapUnmap() throws Exception {
        for (long s = 0; s < MAX_ADDR; s += 0x2000) {
            set.map(area(s, 0x1000, 1), false);
        }
        for (long s = 0x1000; s < MAX_ADDR; s += 0x2000) {
            set.map(area(s, 0x1000, 2), false);
        }
        assertEquals(16, set.size());
        for (int a = 0; a < MAX_ADDR; a++) {
            assertEquals(((a >> 12) & 1) == 0 ? 1 : 2, pt[a]);
        }
        MemoryArea found = set.find(0x4100).orElseThrow();
        assertEquals(0x4000, found.start());
        assertEquals(0x5000, found.end());
        assertEquals(1, found.flags().bits());
        assertEquals(1, pt[0x4200]);

        assertEquals(AddressSpaceError.Kind.ALREADY_EXISTS, fails(() -> set.map(area(0x4000, 0x4000, 3), false)));
        assertEquals(16, set.size());
        set.map(area(0x4000, 0x4000, 3), true);
        assertEquals(13, set.size());
        found = set.find(0x4100).orElseThrow();
        assertEquals(0x4000, found.start());
        assertEquals(0x8000, found.end());
        assertEquals(3, found.flags().bits());
        assertEquals(3, pt[0x4200]);

        set.unmap(0x4000, 0x8000);
        assertEquals(8, set.size());
        for (int a = 0x4000; a < 0xc000; a++) {
            assertEquals(0, pt[a]);
        }
        assertTrue(set.find(0x4000).isEmpty());

        set.unmap(0, MAX_ADDR * 2);
        assertEquals(0, set.size());
        for (int a = 0; a < MAX_ADDR; a++) {
            assertEquals(0, pt[a]);
        }
    }

    @Test
    void conformanceUnmapSplit() throws Exception {
        for (long s = 0; s < MAX_ADDR; s += 0x2000) {
            set.map(area(s, 0x1000, 1), false);
        }
        assertEquals(8, set.size());
        for (long s = 0; s < MAX_ADDR; s += 0x2000) {
            set.unmap(s + 0xc00, 0x1800);
        }
        assertEquals(8, set.size());
        for (MemoryArea a : set.areas()) {
            if (a.start() == 0) {
                assertEquals(0xc00, a.size());
            } else {
                assertEquals(0x400, a.start() % 0x2000);
                assertEquals(0x800, a.size());
            }
        }
        for (int a = 0; a < MAX_ADDR; a++) {
            int off = a % 0x2000;
            boolean mapped = a < 0xc00 || (a >= 0x2000 && off >= 0x400 && off < 0xc00);
            assertEquals(mapped ? 1 : 0, pt[a], "byte " + a);
        }
        for (long s = 0; s < MAX_ADDR; s += 0x2000) {
            set.unmap(s + 0x800, 0x100);
        }
        assertEquals(16, set.size());
        for (MemoryArea a : set.areas()) {
            long off = a.start() % 0x2000;
            if (off == 0) {
                assertEquals(0x800, a.size());
            } else if (off == 0x400) {
                assertEquals(0x400, a.size());
            } else {
                assertEquals(0x900, off);
                assertEquals(0x300, a.size());
            }
        }
        for (int a = 0; a < MAX_ADDR; a++) {
            int off = a % 0x2000;
            boolean mapped = (a < 0xc00 || (a >= 0x2000 && off >= 0x400 && off < 0xc00)) && !(off >= 0x800 && off < 0x900);
            assertEquals(mapped ? 1 : 0, pt[a], "byte " + a);
        }
    }

    @Test
    void conformanceFindFreeArea() throws Exception {
        for (long s = 0; s < MAX_ADDR; s += 0x2000) {
            set.map(area(s, 0x1000, 1), false);
        }
        assertEquals(OptionalLong.of(0x1000), set.findFreeArea(0, 0x1000, 0, MAX_ADDR, 1));
        assertEquals(OptionalLong.of(0x1000), set.findFreeArea(0x800, 0x800, 0, MAX_ADDR, 0x800));
        assertEquals(OptionalLong.of(0x1800), set.findFreeArea(0x1800, 0x800, 0, MAX_ADDR, 0x800));
        assertEquals(OptionalLong.of(0x3000), set.findFreeArea(0x1800, 0x1000, 0, MAX_ADDR, 0x1000));
        assertEquals(OptionalLong.of(0x3000), set.findFreeArea(0x2000, 0x1000, 0, MAX_ADDR, 0x1000));
        assertEquals(OptionalLong.of(0xf000), set.findFreeArea(0xf000, 0x1000, 0, MAX_ADDR, 0x1000));
        assertEquals(OptionalLong.empty(), set.findFreeArea(0xf001, 0x1000, 0, MAX_ADDR, 0x1000));
        // nothing between areas is big enough
        assertEquals(OptionalLong.empty(), set.findFreeArea(0, 0x1001, 0, MAX_ADDR, 1));
        assertEquals(OptionalLong.of(0xf000), set.findFreeArea(0, 0x1001, 0, MAX_ADDR + 0x1, 1));
    }

    /** Issue 15, defect 1: the area right after the bumped candidate was not looked at. */
    @Test
    void findFreeAreaLooksAtTheAreaAfterTheAlignedCandidate() throws Exception {
        set.map(area(0, 0x5000, 1), false);
        set.map(area(0x5000, 0x2000, 1), false);
        assertEquals(OptionalLong.of(0x8000), set.findFreeArea(0x1000, 0x2000, 0, MAX_ADDR, 0x2000));
    }

    /** Issue 15, defect 2: aligning the end of the area before the hint up past 2^64 gave 0. */
    @Test
    void findFreeAreaNeverWrapsBelowTheHint() throws Exception {
        MemorySet high = new MemorySet(set.pageTable(), null);
        high.map(new MemoryArea(0x1000, 0x1000, MappingFlags.READ, NOP), false);
        high.map(new MemoryArea(0xffff_ffff_fffe_f000L, 0x1800, MappingFlags.READ, NOP), false);
        long hint = 0xffff_ffff_ffff_0000L;
        assertEquals(OptionalLong.empty(), high.findFreeArea(hint, 0x1000, 0, -1L, 0x10000));
        assertEquals(OptionalLong.empty(), high.findFreeArea(hint, 0x1000, 0, -1L, 0x1_0000_0000L));
        assertEquals(OptionalLong.empty(), high.findFreeArea(0xffff_ffff_ffff_f001L, 0x10, 0, -1L, 0x1000));
        assertEquals(OptionalLong.of(0xffff_ffff_ffff_1000L), high.findFreeArea(hint, 0x1000, 0, -1L, 0x1000));
    }

    /** A backend that does nothing, for bookkeeping tests at addresses no array can hold. */
    private static final Backend NOP = new Backend() {
        @Override
        public void map(long start, long size, MappingFlags flags, PageTable64 t, FrameAllocator f) {
        }

        @Override
        public void unmap(long start, long size, PageTable64 t, FrameAllocator f) {
        }

        @Override
        public void protect(long start, long size, MappingFlags flags, PageTable64 t) {
        }

        @Override
        public boolean handlePageFault(long va, MappingFlags flags, PageTable64 t, FrameAllocator f) {
            return false;
        }
    };

    /**
     * Seeded random areas, hints, sizes, limits and alignments against a brute-force search:
     * every aligned candidate from the hint up, checked byte by byte. A window at the bottom and
     * one at the top of the address space (where aligning up can wrap past 2^64).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 15, 2024, 77777})
    void findFreeAreaMatchesBruteForce(long seed) throws Exception {
        final int window = 0x4000;
        Random rnd = new Random(seed);
        for (long base : new long[] {0, -window}) {
            for (int round = 0; round < 40; round++) {
                MemorySet s = new MemorySet(set.pageTable(), null);
                boolean[] used = new boolean[window];
                for (int i = rnd.nextInt(12); i > 0; i--) {
                    int start = rnd.nextInt(window - 1);
                    int size = 1 + rnd.nextInt(Math.min(0x800, window - 1 - start));
                    if (!s.overlaps(base + start, size)) {
                        s.map(new MemoryArea(base + start, size, MappingFlags.READ, NOP), false);
                        java.util.Arrays.fill(used, start, start + size, true);
                    }
                }
                for (int q = 0; q < 60; q++) {
                    int hint = rnd.nextInt(window);
                    int size = 1 + rnd.nextInt(rnd.nextBoolean() ? 0x100 : 0x1800);
                    long align = 1L << rnd.nextInt(rnd.nextInt(8) == 0 ? 40 : 14);
                    int limitStart = rnd.nextInt(4) == 0 ? rnd.nextInt(window) : 0;
                    // the top window's end is 2^64, which no area or range may reach
                    int limitEnd = rnd.nextInt(3) == 0 ? rnd.nextInt(window) : window - (base == 0 ? 0 : 1);
                    OptionalLong want = bruteForce(used, base, hint, size, limitStart, limitEnd, align);
                    OptionalLong got = s.findFreeArea(base + hint, size, base + limitStart, base + limitEnd, align);
                    assertEquals(want, got, String.format("seed %d base 0x%x hint 0x%x size 0x%x limits 0x%x..0x%x align 0x%x",
                            seed, base, hint, size, limitStart, limitEnd, align));
                }
            }
        }
    }

    private static OptionalLong bruteForce(boolean[] used, long base, int hint, int size, int limitStart, int limitEnd,
                                           long align) {
        for (long c = Math.max(hint, limitStart); c + size <= limitEnd; c++) {
            if (((base + c) & (align - 1)) != 0) {
                continue;
            }
            boolean free = true;
            for (int a = (int) c; a < c + size && free; a++) {
                free = !used[a];
            }
            if (free) {
                return OptionalLong.of(base + c);
            }
        }
        return OptionalLong.empty();
    }

    @Test
    void protectSplitsIntoThreeAndRecordsFlags() throws Exception {
        set.map(area(0x1000, 0x4000, 1), false);
        set.protect(0x2000, 0x1000, new MappingFlags(3));
        assertEquals(3, set.size());
        assertEquals(1, set.find(0x1000).orElseThrow().flags().bits());
        MemoryArea mid = set.find(0x2800).orElseThrow();
        assertEquals(0x2000, mid.start());
        assertEquals(0x1000, mid.size());
        assertEquals(3, mid.flags().bits());
        assertEquals(1, set.find(0x3000).orElseThrow().flags().bits());
        assertEquals(0x3000, set.find(0x3000).orElseThrow().start());
        assertEquals(3, pt[0x2fff]);
        assertEquals(1, pt[0x3000]);
        // an update that returns null leaves areas alone
        set.protect(0, 0x10000, old -> null);
        assertEquals(3, set.size());
    }

    @Test
    void invalidRangesAndBackendFailure() throws Exception {
        assertEquals(AddressSpaceError.Kind.INVALID_INPUT, fails(() -> set.map(area(0x1000, 0, 1), false)));
        assertEquals(AddressSpaceError.Kind.INVALID_INPUT, fails(() -> set.unmap(0xffff_ffff_ffff_f000L, 0x2000)));
        set.unmap(0x1000, 0); // size 0 is fine
        pt[0x5000] = 9; // something the set does not know about
        AddressSpaceError e = assertThrows(AddressSpaceError.class, () -> set.map(area(0x5000, 0x1000, 1), false));
        assertEquals(AddressSpaceError.Kind.BAD_STATE, e.kind());
        assertEquals(PagingError.Kind.ALREADY_MAPPED, ((PagingError) e.getCause()).kind());
        assertEquals(0, set.size());
    }

    /** Seeded random map/unmap/protect at byte granularity against a per-byte model. */
    @ParameterizedTest
    @ValueSource(longs = {7, 99, 31337})
    void randomOperationsKeepAreasAndBackendInStep(long seed) throws Exception {
        Random rnd = new Random(seed);
        int[] expect = new int[MAX_ADDR];
        int failures = 0;
        for (int op = 0; op < 3000; op++) {
            int start = rnd.nextInt(MAX_ADDR / 0x100) * 0x100;
            int size = (1 + rnd.nextInt(24)) * 0x100;
            if (start + size > MAX_ADDR) {
                size = MAX_ADDR - start;
            }
            int flags = 1 + rnd.nextInt(7);
            int kind = rnd.nextInt(10);
            if (kind < 5) {
                boolean overwrite = rnd.nextBoolean();
                boolean busy = false;
                for (int a = start; a < start + size; a++) {
                    busy |= expect[a] != 0;
                }
                if (busy && !overwrite) {
                    final int s0 = start;
                    final int z0 = size;
                    assertEquals(AddressSpaceError.Kind.ALREADY_EXISTS, fails(() -> set.map(area(s0, z0, flags), false)));
                    failures++;
                } else {
                    set.map(area(start, size, flags), overwrite);
                    java.util.Arrays.fill(expect, start, start + size, flags);
                }
            } else if (kind < 8) {
                set.unmap(start, size);
                java.util.Arrays.fill(expect, start, start + size, 0);
            } else {
                set.protect(start, size, new MappingFlags(flags));
                for (int a = start; a < start + size; a++) {
                    if (expect[a] != 0) {
                        expect[a] = flags;
                    }
                }
            }
            long prevEnd = 0;
            for (MemoryArea a : set.areas()) {
                assertTrue(a.size() > 0 && a.start() >= prevEnd, "sorted, disjoint, non-empty: " + a);
                prevEnd = a.end();
            }
            if (op % 50 == 0 || op == 2999) {
                for (int a = 0; a < MAX_ADDR; a++) {
                    assertEquals(expect[a], pt[a], "backend byte " + a + " after op " + op);
                    int recorded = set.find(a).map(x -> x.flags().bits()).orElse(0);
                    assertEquals(expect[a], recorded, "area flags at " + a + " after op " + op);
                }
            }
        }
        assertTrue(failures > 50, "collisions exercised: " + failures);
    }

    @Test
    void canAccessRange() throws Exception {
        set.map(area(0x1000, 0x1000, 3), false);
        set.map(area(0x2000, 0x1000, 1), false);
        set.map(area(0x4000, 0x1000, 3), false);
        assertTrue(set.canAccessRange(0x1000, 0x2000, MappingFlags.READ));
        assertFalse(set.canAccessRange(0x1000, 0x2000, MappingFlags.WRITE));
        assertTrue(set.canAccessRange(0x1800, 0x800, MappingFlags.WRITE));
        assertFalse(set.canAccessRange(0x2000, 0x3000, MappingFlags.READ)); // hole at 0x3000
        assertFalse(set.canAccessRange(0x800, 0x1000, MappingFlags.READ));
        assertTrue(set.canAccessRange(0x9000, 0, MappingFlags.READ));
    }
}
