package io.minivmm.vmm.paging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.vmm.paging.MappingKind.Basic;
import io.minivmm.vmm.paging.MappingKind.Cow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageWalkerTest {
    private static final Basic RW_NX = new Basic(true, false);

    private final ArrayTableAccess ops = new ArrayTableAccess();

    private void map(long va, long pa, long len, MappingKind kind) throws PagingError {
        PageWalker.map(ops, ops.rootPaddr(), new PageMapping(va, pa, len, kind));
    }

    private List<PageMapping> v2p(long addr, long len) {
        return PageWalker.virtToPhys(ops, ops.rootPaddr(), addr, len);
    }

    // ------------------------------------------------------------ SPEC §4 conformance

    @Test
    void conformanceFirstMappingCreatesFourTables() throws Exception {
        map(0x1000, 0x1000, 0x1000, RW_NX);
        assertEquals(4, ops.tables.size());
        long rootEntry = ops.tables.get(0)[0];
        assertTrue((rootEntry & X86Pte.P) != 0 && (rootEntry & X86Pte.RW) != 0);
        long leaf = ops.tables.get(3)[1];
        assertTrue((leaf & X86Pte.P) != 0);
        assertTrue((leaf & X86Pte.RW) != 0);
        assertTrue((leaf & X86Pte.NX) != 0);
        assertEquals(0x1000, X86Pte.paddr(leaf));
        assertEquals(PageWalker.TABLE, ops.tables.get(0)[0] & 0xfff);
    }

    @Test
    void conformanceExecutableReadOnly() throws Exception {
        map(0x1000, 0x5000, 0x1000, new Basic(false, true));
        long leaf = ops.tables.get(3)[1];
        assertEquals(0, leaf & X86Pte.RW);
        assertEquals(0, leaf & X86Pte.NX);
        assertTrue((leaf & X86Pte.P) != 0);
    }

    @Test
    void conformanceFourPagesUseEntries16To19() throws Exception {
        map(0x10000, 0x40000, 0x4000, RW_NX);
        long[] pt = ops.tables.get(3);
        for (int i = 0; i < 512; i++) {
            if (i >= 16 && i <= 19) {
                assertEquals(0x40000 + (i - 16) * 0x1000L, X86Pte.paddr(pt[i]), "entry " + i);
            } else {
                assertEquals(0, pt[i], "entry " + i);
            }
        }
    }

    @Test
    void conformanceSecondPageAddsNoTable() throws Exception {
        map(0x1000, 0x1000, 0x1000, RW_NX);
        int tables = ops.tables.size();
        map(0x2000, 0x9000, 0x1000, RW_NX);
        assertEquals(tables, ops.tables.size());
    }

    @Test
    void conformanceVirtToPhysOneByte() throws Exception {
        map(0x1000, 0x1000, 0x1000, RW_NX);
        assertEquals(List.of(new PageMapping(0x1000, 0x1000, 0x1000, RW_NX)), v2p(0x1234, 1));
    }

    @Test
    void conformanceRangeAcrossTwoPages() throws Exception {
        map(0x1000, 0x7000, 0x2000, RW_NX);
        List<PageMapping> r = v2p(0x1F00, 0x300);
        assertEquals(2, r.size());
        assertEquals(new PageMapping(0x1000, 0x7000, 0x1000, RW_NX), r.get(0));
        assertEquals(new PageMapping(0x2000, 0x8000, 0x1000, RW_NX), r.get(1));
    }

    @Test
    void conformanceNothingMappedIsEmpty() {
        assertTrue(v2p(0, 0x10_0000).isEmpty());
        assertTrue(v2p(0x1000, 0).isEmpty());
    }

    @Test
    void conformanceKindsRoundTrip() throws Exception {
        List<MappingKind> kinds = List.of(new Basic(false, false), new Basic(false, true), new Basic(true, false),
                new Basic(true, true), new Cow(false), new Cow(true));
        long va = 0x40_0000;
        for (MappingKind k : kinds) {
            map(va, va * 2, 0x1000, k);
            List<PageMapping> r = v2p(va, 1);
            assertEquals(List.of(new PageMapping(va, va * 2, 0x1000, k)), r, k.toString());
            va += 0x1000;
        }
        long cowLeaf = ops.tables.get(3)[0x404 & 511];
        assertEquals(0, cowLeaf & X86Pte.RW);
        assertEquals(PageWalker.COW, cowLeaf & PageWalker.COW);
        map(0x40_0000, 0, 0x1000, new MappingKind.Unmapped());
        assertTrue(v2p(0x40_0000, 1).isEmpty());
        int tables = ops.tables.size();
        map(0x7000_0000_0000L, 0, 0x1000, new MappingKind.Unmapped());
        assertEquals(tables, ops.tables.size(), "unmapping a hole builds nothing");
    }

    // ------------------------------------------------------------ edges

    @Test
    void holesAreSkippedAndTheEndSaturates() throws Exception {
        map(0x1000, 0x1000, 0x1000, RW_NX);
        map(0x7fff_ffff_f000L, 0x2000, 0x1000, RW_NX);
        map(0xffff_8000_0000_0000L, 0x3000, 0x1000, RW_NX);
        map(0xffff_ffff_ffff_f000L, 0x4000, 0x1000, RW_NX);
        List<PageMapping> all = v2p(0, -1L);
        List<Long> vas = new ArrayList<>();
        for (PageMapping m : all) {
            vas.add(m.virtBase());
        }
        assertEquals(List.of(0x1000L, 0x7fff_ffff_f000L, 0xffff_8000_0000_0000L, 0xffff_ffff_ffff_f000L), vas);
        assertEquals(1, v2p(0xffff_ffff_ffff_f800L, Long.MAX_VALUE).size());
    }

    /**
     * translate() against PageTable64's own lookup, seeded: random 4K/2M/1G mappings in both
     * halves, then random addresses (mapped, near mapped, anywhere). Where the table maps an
     * address, translate gives the same physical address and page size; elsewhere it reports a
     * fault level whose entry really is not present.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {5, 1234, 99999})
    void translateAgreesWithThePageTable(long seed) throws Exception {
        java.util.Random rnd = new java.util.Random(seed);
        TestMemory tm = new TestMemory(4 << 20);
        try (PageTable64 pt = tm.table()) {
            List<Long> mapped = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                PageSize size = PageSize.values()[rnd.nextInt(8) == 0 ? rnd.nextInt(3) : 0];
                long va = PageTable64.signExtend(rnd.nextLong() & 0xffff_ffff_ffffL & -size.bytes());
                try {
                    pt.map(va, (rnd.nextLong() & 0xf_ffff_ffffL) << 12 & -size.bytes(), size, MappingFlags.of(MappingFlags.READ));
                    mapped.add(va);
                } catch (PagingError taken) {
                    // an overlapping mapping is fine: the table decides, the walker must agree
                }
            }
            int hits = 0;
            for (int i = 0; i < 3000; i++) {
                long va = switch (rnd.nextInt(3)) {
                    case 0 -> mapped.get(rnd.nextInt(mapped.size())) + (rnd.nextLong() & 0xfff);
                    case 1 -> mapped.get(rnd.nextInt(mapped.size())) + (rnd.nextLong() & 0x3fff_ffffL);
                    default -> rnd.nextLong();
                };
                Translation want = PageTable64.isCanonical(va) ? pt.find(va) : null;
                PageWalk got = PageWalker.translate(tm.mem, pt.rootPaddr() | 0x18, va);
                assertEquals(want != null, got.mapped(), () -> Long.toHexString(va));
                if (want != null) {
                    hits++;
                    assertEquals(want.paddr(), got.paddr(), () -> Long.toHexString(va));
                    assertEquals(want.size().bytes(), got.pageSize());
                    assertEquals(-1, got.faultLevel());
                } else if (got.end() == PageWalk.End.NOT_PRESENT) {
                    PageWalk.Step last = got.steps().get(got.steps().size() - 1);
                    assertEquals(got.faultLevel(), last.level());
                    assertEquals(0, last.entry() & X86Pte.P);
                    assertEquals(last.entry(), tm.mem.readU64(last.entryPaddr()));
                } else {
                    assertEquals(PageWalk.End.NON_CANONICAL, got.end());
                    assertTrue(!PageTable64.isCanonical(va));
                }
            }
            assertTrue(hits > 1000, "mapped addresses exercised: " + hits);
        }
    }

    @Test
    void translateStopsAtATableOutsideMemoryAndAtTheLevelThatFaults() throws Exception {
        TestMemory tm = new TestMemory(1 << 20);
        try (PageTable64 pt = tm.table()) {
            pt.map(0x4000_0000L, 0x5000, PageSize.SIZE_4K, MappingFlags.of(MappingFlags.READ));
            PageWalk w = PageWalker.translate(tm.mem, pt.rootPaddr(), 0x4000_0123L);
            assertEquals(0x5123, w.paddr());
            assertEquals(4, w.steps().size());
            assertEquals(2, PageWalker.translate(tm.mem, pt.rootPaddr(), 0x4020_0000L).faultLevel()); // PD entry empty
            assertEquals(1, PageWalker.translate(tm.mem, pt.rootPaddr(), 0x8000_0000L).faultLevel()); // PDPT entry empty
            assertEquals(0, PageWalker.translate(tm.mem, pt.rootPaddr(), 0x80_0000_0000L).faultLevel());
            // a PDPT entry pointing outside memory: the walk stops there, nothing is thrown
            long pdpt = X86Pte.paddr(tm.mem.readU64(pt.rootPaddr()));
            tm.mem.writeU64(pdpt + 8 * 3, 0x7000_0000L | X86Pte.TABLE);
            PageWalk out = PageWalker.translate(tm.mem, pt.rootPaddr(), 0xc000_1000L);
            assertEquals(PageWalk.End.TABLE_UNREADABLE, out.end());
            assertEquals(2, out.faultLevel());
            assertEquals(0x7000_0000L, out.stopTable());
            assertEquals(0, out.stopIndex());
            assertEquals(-1, out.paddr());
            tm.mem.writeU64(pdpt + 8 * 3, 0);
        }
    }

    @Test
    void readsTablesBuiltByPageTable64InGuestMemory() throws Exception {
        TestMemory tm = new TestMemory(1 << 20);
        try (PageTable64 pt = tm.table()) {
            pt.map(0xffff_8000_0020_0000L, 0x60_0000, PageSize.SIZE_2M, MappingFlags.of(MappingFlags.READ, MappingFlags.EXECUTE));
            pt.map(0x3000, 0x9000, PageSize.SIZE_4K, MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE));
            PhysTableAccess phys = new PhysTableAccess(tm.mem);
            List<PageMapping> r = PageWalker.virtToPhys(phys, pt.rootPaddr(), 0xffff_8000_003f_f000L, 0x2000);
            assertEquals(List.of(new PageMapping(0xffff_8000_003f_f000L, 0x7f_f000, 0x1000, new Basic(false, true))), r);
            assertEquals(List.of(new PageMapping(0x3000, 0x9000, 0x1000, RW_NX)),
                    PageWalker.virtToPhys(phys, pt.rootPaddr(), 0, 0x10000));
        }
    }

    @Test
    void mapThroughGuestMemory() throws Exception {
        TestMemory tm = new TestMemory(1 << 20);
        PhysTableAccess phys = new PhysTableAccess(tm.mem, tm.frames);
        long root = phys.allocTable();
        PageWalker.map(phys, root, new PageMapping(0x20_0000, 0x30_0000, 0x2000, new Cow(false)));
        assertEquals(4, tm.frames.allocatedCount());
        assertEquals(List.of(new PageMapping(0x20_1000, 0x30_1000, 0x1000, new Cow(false))),
                PageWalker.virtToPhys(phys, root, 0x20_1000, 1));
    }

    @Test
    void walkSpacesReportsSharedTables() throws Exception {
        map(0x1000, 0x1000, 0x1000, RW_NX);           // space 0, under PDPT at root[0]
        map(0x80_0000_0000L, 0x2000, 0x1000, RW_NX);  // space 0, root[1]
        long root1 = ops.allocTable();
        ops.writeEntry(root1, 0, ops.tables.get(0)[0]); // space 1 shares space 0's PDPT
        ArrayTableAccess same = ops;
        long pdpt1 = same.allocTable();
        same.writeEntry(root1, 2, same.toPhys(pdpt1) | PageWalker.TABLE);
        same.writeEntry(pdpt1, 0, 0x4000_0000L | X86Pte.P | X86Pte.PS); // a 1G leaf of its own

        List<SpaceMapping> r = PageWalker.walkSpaces(ops, ops.rootPaddr(), ops.toPhys(root1));
        assertEquals(4, r.size(), r.toString());
        assertEquals(new SpaceMapping.Leaf(0, new PageMapping(0x1000, 0x1000, 0x1000, RW_NX)), r.get(0));
        assertEquals(new SpaceMapping.Leaf(0, new PageMapping(0x80_0000_0000L, 0x2000, 0x1000, RW_NX)), r.get(1));
        SpaceMapping.SharedTable shared = assertInstanceOf(SpaceMapping.SharedTable.class, r.get(2));
        assertEquals(1, shared.space());
        assertEquals(0, shared.ownerSpace());
        assertEquals(1, shared.level());
        assertEquals(X86Pte.paddr(ops.tables.get(0)[0]), shared.tablePaddr());
        assertEquals(new SpaceMapping.Leaf(1, new PageMapping(0x100_0000_0000L, 0x4000_0000L, 0x4000_0000L,
                new Basic(false, true))), r.get(3));
    }
}
