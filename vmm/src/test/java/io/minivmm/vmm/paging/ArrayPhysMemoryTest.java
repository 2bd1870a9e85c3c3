package io.minivmm.vmm.paging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.minivmm.vmm.memory.GuestMemoryException;
import io.minivmm.kvm.memory.MemoryView;
import org.junit.jupiter.api.Test;

class ArrayPhysMemoryTest {
    private final ArrayPhysMemory mem = new ArrayPhysMemory(0x10_0000, 0x2000);

    @Test
    void littleEndianWordsAndBytes() {
        mem.writeU64(0x10_0008, 0x1122_3344_5566_7788L);
        assertEquals(0x1122_3344_5566_7788L, mem.readU64(0x10_0008));
        byte[] b = new byte[2];
        mem.read(0x10_0008, b, 0, 2);
        assertArrayEquals(new byte[] {(byte) 0x88, 0x77}, b);
        mem.write(0x10_1ffe, new byte[] {1, 2}, 0, 2);
        assertEquals(0x0201, mem.readU64(0x10_1ff8) >>> 48);
        mem.fill(0x10_0000, 0x2000, (byte) 0);
        assertEquals(0, mem.readU64(0x10_0008));
    }

    @Test
    void viewSharesTheBytes() {
        MemoryView v = mem.view(0x10_1000, 16);
        assertEquals(16, v.size());
        v.writeU64(42, 8);
        assertEquals(42, mem.readU64(0x10_1008));
    }

    @Test
    void boundsAreOverflowSafe() {
        GuestMemoryException e = assertThrows(GuestMemoryException.class, () -> mem.readU64(0x10_1ffc));
        assertEquals("guest address 0x101ffc+8 is outside guest RAM", e.getMessage());
        assertEquals(0x10_1ffc, e.address());
        assertEquals(8, e.length());
        assertThrows(GuestMemoryException.class, () -> mem.readU64(0xf_fff8));
        assertThrows(GuestMemoryException.class, () -> mem.readU64(Long.MIN_VALUE));
        assertThrows(GuestMemoryException.class, () -> mem.readU64(-8));
        assertThrows(GuestMemoryException.class, () -> mem.fill(0x10_0000, Long.MAX_VALUE, (byte) 0));
        assertThrows(GuestMemoryException.class, () -> mem.fill(0x10_1000, -1, (byte) 0));
        assertThrows(GuestMemoryException.class, () -> mem.view(0x10_1001, 0x1000));
        assertEquals(0, mem.view(0x10_2000, 0).size()); // the empty range at the end is fine
    }
}
