package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.minivmm.vmm.arch.x86.X86;
import io.minivmm.vmm.memory.GuestMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The crash report's page-walk lines, for every paging mode and every way a walk ends. The
 * expected text is what the report printed before its walk moved to PageWalker (issue 15): the
 * report must read the same.
 */
class CrashReportPageWalkTest {
    private GuestMemory mem;

    @BeforeEach
    void setUp() {
        mem = GuestMemory.create(4 << 20, GuestMemory.Backing.LAZY, false);
        // 4-level tables: PML4 0x10000, PDPT 0x11000, PD 0x12000, PT 0x13000.
        mem.writeU64(0x10000, 0x11000 | 0x27);
        mem.writeU64(0x11000, 0x12000 | 0x23);
        mem.writeU64(0x11000 + 8, 0x4000_0000L | 0x81); // 1G page outside RAM
        mem.writeU64(0x11000 + 16, 0x8000_0000L | 0x03); // PD table outside RAM
        mem.writeU64(0x12000 + 8, 0x13000 | 0x07);
        mem.writeU64(0x12000 + 16, 0x20_0000 | 0x83 | Long.MIN_VALUE); // 2M, NX
        mem.writeU64(0x13000 + 3 * 8, 0x5000 | 0x63);
        mem.writeU64(0x13000 + 4 * 8, 0x6000 | 0x62); // not present but not zero
        // 32-bit tables: PD 0x30000, PT 0x31000.
        mem.write(0x30000, le32(0x31000 | 0x07));
        mem.write(0x30000 + 4, le32(0x40_0000 | 0x83)); // 4M page
        mem.write(0x30000 + 8, le32(0xf000_0000L | 0x01)); // PT outside RAM
        mem.write(0x31000 + 5 * 4, le32(0x7000 | 0x21));
    }

    @AfterEach
    void tearDown() {
        mem.close();
    }

    private static byte[] le32(long v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    /** Control registers: cr0, cr3, cr4, efer. */
    private record Cr(long cr0, long cr3, long cr4, long efer) {}

    private static Cr longMode(long cr3) {
        return new Cr(X86.CR0_PG | 1, cr3, X86.CR4_PAE, X86.EFER_LMA | X86.EFER_LME);
    }

    private String walk(Cr s, long va) {
        return CrashReport.pageWalk(mem, s.cr0(), s.cr3(), s.cr4(), s.efer(), va, "    ");
    }

    @Test
    void pagingOff() {
        Cr s = new Cr(1, 0, 0, 0);
        assertEquals("    paging off: physical 0x1000\n", walk(s, 0x1000));
        assertEquals("    paging off: physical 0x10000000 (NOT in guest RAM)\n", walk(s, 0x1000_0000));
    }

    @Test
    void longModeFourKilobytePage() {
        assertEquals("""
                    PML4E[  0] @0x10000 = 0000000000011027 PWU A
                    PDPTE[  0] @0x11000 = 0000000000012023 PWS A
                    PDE  [  1] @0x12008 = 0000000000013007 PWU
                    PTE  [  3] @0x13018 = 0000000000005063 PWS A D  -> 4K page, physical 0x5abc
                """, walk(longMode(0x10000), 0x20_3abc));
    }

    @Test
    void longModeHugePagesAndStops() {
        Cr s = longMode(0x10000 | 0x18); // PWT/PCD bits in CR3 are not part of the address
        assertEquals("""
                    PML4E[  0] @0x10000 = 0000000000011027 PWU A
                    PDPTE[  0] @0x11000 = 0000000000012023 PWS A
                    PDE  [  2] @0x12010 = 8000000000200083 PWS PS NX  -> 2M page, physical 0x212345
                """, walk(s, 0x41_2345));
        assertEquals("""
                    PML4E[  0] @0x10000 = 0000000000011027 PWU A
                    PDPTE[  1] @0x11008 = 0000000040000081 PRS PS  -> 1G page, physical 0x40000123 (NOT in guest RAM)
                """, walk(s, 0x4000_0123L));
        assertEquals("""
                    PML4E[  0] @0x10000 = 0000000000011027 PWU A
                    PDPTE[  2] @0x11010 = 0000000080000003 PWS
                    PDE  [  0] table at 0x80000000 is NOT in guest RAM: walk stops
                """, walk(s, 0x8000_0000L));
        assertEquals("""
                    PML4E[  0] @0x10000 = 0000000000011027 PWU A
                    PDPTE[  0] @0x11000 = 0000000000012023 PWS A
                    PDE  [  1] @0x12008 = 0000000000013007 PWU
                    PTE  [  4] @0x13020 = 0000000000006062 -WS A D  NOT PRESENT: walk stops
                """, walk(s, 0x20_4000));
        assertEquals("""
                    PML4E[256] @0x10800 = 0000000000000000 -RS  NOT PRESENT: walk stops
                """, walk(s, 0xffff_8000_0000_0000L));
        assertEquals("""
                    PML4E[  0] table at 0x7ff000 is NOT in guest RAM: walk stops
                """, walk(longMode(0x7ff000), 0x1000));
        // new with PageWalker: a non-canonical address is a #GP, so there is nothing to walk
        assertEquals("    0x800000000000 is not canonical (a #GP, not a page walk)\n", walk(s, 0x8000_0000_0000L));
    }

    @Test
    void paeWithoutLongModeIsNotDecoded() {
        Cr s = new Cr(X86.CR0_PG | 1, 0x10000, X86.CR4_PAE, 0);
        assertEquals("    PAE paging (CR3 0x10000): not decoded\n", walk(s, 0x1000));
    }

    @Test
    void legacyThirtyTwoBitPaging() {
        Cr s = new Cr(X86.CR0_PG | 1, 0x30000, 0, 0);
        assertEquals("""
                    PDE  [   0] @0x30000 = 00031007 PWU
                    PTE  [   5] @0x31014 = 00007021 PRS A  -> physical 0x7abc
                """, walk(s, 0x5abc));
        assertEquals("""
                    PDE  [   1] @0x30004 = 00400083 PWS PS  -> physical 0x412345
                """, walk(s, 0x41_2345));
        assertEquals("""
                    PDE  [   2] @0x30008 = f0000001 PRS
                    PTE  [   0] table at 0xf0000000 is NOT in guest RAM
                """, walk(s, 0x80_0000));
        assertEquals("""
                    PDE  [   3] @0x3000c = 00000000 -RS  NOT PRESENT: walk stops
                """, walk(s, 0xc0_0000));
    }
}
