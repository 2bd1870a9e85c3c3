package io.minivmm.vmm.paging;

import static io.minivmm.vmm.paging.MappingFlags.READ;
import static io.minivmm.vmm.paging.MappingFlags.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.memory.MemoryView;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.function.Executable;

class AddressSpaceTest {
    private static final MappingFlags RW = MappingFlags.of(READ, WRITE);

    /** Guest RAM 0..16 MiB; frames (tables and Alloc data) from 1..16 MiB. */
    private final TestMemory tm = new TestMemory(15 << 20);

    private AddressSpace space(long base, long size) throws PagingError {
        return AddressSpace.create(base, size, tm.mem, tm.failing);
    }

    private static AddressSpaceError.Kind fails(Executable call) {
        return assertThrows(AddressSpaceError.class, call).kind();
    }

    // ------------------------------------------------------------ SPEC §3 conformance

    @Test
    void conformanceLinearTranslates() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            as.mapLinear(0x18000, 0x10000, 0x8000, RW);
            assertEquals(OptionalLong.of(0x11000), as.translate(0x19000));
            assertEquals(OptionalLong.of(0x17fff), as.translate(0x1ffff));
            assertEquals(OptionalLong.empty(), as.translate(0x17fff));
        }
    }

    @Test
    void conformancePopulatedAllocGetsDistinctFrames() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            as.mapAlloc(0x10000, 0x2000, RW, true);
            long a = as.translate(0x10000).orElseThrow();
            long b = as.translate(0x11000).orElseThrow();
            assertNotEquals(a, b);
            assertTrue(tm.frames.isAllocated(a) && tm.frames.isAllocated(b));
        }
    }

    @Test
    void conformanceLazyAllocNeedsAFault() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            as.mapAlloc(0x10000, 0x2000, RW, false);
            assertEquals(OptionalLong.empty(), as.translate(0x10000));
            assertTrue(as.handlePageFault(0x10123, WRITE));
            long frame = as.translate(0x10000).orElseThrow();
            assertTrue(tm.frames.isAllocated(frame));
            assertEquals(OptionalLong.empty(), as.translate(0x11000));
        }
    }

    @Test
    void conformanceUnmapFreesFrames() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            long before = tm.frames.allocatedCount();
            as.mapAlloc(0x10000, 0x3000, RW, true);
            long a = as.translate(0x10000).orElseThrow();
            assertTrue(tm.frames.allocatedCount() >= before + 3);
            as.unmap(0x10000, 0x3000);
            assertFalse(tm.frames.isAllocated(a));
            assertEquals(OptionalLong.empty(), as.translate(0x10000));
            // only the tables the mapping needed remain, freed when the space closes
            assertEquals(before + 3, tm.frames.allocatedCount());
        }
        assertEquals(0, tm.frames.allocatedCount());
    }

    @Test
    void conformanceOutOfSpaceTranslatesToNothing() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            as.mapLinear(0x10000, 0x10000, 0x10000, RW);
            assertTrue(as.translate(0x10000).isPresent());
            assertEquals(OptionalLong.empty(), as.translate(0xffff));
            assertEquals(OptionalLong.empty(), as.translate(0x20000));
            assertEquals(OptionalLong.empty(), as.translate(-1L));
            assertEquals(AddressSpaceError.Kind.INVALID_INPUT, fails(() -> as.mapLinear(0x1f000, 0, 0x2000, RW)));
        }
    }

    // ------------------------------------------------------------ faults

    @Test
    void doubleFaultChangesNothingAndLeaksNothing() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            as.mapAlloc(0x10000, 0x4000, RW, false);
            assertTrue(as.handlePageFault(0x12000, READ));
            long frame = as.translate(0x12000).orElseThrow();
            as.write(0x12010, new byte[] {42});
            List<String> before = TestMemory.snapshot(as.pageTable());
            long count = tm.frames.allocatedCount();
            assertTrue(as.handlePageFault(0x12fff, WRITE));
            assertEquals(before, TestMemory.snapshot(as.pageTable()));
            assertEquals(count, tm.frames.allocatedCount());
            assertEquals(frame, as.translate(0x12000).orElseThrow());
            byte[] b = new byte[1];
            as.read(0x12010, b);
            assertEquals(42, b[0]);
        }
    }

    @Test
    void faultChecksAreaAndAccess() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            as.mapAlloc(0x10000, 0x1000, READ, false);
            as.mapLinear(0x11000, 0x11000, 0x1000, RW);
            assertFalse(as.handlePageFault(0x10000, WRITE));
            assertFalse(as.handlePageFault(0x18000, READ));
            assertFalse(as.handlePageFault(0x11000, READ)); // linear never faults
            assertTrue(as.handlePageFault(0x10000, READ));
            assertEquals(READ, as.pageTable().query(0x10000).flags());
        }
    }

    @Test
    void faultOutOfFramesMapsNothing() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            as.mapAlloc(0x10000, 0x1000, RW, false);
            long count = tm.frames.allocatedCount();
            tm.failing.budget = 0;
            assertFalse(as.handlePageFault(0x10000, READ));
            assertEquals(count, tm.frames.allocatedCount());
            assertEquals(OptionalLong.empty(), as.translate(0x10000));
        }
    }

    @Test
    void populateOutOfFramesRollsBackEverything() throws Exception {
        try (AddressSpace as = space(0, 0x4000_0000L)) {
            List<String> before = TestMemory.snapshot(as.pageTable());
            long count = tm.frames.allocatedCount();
            tm.failing.budget = 40; // 64 data frames + tables are needed
            AddressSpaceError e = assertThrows(AddressSpaceError.class, () -> as.mapAlloc(0x10_0000, 0x40000, RW, true));
            assertEquals(AddressSpaceError.Kind.BAD_STATE, e.kind());
            assertEquals(PagingError.Kind.NO_MEMORY, ((PagingError) e.getCause()).kind());
            assertEquals(count, tm.frames.allocatedCount());
            assertEquals(before, TestMemory.snapshot(as.pageTable()));
            assertTrue(as.areas().isEmpty());
            tm.failing.budget = 64; // data frames fit, the PT does not
            assertEquals(AddressSpaceError.Kind.BAD_STATE, fails(() -> as.mapAlloc(0x10_0000, 0x40000, RW, true)));
            assertEquals(count, tm.frames.allocatedCount());
            assertEquals(before, TestMemory.snapshot(as.pageTable()));
        }
    }

    @Test
    void lazyMapOutOfFramesForTablesRollsBack() throws Exception {
        try (AddressSpace as = space(0, 0x4000_0000L)) {
            List<String> before = TestMemory.snapshot(as.pageTable());
            long count = tm.frames.allocatedCount();
            tm.failing.budget = 3; // PDPT, PD, one PT; the range needs two PTs
            assertEquals(AddressSpaceError.Kind.BAD_STATE, fails(() -> as.mapAlloc(0x1f_f000, 0x2000, RW, false)));
            assertEquals(count, tm.frames.allocatedCount());
            assertEquals(before, TestMemory.snapshot(as.pageTable()));
            tm.failing.budget = 4;
            as.mapAlloc(0x1f_f000, 0x2000, RW, false);
            assertEquals(count + 4, tm.frames.allocatedCount());
            assertEquals(OptionalLong.empty(), as.translate(0x1f_f000));
        }
    }

    // ------------------------------------------------------------ protect, overwrite

    @Test
    void protectRecordsFlagsAndChangesTheTable() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            as.mapAlloc(0x10000, 0x4000, RW, false);
            as.handlePageFault(0x11000, WRITE);
            as.protect(0x11000, 0x2000, READ);
            assertEquals(3, as.areas().size());
            assertEquals(READ, as.find(0x12000).orElseThrow().flags());
            assertEquals(RW, as.find(0x13000).orElseThrow().flags());
            assertEquals(READ, as.pageTable().query(0x11000).flags());
            // the recorded flags govern later faults
            assertFalse(as.handlePageFault(0x12000, WRITE));
            assertTrue(as.handlePageFault(0x12000, READ));
            assertEquals(READ, as.pageTable().query(0x12000).flags());
            assertTrue(as.handlePageFault(0x13000, WRITE));
        }
    }

    @Test
    void protectLinearSplitsHugePages() throws Exception {
        try (AddressSpace as = space(0, 0x4000_0000L)) {
            as.mapLinear(0x20_0000, 0x20_0000, 0x40_0000, RW);
            assertEquals(PageSize.SIZE_2M, as.pageTable().query(0x20_0000).size());
            as.protect(0x20_1000, 0x1000, READ);
            assertEquals(new Translation(0x20_1000, READ, PageSize.SIZE_4K), as.pageTable().query(0x20_1000));
            assertEquals(new Translation(0x20_2000, RW, PageSize.SIZE_4K), as.pageTable().query(0x20_2000));
            assertEquals(new Translation(0x40_0000, RW, PageSize.SIZE_2M), as.pageTable().query(0x40_0000));
        }
    }

    @Test
    void overwriteUnmapsAndFreesTheOldFrames() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            as.mapAlloc(0x10000, 0x2000, RW, true);
            long old = as.translate(0x11000).orElseThrow();
            assertEquals(AddressSpaceError.Kind.ALREADY_EXISTS, fails(() -> as.mapLinear(0x11000, 0x5000, 0x2000, READ)));
            as.map(new MemoryArea(0x11000, 0x2000, READ, Backend.linear(0x11000 - 0x5000)), true);
            assertFalse(tm.frames.isAllocated(old));
            assertEquals(OptionalLong.of(0x5000), as.translate(0x11000));
            assertEquals(2, as.areas().size());
            assertEquals(0x1000, as.find(0x10000).orElseThrow().size());
        }
    }

    // ------------------------------------------------------------ access through the tables

    @Test
    void readWriteAcrossPages() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            as.mapAlloc(0x10000, 0x3000, RW, true);
            byte[] data = new byte[0x1800];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 7);
            }
            as.write(0x10c00, data);
            byte[] back = new byte[data.length];
            as.read(0x10c00, back);
            assertArrayEquals(data, back);
            // the second page really is another frame
            long f2 = as.translate(0x11000).orElseThrow();
            byte[] raw = new byte[4];
            tm.mem.read(f2, raw, 0, 4);
            assertArrayEquals(new byte[] {data[0x400], data[0x401], data[0x402], data[0x403]}, raw);
            assertEquals(AddressSpaceError.Kind.BAD_ADDRESS, fails(() -> as.read(0x12f00, new byte[0x200])));
            assertEquals(AddressSpaceError.Kind.INVALID_INPUT, fails(() -> as.read(0x1ff00, new byte[0x200])));
        }
    }

    @Test
    void unfaultedPageIsBadAddress() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            as.mapAlloc(0x10000, 0x2000, RW, false);
            as.handlePageFault(0x10000, READ);
            as.write(0x10ff0, new byte[0x10]);
            assertEquals(AddressSpaceError.Kind.BAD_ADDRESS, fails(() -> as.write(0x10ff0, new byte[0x20])));
            assertEquals(AddressSpaceError.Kind.BAD_ADDRESS, fails(() -> as.translatedBuffers(0x10ff0, 0x20)));
        }
    }

    @Test
    void translatedBuffersHugePageIsOneViewAndBoundedByArea() throws Exception {
        try (AddressSpace as = space(0, 0x4000_0000L)) {
            as.mapLinear(0x20_0000, 0x40_0000, 0x40_0000, RW);
            List<MemoryView> views = as.translatedBuffers(0x20_1000, 0x20_0000);
            assertEquals(2, views.size());
            assertEquals(0x1f_f000, views.get(0).size());
            assertEquals(0x1000, views.get(1).size());
            views.get(1).writeU8((byte) 0x5a, 0);
            byte[] b = new byte[1];
            tm.mem.read(0x60_0000, b, 0, 1);
            assertEquals(0x5a, b[0]);
            assertEquals(0x40_0000, as.translatedBuffers(0x20_0000, 0x40_0000).stream().mapToLong(MemoryView::size).sum());
            assertEquals(AddressSpaceError.Kind.BAD_ADDRESS, fails(() -> as.translatedBuffers(0x20_0000, 0x40_0001)));
            assertEquals(AddressSpaceError.Kind.BAD_ADDRESS, fails(() -> as.translatedBuffers(0x1000, 1)));
        }
    }

    // ------------------------------------------------------------ sharing, lifetime

    @Test
    void copyMappingsFromSharesTheKernelHalf() throws Exception {
        AddressSpace kernel = space(0xffff_8000_0000_0000L, 0x4000_0000L);
        kernel.mapLinear(0xffff_8000_0000_0000L, 0, 0x20_0000, RW);
        AddressSpace user = space(0x1000, 0x10_0000);
        user.mapAlloc(0x2000, 0x1000, RW, true);
        user.copyMappingsFrom(kernel);
        assertEquals(0x1234, user.pageTable().query(0xffff_8000_0000_1234L).paddr());
        assertEquals(AddressSpaceError.Kind.SHARED_SLOT, fails(() -> user.copyMappingsFrom(user)));
        AddressSpace clash = space(0xffff_8000_4000_0000L, 0x1000);
        clash.mapLinear(0xffff_8000_4000_0000L, 0, 0x1000, RW);
        assertEquals(AddressSpaceError.Kind.SHARED_SLOT, fails(() -> clash.copyMappingsFrom(kernel)));
        clash.close();
        user.close();
        assertEquals(0x1234, kernel.pageTable().query(0xffff_8000_0000_1234L).paddr());
        kernel.close();
        assertEquals(0, tm.frames.allocatedCount());
    }

    /** Issue 15, defect 3: disjoint ranges in one 512 GiB slot shared the slot's tables. */
    @Test
    void copyMappingsFromRefusesRangesInOneTopLevelSlot() throws Exception {
        AddressSpace self = space(0, 0x4000_0000L);
        AddressSpace other = space(0x4000_0000L, 0x4000_0000L);
        other.mapLinear(0x4000_0000L, 0x20_0000, 0x1000, RW);
        AddressSpaceError e = assertThrows(AddressSpaceError.class, () -> self.copyMappingsFrom(other));
        assertEquals(AddressSpaceError.Kind.SHARED_SLOT, e.kind());
        assertTrue(e.getMessage().contains("slot 0"), e.getMessage());
        self.mapLinear(0x1000, 0x30_0000, 0x1000, RW);
        assertEquals(null, other.pageTable().find(0x1000), "other must not see self's page");
        assertEquals(null, self.pageTable().find(0x4000_0000L), "self must not see other's page");
        self.close();
        other.close();
        assertEquals(0, tm.frames.allocatedCount());
    }

    /**
     * Seeded model: random pairs of spaces (lower and upper half, one or several slots, touching
     * slot boundaries), random pages mapped before and after sharing. Sharing succeeds exactly
     * when the slot sets are disjoint; afterwards the user table sees the other's pages in every
     * slot that was present when it shared, the other never sees the user's, and closing both
     * returns every frame.
     */
    @ParameterizedTest
    @ValueSource(longs = {3, 42, 4711})
    void copyMappingsFromMatchesModel(long seed) throws Exception {
        Random rnd = new Random(seed);
        final long slot = 1L << 39;
        int refused = 0;
        int shared = 0;
        for (int round = 0; round < 40; round++) {
            long[] kr = randomRange(rnd, slot);
            long[] ur = randomRange(rnd, slot);
            AddressSpace kernel = space(kr[0], kr[1]);
            AddressSpace user = space(ur[0], ur[1]);
            java.util.Map<Long, Long> kPages = new java.util.HashMap<>();
            java.util.Map<Long, Long> uPages = new java.util.HashMap<>();
            mapRandomPages(rnd, kernel, kPages, 3);
            mapRandomPages(rnd, user, uPages, 3);
            boolean disjoint = disjointSlots(kernel, user);
            java.util.Set<Long> slotsAtCopy = new java.util.HashSet<>();
            for (long va : kPages.keySet()) {
                slotsAtCopy.add((va >>> 39) & 511);
            }
            if (disjoint) {
                user.copyMappingsFrom(kernel);
                shared++;
            } else {
                assertEquals(AddressSpaceError.Kind.SHARED_SLOT, fails(() -> user.copyMappingsFrom(kernel)));
                refused++;
            }
            mapRandomPages(rnd, kernel, kPages, 3);
            mapRandomPages(rnd, user, uPages, 3);
            for (var p : uPages.entrySet()) {
                assertEquals(p.getValue(), user.pageTable().find(p.getKey()).paddr());
                assertEquals(null, kernel.pageTable().find(p.getKey()), "leak into the other space, seed " + seed);
            }
            for (var p : kPages.entrySet()) {
                assertEquals(p.getValue(), kernel.pageTable().find(p.getKey()).paddr());
                Translation seen = user.pageTable().find(p.getKey());
                if (disjoint && slotsAtCopy.contains((p.getKey() >>> 39) & 511)) {
                    assertEquals(p.getValue(), seen == null ? null : seen.paddr(), "shared page, seed " + seed);
                } else {
                    assertEquals(null, seen, "unshared page, seed " + seed);
                }
            }
            user.close();
            kernel.close();
            assertEquals(0, tm.frames.allocatedCount(), "frames after round " + round);
        }
        assertTrue(refused > 5 && shared > 5, "both outcomes exercised: " + refused + " refused, " + shared + " shared");
    }

    /** A page-aligned range of 1..3 slots' worth, in the lower or upper half, often at a slot edge. */
    private static long[] randomRange(Random rnd, long slot) {
        long first = rnd.nextInt(4) + (rnd.nextBoolean() ? 0 : 0x1ffff00L);
        long start = first * slot + (rnd.nextBoolean() ? 0 : (rnd.nextLong() & (slot - 1) & -4096L));
        long size = rnd.nextInt(3) * slot + ((rnd.nextLong() & (slot - 1) & -4096L) | 0x1000);
        return new long[] {start, size};
    }

    private static void mapRandomPages(Random rnd, AddressSpace as, java.util.Map<Long, Long> model, int n)
            throws AddressSpaceError {
        for (int i = 0; i < n; i++) {
            long va = as.base() + ((rnd.nextLong() & Long.MAX_VALUE) % (as.size() >>> 12) << 12);
            long pa = (long) rnd.nextInt(0x100) << 12;
            if (!model.containsKey(va)) {
                as.mapLinear(va, pa, 0x1000, RW);
                model.put(va, pa);
            }
        }
    }

    private static boolean disjointSlots(AddressSpace a, AddressSpace b) {
        for (long x = a.base() >>> 39; x <= (a.end() - 1) >>> 39; x++) {
            for (long y = b.base() >>> 39; y <= (b.end() - 1) >>> 39; y++) {
                if (((x ^ y) & 511) == 0) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void findFreeAreaWithinTheSpace() throws Exception {
        try (AddressSpace as = space(0x10000, 0x10000)) {
            as.mapLinear(0x10000, 0, 0x2000, RW);
            assertEquals(OptionalLong.of(0x12000), as.findFreeArea(0, 0x1000, 0x1000));
            assertEquals(OptionalLong.empty(), as.findFreeArea(0, 0x10000, 0x1000));
            assertTrue(as.canAccessRange(0x10000, 0x2000, RW));
            assertFalse(as.canAccessRange(0x10000, 0x3000, READ));
        }
    }

    @Test
    void closeReturnsEveryFrame() throws Exception {
        AddressSpace as = space(0, 0x8000_0000L);
        as.mapAlloc(0x1000, 0x10000, RW, true);
        as.mapAlloc(0x4000_0000L, 0x10000, RW, false);
        as.handlePageFault(0x4000_3000L, READ);
        as.mapLinear(0x20_0000, 0x20_0000, 0x60_0000, RW);
        assertTrue(tm.frames.allocatedCount() > 20);
        as.close();
        assertEquals(0, tm.frames.allocatedCount());
    }
}
