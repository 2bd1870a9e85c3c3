package io.minivmm.vmm.gdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.vmm.memory.GuestMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stub's guest-virtual access, on page tables built by hand in a small guest RAM. */
class VirtualMemoryTest {
    final GuestMemory mem = GuestMemory.create(4 << 20, GuestMemory.Backing.LAZY, false);
    static final long PG = 1L << 31, LMA = 1L << 10, PAE = 1L << 5;

    @AfterEach
    void close() { mem.close(); }

    /** Long mode: VA 0xffffffff80200000 -> PA 0x200000 (4K), the next page unmapped; VA 0x40000000 a 2M page at 0. */
    VirtualMemory.Paging longMode() {
        long pml4 = 0x1000, pdpt = 0x2000, pd = 0x3000, pt = 0x4000, pdpt0 = 0x5000, pd0 = 0x6000;
        mem.writeU64(pml4 + 511 * 8, pdpt | 3);
        mem.writeU64(pdpt + 510 * 8, pd | 3);
        mem.writeU64(pd + 1 * 8, pt | 3);
        mem.writeU64(pt, 0x200000 | 3);
        mem.writeU64(pml4, pdpt0 | 3);
        mem.writeU64(pdpt0 + 8, pd0 | 3);
        mem.writeU64(pd0, 0x83);        // VA 0x40000000: 2M page at PA 0
        mem.writeU64(pd0 + 8, 0x10000000L | 0x83); // VA 0x40200000: a 2M page outside RAM
        return new VirtualMemory.Paging(PG | 1, pml4, PAE, LMA | (1 << 8));
    }

    @Test
    void translatesThroughFourLevelsAndLargePages() {
        VirtualMemory.Paging p = longMode();
        assertEquals(0x200123, VirtualMemory.translate(mem, p, 0xffffffff80200123L));
        assertEquals(-1, VirtualMemory.translate(mem, p, 0xffffffff80201000L), "PTE not present");
        assertEquals(0x12345, VirtualMemory.translate(mem, p, 0x40012345L));
        assertEquals(-1, VirtualMemory.translate(mem, p, 0x40200000L), "maps outside RAM");
        assertEquals(-1, VirtualMemory.translate(mem, p, 0x0000800000000000L), "non-canonical");
    }

    @Test
    void readAndWriteAreAllOrNothing() {
        VirtualMemory.Paging p = longMode();
        mem.write(0x200ff8, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, VirtualMemory.read(mem, p, 0xffffffff80200ff8L, 8));
        assertNull(VirtualMemory.read(mem, p, 0xffffffff80200ffcL, 8), "crosses into the unmapped page");
        assertFalse(VirtualMemory.write(mem, p, 0xffffffff80200ffcL, new byte[8]));
        assertArrayEquals(new byte[] {5, 6, 7, 8}, mem.read(0x200ffc, 4), "nothing written");
        assertTrue(VirtualMemory.write(mem, p, 0xffffffff80200000L, new byte[] {9}));
        assertEquals(9, mem.read(0x200000, 1)[0]);
    }

    @Test
    void pagingOffIsPhysicalAndBoundedByRam() {
        VirtualMemory.Paging off = new VirtualMemory.Paging(1, 0, 0, 0);
        assertEquals(0x1234, VirtualMemory.translate(mem, off, 0x1234));
        assertEquals(-1, VirtualMemory.translate(mem, off, 4 << 20));
        assertNull(VirtualMemory.read(mem, off, (4 << 20) - 2, 4));
    }

    @Test
    void legacyAndPaeWalks() {
        // 32-bit: PD at 0x7000, a 4M page for VA 0x00400000 -> PA 0, a PT for VA 0 -> PA 0x300000.
        mem.writeU64(0x7000 + 4, 0); // clear
        byte[] pde = {(byte) 0x83, 0, 0, 0};
        mem.write(0x7000 + 4, pde);
        mem.write(0x7000, new byte[] {0x03, (byte) 0x80, 0, 0}); // PT at 0x8000
        mem.write(0x8000 + 4, new byte[] {0x03, 0x00, 0x30, 0}); // VA 0x1000 -> 0x300000
        VirtualMemory.Paging legacy = new VirtualMemory.Paging(PG | 1, 0x7000, 0, 0);
        assertEquals(0x5678, VirtualMemory.translate(mem, legacy, 0x405678));
        assertEquals(0x300010, VirtualMemory.translate(mem, legacy, 0x1010));
        assertEquals(-1, VirtualMemory.translate(mem, legacy, 0x2000));
        // PAE: PDPT at 0x9000 (entry 3 -> PD 0xa000, 2M page at 0x200000 for VA 0xc0000000).
        mem.writeU64(0x9000 + 3 * 8, 0xa000 | 1);
        mem.writeU64(0xa000, 0x200000 | 0x83);
        VirtualMemory.Paging pae = new VirtualMemory.Paging(PG | 1, 0x9000, PAE, 0);
        assertEquals(0x200042, VirtualMemory.translate(mem, pae, 0xc0000042L));
        assertEquals(-1, VirtualMemory.translate(mem, pae, 0x80000000L));
    }
}
