package io.minivmm.vmm.paging;

import static io.minivmm.vmm.paging.MappingFlags.EXECUTE;
import static io.minivmm.vmm.paging.MappingFlags.READ;
import static io.minivmm.vmm.paging.MappingFlags.USER;
import static io.minivmm.vmm.paging.MappingFlags.WRITE;
import static io.minivmm.vmm.paging.PageSize.SIZE_1G;
import static io.minivmm.vmm.paging.PageSize.SIZE_2M;
import static io.minivmm.vmm.paging.PageSize.SIZE_4K;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class PageTable64Test {
    private static final MappingFlags RW = MappingFlags.of(READ, WRITE);
    private static final MappingFlags RWX = MappingFlags.of(READ, WRITE, EXECUTE);

    private final TestMemory tm = new TestMemory(16 << 20);

    private static PagingError.Kind fails(Executable call) {
        return assertThrows(PagingError.class, call).kind();
    }

    /** Leaf sizes in walk order. */
    private static List<PageSize> leaves(PageTable64 pt) {
        List<PageSize> out = new ArrayList<>();
        pt.walk(512, (level, index, va, e) -> {
            if (level == 3 || (level > 0 && X86Pte.isHuge(e))) {
                out.add(PageSize.ofLevel(level));
            }
        }, null);
        return out;
    }

    // ------------------------------------------------------------ SPEC §2 conformance

    @Test
    void conformanceMapThenQuery() throws Exception {
        try (PageTable64 pt = tm.table()) {
            assertEquals(0, pt.rootPaddr() & 0xfff);
            pt.map(0xdead_beef_000L, 0x2000, SIZE_4K, RW);
            assertEquals(new Translation(0x2000, RW, SIZE_4K), pt.query(0xdead_beef_000L));
            assertEquals(new Translation(0x2abc, RW, SIZE_4K), pt.query(0xdead_beef_abcL));
        }
    }

    @Test
    void conformanceMapRegionTwo2MLeaves() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.mapRegion(0x20_0000, va -> va, 0x40_0000, RW, true);
            assertEquals(List.of(SIZE_2M, SIZE_2M), leaves(pt));
            assertEquals(new Translation(0x20_0000, RW, SIZE_2M), pt.query(0x20_0000));
            assertEquals(new Translation(0x5f_ffff, RW, SIZE_2M), pt.query(0x5f_ffff));
        }
    }

    @Test
    void conformanceMapRegionOnePageLater() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.mapRegion(0x20_1000, va -> va, 0x40_0000, RW, true);
            List<PageSize> l = leaves(pt);
            assertEquals(513, l.size());
            for (int i = 0; i < 511; i++) {
                assertEquals(SIZE_4K, l.get(i), "leaf " + i);
            }
            assertEquals(SIZE_2M, l.get(511));
            assertEquals(SIZE_4K, l.get(512));
            assertEquals(SIZE_4K, pt.query(0x3f_f000).size());
            assertEquals(SIZE_2M, pt.query(0x40_0000).size());
            assertEquals(new Translation(0x60_0000, RW, SIZE_4K), pt.query(0x60_0000));
            assertNull(pt.find(0x60_1000));
            assertNull(pt.find(0x20_0000));
        }
    }

    @Test
    void conformanceMapTwiceIsAlreadyMapped() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x1000, 0x5000, SIZE_4K, RW);
            assertEquals(PagingError.Kind.ALREADY_MAPPED, fails(() -> pt.map(0x1000, 0x6000, SIZE_4K, READ)));
            assertEquals(new Translation(0x5000, RW, SIZE_4K), pt.query(0x1000));
        }
    }

    @Test
    void conformance4KInside2MIsMappedToHugePage() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x20_0000, 0x40_0000, SIZE_2M, RW);
            assertEquals(PagingError.Kind.MAPPED_TO_HUGE_PAGE, fails(() -> pt.map(0x20_3000, 0x1000, SIZE_4K, RW)));
            pt.map(0x4000_0000L, 0, SIZE_1G, RW);
            assertEquals(PagingError.Kind.MAPPED_TO_HUGE_PAGE, fails(() -> pt.map(0x4020_0000L, 0, SIZE_2M, RW)));
        }
    }

    @Test
    void conformanceRandom2048OpsReturnEveryTableFrame() throws Exception {
        Random rnd = new Random(2048);
        PageTable64 pt = tm.table();
        List<Long> mapped = new ArrayList<>();
        Map<Long, Long> expect = new HashMap<>();
        for (int op = 0; op < 2048; op++) {
            if (mapped.isEmpty() || rnd.nextInt(4) != 0) {
                long va;
                do {
                    va = (rnd.nextLong() & 0x0000_7fff_ffff_f000L);
                } while (expect.containsKey(va));
                long pa = rnd.nextLong() & 0x000f_ffff_ffff_f000L;
                pt.map(va, pa, SIZE_4K, RW);
                mapped.add(va);
                expect.put(va, pa);
            } else {
                long va = mapped.remove(rnd.nextInt(mapped.size()));
                Translation t = pt.unmap(va);
                assertEquals((long) expect.remove(va), t.paddr());
                assertEquals(SIZE_4K, t.size());
            }
        }
        for (Map.Entry<Long, Long> e : expect.entrySet()) {
            assertEquals((long) e.getValue(), pt.query(e.getKey()).paddr());
        }
        // Count the tables the walk sees: every one of them must come back on close.
        int[] tables = {1};
        pt.walk(512, (level, index, va, e) -> {
            if (level < 3) {
                tables[0]++;
            }
        }, null);
        assertEquals(tables[0], tm.frames.allocatedCount());
        assertTrue(tables[0] > 1000, "a random spread must need many tables");
        pt.close();
        assertEquals(0, tm.frames.allocatedCount());
    }

    // ------------------------------------------------------------ map / remap / protect / unmap

    @Test
    void mapAlignsDownAndBuildsTables() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x20_1234, 0x40_5678, SIZE_2M, READ);
            assertEquals(new Translation(0x40_1234, READ, SIZE_2M), pt.query(0x20_1234));
            assertEquals(3, tm.frames.allocatedCount()); // PML4, PDPT, PD
        }
    }

    @Test
    void hugePageWhereTableExistsIsAlreadyMapped() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x20_0000, 0x1000, SIZE_4K, RW);
            pt.unmap(0x20_0000);
            assertEquals(PagingError.Kind.ALREADY_MAPPED, fails(() -> pt.map(0x20_0000, 0, SIZE_2M, RW)));
            assertEquals(PagingError.Kind.ALREADY_MAPPED, fails(() -> pt.map(0, 0, SIZE_1G, RW)));
        }
    }

    @Test
    void mapOutOfFramesChangesNothing() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x1000, 0x1000, SIZE_4K, RW);
            List<String> before = TestMemory.snapshot(pt);
            long count = tm.frames.allocatedCount();
            tm.failing.budget = 2; // needs PDPT, PD and PT for the next one
            assertEquals(PagingError.Kind.NO_MEMORY, fails(() -> pt.map(0x80_0000_0000L, 0x2000, SIZE_4K, RW)));
            assertEquals(before, TestMemory.snapshot(pt));
            assertEquals(count, tm.frames.allocatedCount());
        }
    }

    @Test
    void remapReplacesFrameAndFlags() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x20_0000, 0x40_0000, SIZE_2M, RW);
            assertEquals(SIZE_2M, pt.remap(0x20_0000, 0x80_0000, READ));
            assertEquals(new Translation(0x80_0010, READ, SIZE_2M), pt.query(0x20_0010));
            assertEquals(PagingError.Kind.NOT_MAPPED, fails(() -> pt.remap(0x4000_0000L, 0, READ)));
            pt.map(0x60_0000, 0x1000, SIZE_4K, RW);
            // an unused slot of an existing PT is filled
            assertEquals(SIZE_4K, pt.remap(0x60_1000, 0x9000, READ));
            assertEquals(new Translation(0x9000, READ, SIZE_4K), pt.query(0x60_1000));
        }
    }

    @Test
    void protectKeepsAddressAndUnmapReturnsIt() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x3000, 0x7000, SIZE_4K, RWX);
            assertEquals(SIZE_4K, pt.protect(0x3000, READ));
            assertEquals(new Translation(0x7000, READ, SIZE_4K), pt.query(0x3000));
            assertEquals(PagingError.Kind.NOT_MAPPED, fails(() -> pt.protect(0x4000, READ)));
            assertEquals(new Translation(0x7000, READ, SIZE_4K), pt.unmap(0x3000));
            assertEquals(PagingError.Kind.NOT_MAPPED, fails(() -> pt.unmap(0x3000)));
            assertEquals(PagingError.Kind.NOT_MAPPED, fails(() -> pt.query(0x3000)));
        }
    }

    @Test
    void emptyFlagsLeafIsInUseButNotPresent() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x5000, 0, SIZE_4K, MappingFlags.EMPTY);
            assertEquals(new Translation(0, MappingFlags.EMPTY, SIZE_4K), pt.query(0x5000));
            assertEquals(PagingError.Kind.ALREADY_MAPPED, fails(() -> pt.map(0x5000, 0, SIZE_4K, RW)));
            pt.protect(0x5000, RW);
            assertEquals(RW, pt.query(0x5000).flags());
        }
    }

    @Test
    void nonCanonicalAndOversizedAddressesRejected() throws Exception {
        try (PageTable64 pt = tm.table()) {
            assertEquals(PagingError.Kind.INVALID_ARGUMENT, fails(() -> pt.map(0x0000_8000_0000_0000L, 0, SIZE_4K, RW)));
            assertEquals(PagingError.Kind.INVALID_ARGUMENT, fails(() -> pt.map(0x1000, 1L << 52, SIZE_4K, RW)));
            assertNull(pt.find(0x0000_8000_0000_0000L));
        }
    }

    // ------------------------------------------------------------ mapRegion

    @Test
    void mapRegionChecksAlignmentOverflowAndAcceptsZero() throws Exception {
        try (PageTable64 pt = tm.table()) {
            assertEquals(PagingError.Kind.NOT_ALIGNED, fails(() -> pt.mapRegion(0x1001, va -> va, 0x1000, RW, false)));
            assertEquals(PagingError.Kind.NOT_ALIGNED, fails(() -> pt.mapRegion(0x1000, va -> va, 0x1001, RW, false)));
            assertEquals(PagingError.Kind.INVALID_ARGUMENT,
                    fails(() -> pt.mapRegion(0xffff_ffff_ffff_f000L, va -> 0, 0x2000, RW, false)));
            assertEquals(PagingError.Kind.INVALID_ARGUMENT,
                    fails(() -> pt.mapRegion(0x7fff_ffff_f000L, va -> 0, 0x2000, RW, false)));
            pt.mapRegion(0x1000, va -> va, 0, RW, false);
            assertEquals(1, tm.frames.allocatedCount());
            // the very last page of the address space is mappable
            pt.mapRegion(0xffff_ffff_ffff_f000L, va -> 0x1000, 0x1000, RW, false);
            assertEquals(0x1000, pt.query(0xffff_ffff_ffff_ffffL).paddr() & ~0xfffL);
        }
    }

    @Test
    void mapRegionUses1GWhenAligned() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.mapRegion(0x4000_0000L, va -> va + 0x4000_0000L, 0x8020_0000L, RW, true);
            assertEquals(List.of(SIZE_1G, SIZE_1G, SIZE_2M), leaves(pt));
            assertEquals(0x8000_1234L, pt.query(0x4000_1234L).paddr());
        }
    }

    @Test
    void mapRegionRollsBackOnConflict() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x40_3000, 0x1000, SIZE_4K, RW);
            List<String> before = TestMemory.snapshot(pt);
            long count = tm.frames.allocatedCount();
            // starts in an empty 1G range, crosses into the PT that holds 0x40_3000
            assertEquals(PagingError.Kind.ALREADY_MAPPED,
                    fails(() -> pt.mapRegion(0x3f_0000, va -> va, 0x10_0000, RW, true)));
            assertEquals(before, TestMemory.snapshot(pt));
            assertEquals(count, tm.frames.allocatedCount());
            assertEquals(PagingError.Kind.ALREADY_MAPPED,
                    fails(() -> pt.mapRegion(0x20_0000, va -> va, 0x20_4000, RW, false)));
            assertEquals(before, TestMemory.snapshot(pt));
            assertEquals(count, tm.frames.allocatedCount());
        }
    }

    @Test
    void mapRegionRollsBackOnNoMemory() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x1000, 0x1000, SIZE_4K, RW);
            List<String> before = TestMemory.snapshot(pt);
            long count = tm.frames.allocatedCount();
            tm.failing.budget = 3;
            assertEquals(PagingError.Kind.NO_MEMORY,
                    fails(() -> pt.mapRegion(0x2000, va -> va, 0x80_0000, RW, false)));
            assertEquals(before, TestMemory.snapshot(pt));
            assertEquals(count, tm.frames.allocatedCount());
        }
    }

    @Test
    void mapRegionRollsBackWhenTheFunctionFails() throws Exception {
        try (PageTable64 pt = tm.table()) {
            List<String> before = TestMemory.snapshot(pt);
            assertThrows(IllegalStateException.class, () -> pt.mapRegion(0x1000, va -> {
                if (va == 0x5000) {
                    throw new IllegalStateException("no frame");
                }
                return va;
            }, 0x10000, RW, false));
            assertEquals(before, TestMemory.snapshot(pt));
            assertEquals(1, tm.frames.allocatedCount());
            assertEquals(PagingError.Kind.NOT_ALIGNED,
                    fails(() -> pt.mapRegion(0x1000, va -> va + 1, 0x1000, RW, false)));
            assertEquals(before, TestMemory.snapshot(pt));
        }
    }

    // ------------------------------------------------------------ unmapRegion / protectRegion

    @Test
    void unmapRegionSplits2M() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x20_0000, 0x60_0000, SIZE_2M, RWX);
            pt.unmapRegion(0x20_5000, 0x2000);
            assertNull(pt.find(0x20_5000));
            assertNull(pt.find(0x20_6fff));
            assertEquals(new Translation(0x60_4000, RWX, SIZE_4K), pt.query(0x20_4000));
            assertEquals(new Translation(0x60_7000, RWX, SIZE_4K), pt.query(0x20_7000));
            assertEquals(new Translation(0x7f_f000, RWX, SIZE_4K), pt.query(0x3f_f000));
            assertEquals(510, leaves(pt).size());
        }
    }

    @Test
    void unmapRegionSplits1GDownTo4K() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x4000_0000L, 0x8000_0000L, SIZE_1G, RW);
            pt.unmapRegion(0x4030_1000L, 0x1000);
            assertNull(pt.find(0x4030_1000L));
            assertEquals(new Translation(0x8030_0000L, RW, SIZE_4K), pt.query(0x4030_0000L));
            assertEquals(new Translation(0x8000_0000L, RW, SIZE_2M), pt.query(0x4000_0000L));
            assertEquals(new Translation(0xbfe0_0000L, RW, SIZE_2M), pt.query(0x7fe0_0000L));
            assertEquals(511 + 511, leaves(pt).size());
        }
    }

    @Test
    void unmapRegionWithHoleChangesNothing() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x20_0000, 0x60_0000, SIZE_2M, RW);
            pt.map(0x40_1000, 0x1000, SIZE_4K, RW);
            List<String> before = TestMemory.snapshot(pt);
            // cuts the 2M page, then finds a hole at 0x40_0000
            assertEquals(PagingError.Kind.NOT_MAPPED, fails(() -> pt.unmapRegion(0x3f_0000, 0x12000)));
            assertEquals(before, TestMemory.snapshot(pt));
        }
    }

    @Test
    void unmapRegionNoMemoryForSplitChangesNothing() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x4000_0000L, 0, SIZE_1G, RW);
            List<String> before = TestMemory.snapshot(pt);
            long count = tm.frames.allocatedCount();
            tm.failing.budget = 1; // 1G -> 2M succeeds, 2M -> 4K fails
            assertEquals(PagingError.Kind.NO_MEMORY, fails(() -> pt.unmapRegion(0x4000_1000L, 0x1000)));
            assertEquals(before, TestMemory.snapshot(pt));
            assertEquals(count, tm.frames.allocatedCount());
        }
    }

    @Test
    void protectRegionSplitsAndSetsFlags() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.mapRegion(0, va -> va, 0x60_0000, RWX, true); // three 2M pages
            pt.protectRegion(0x1f_f000, 0x20_2000, READ);
            assertEquals(new Translation(0x1f_e000, RWX, SIZE_4K), pt.query(0x1f_e000));
            assertEquals(new Translation(0x1f_f000, READ, SIZE_4K), pt.query(0x1f_f000));
            assertEquals(new Translation(0x30_0000, READ, SIZE_2M), pt.query(0x30_0000));
            assertEquals(new Translation(0x40_0000, READ, SIZE_4K), pt.query(0x40_0000));
            assertEquals(new Translation(0x40_1000, RWX, SIZE_4K), pt.query(0x40_1000));
            List<String> before = TestMemory.snapshot(pt);
            // would split the 2M page at 0x20_0000, but 0x60_0000 is a hole
            assertEquals(PagingError.Kind.NOT_MAPPED, fails(() -> pt.protectRegion(0x30_0000, 0x40_0000, EXECUTE)));
            assertEquals(before, TestMemory.snapshot(pt));
            assertEquals(new Translation(0x30_0000, READ, SIZE_2M), pt.query(0x30_0000));
            assertEquals(RWX, pt.query(0x50_0000).flags());
        }
    }

    // ------------------------------------------------------------ walk, copyFrom, close

    /** Issue 15, defect 5: walk visits present entries only; IN_USE is the named option for more. */
    @Test
    void walkVisitsPresentEntriesUnlessAskedForAllInUse() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0x5000, 0x7000, SIZE_4K, MappingFlags.EMPTY);
            pt.map(0x6000, 0x8000, SIZE_4K, RW);
            List<Long> present = new ArrayList<>();
            pt.walk(512, (level, index, va, e) -> {
                if (level == 3) {
                    present.add(va);
                }
            }, null);
            assertEquals(List.of(0x6000L), present);
            List<Long> inUse = new ArrayList<>();
            pt.walk(PageTable64.WalkEntries.IN_USE, 512, (level, index, va, e) -> {
                if (level == 3) {
                    inUse.add(va);
                }
            }, null);
            assertEquals(List.of(0x5000L, 0x6000L), inUse);
        }
    }

    @Test
    void walkSignExtendsAndHonoursLimit() throws Exception {
        try (PageTable64 pt = tm.table()) {
            pt.map(0xffff_8000_0000_0000L, 0x1000, SIZE_4K, RW);
            pt.map(0xffff_ffff_ffff_f000L, 0x2000, SIZE_4K, RW);
            pt.map(0x1000, 0x3000, SIZE_4K, RW);
            List<Long> leafVas = new ArrayList<>();
            List<Integer> postLevels = new ArrayList<>();
            pt.walk(512, (level, index, va, e) -> {
                if (level == 3) {
                    leafVas.add(va);
                }
            }, (level, index, va, e) -> postLevels.add(level));
            assertEquals(List.of(0x1000L, 0xffff_8000_0000_0000L, 0xffff_ffff_ffff_f000L), leafVas);
            assertEquals(3, postLevels.get(0)); // post runs after the children
            List<Integer> roots = new ArrayList<>();
            pt.walk(1, (level, index, va, e) -> {
                if (level == 0) {
                    roots.add(index);
                }
            }, null);
            assertEquals(List.of(0), roots);
        }
    }

    @Test
    void copyFromSharesAndNeverFreesBorrowed() throws Exception {
        PageTable64 kernel = tm.table();
        kernel.mapRegion(0xffff_8000_0000_0000L, va -> va & 0xfff_ffffL, 0x40_0000, RW, false);
        long kernelFrames = tm.frames.allocatedCount();
        PageTable64 user = tm.table();
        user.map(0x1000, 0x9000, SIZE_4K, MappingFlags.of(READ, USER));
        user.copyFrom(kernel, 0xffff_8000_0000_0000L, 0x0000_8000_0000_0000L);
        assertEquals(0x12_3456, user.query(0xffff_8000_0012_3456L).paddr());
        // a change through the shared subtree is seen by both
        kernel.unmap(0xffff_8000_0000_1000L);
        assertNull(user.find(0xffff_8000_0000_1000L));
        // own entries in range refuse to be shadowed
        PageTable64 other = tm.table();
        other.map(0xffff_8000_0000_0000L, 0, SIZE_4K, RW);
        assertEquals(PagingError.Kind.ALREADY_MAPPED,
                fails(() -> other.copyFrom(kernel, 0xffff_8000_0000_0000L, 0x1000)));
        other.close();
        user.close();
        assertEquals(kernelFrames, tm.frames.allocatedCount());
        assertEquals(0x12_3456, kernel.query(0xffff_8000_0012_3456L).paddr());
        kernel.close();
        assertEquals(0, tm.frames.allocatedCount());
    }

    @Test
    void closeFreesTablesOnceAndForbidsUse() throws Exception {
        PageTable64 pt = tm.table();
        pt.mapRegion(0, va -> va, 0x4000_0000L + 0x20_0000 + 0x3000, RW, true);
        pt.unmapRegion(0x4000_0000L, 0x1000);
        assertTrue(tm.frames.allocatedCount() > 3);
        pt.close();
        assertEquals(0, tm.frames.allocatedCount());
        pt.close();
        assertThrows(IllegalStateException.class, () -> pt.query(0));
    }

    // ------------------------------------------------------------ codec

    @Test
    void codecFollowsTheSpec() {
        assertEquals(0, X86Pte.fromFlags(MappingFlags.EMPTY));
        assertEquals(X86Pte.P | X86Pte.NX, X86Pte.fromFlags(READ));
        assertEquals(X86Pte.P | X86Pte.RW, X86Pte.fromFlags(RWX));
        assertEquals(X86Pte.P | X86Pte.US | X86Pte.NX, X86Pte.fromFlags(MappingFlags.of(READ, USER)));
        assertEquals(X86Pte.P | X86Pte.NX | X86Pte.PCD | X86Pte.PWT, X86Pte.fromFlags(MappingFlags.of(READ, MappingFlags.DEVICE)));
        assertEquals(X86Pte.P | X86Pte.NX | X86Pte.PCD | X86Pte.PWT, X86Pte.fromFlags(MappingFlags.of(READ, MappingFlags.UNCACHED)));
        assertEquals(MappingFlags.EMPTY, X86Pte.toFlags(X86Pte.RW | X86Pte.US));
        assertEquals(MappingFlags.of(READ, WRITE, EXECUTE, USER, MappingFlags.UNCACHED),
                X86Pte.toFlags(X86Pte.P | X86Pte.RW | X86Pte.US | X86Pte.PCD));
        assertEquals(READ, X86Pte.toFlags(X86Pte.P | X86Pte.NX));
        assertEquals(0x7, X86Pte.TABLE);
        assertEquals(0x000f_ffff_ffff_f000L, X86Pte.ADDR_MASK);
        assertEquals(1L << 63, X86Pte.NX);
        assertEquals(0x80, X86Pte.PS);
    }

    @Test
    void flagsBitValues() {
        assertEquals(1, READ.bits());
        assertEquals(2, WRITE.bits());
        assertEquals(4, EXECUTE.bits());
        assertEquals(8, USER.bits());
        assertEquals(16, MappingFlags.DEVICE.bits());
        assertEquals(32, MappingFlags.UNCACHED.bits());
        assertEquals("READ|WRITE", RW.toString());
        assertThrows(IllegalArgumentException.class, () -> new MappingFlags(64));
    }
}
