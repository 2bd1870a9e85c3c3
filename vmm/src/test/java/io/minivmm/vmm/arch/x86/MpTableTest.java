package io.minivmm.vmm.arch.x86;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MpTableTest {
    static int sum(byte[] b, int off, int len) {
        int s = 0;
        for (int i = off; i < off + len; i++) s += b[i] & 0xff;
        return s & 0xff;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 64, 254})
    void structureParsesBackWithValidChecksums(int cpus) {
        byte[] t = MpTable.build(cpus, 0x800f12, 0x178bfbff);
        ByteBuffer b = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("_MP_", new String(t, 0, 4));
        assertEquals(MpTable.ADDRESS + 16, Integer.toUnsignedLong(b.getInt(4)), "pointer to the config table");
        assertEquals(1, t[8], "length in 16-byte units");
        assertEquals(0, sum(t, 0, 16), "floating pointer checksum");
        assertEquals("PCMP", new String(t, 16, 4));
        int baseLen = Short.toUnsignedInt(b.getShort(20));
        assertEquals(t.length - 16, baseLen);
        assertEquals(0, sum(t, 16, baseLen), "configuration table checksum");
        int entries = Short.toUnsignedInt(b.getShort(16 + 34));
        assertEquals(MpTable.LAPIC_BASE, Integer.toUnsignedLong(b.getInt(16 + 36)));
        // Walk the entries as Linux does: processors are 20 bytes, everything else 8.
        int off = 16 + 44, procs = 0, bsp = 0, ioints = 0, buses = 0, ioapics = 0, lints = 0;
        for (int i = 0; i < entries; i++) {
            int type = t[off];
            switch (type) {
                case 0 -> {
                    assertEquals(procs, t[off + 1] & 0xff, "APIC ids in order");
                    assertEquals(1, t[off + 3] & 1, "enabled");
                    if ((t[off + 3] & 2) != 0) bsp++;
                    assertEquals(0x800f12, b.getInt(off + 4));
                    procs++;
                    off += 20;
                }
                case 1 -> { buses++; assertEquals("ISA   ", new String(t, off + 2, 6)); off += 8; }
                case 2 -> {
                    ioapics++;
                    assertEquals(cpus, t[off + 1] & 0xff, "I/O APIC id after the CPUs");
                    assertEquals(MpTable.IOAPIC_BASE, Integer.toUnsignedLong(b.getInt(off + 4)));
                    off += 8;
                }
                case 3 -> { assertEquals(t[off + 5], t[off + 7], "ISA IRQ n -> pin n"); ioints++; off += 8; }
                case 4 -> { lints++; off += 8; }
                default -> fail("unknown entry type " + type + " at " + off);
            }
        }
        assertEquals(t.length, off, "entries fill the table exactly");
        assertEquals(cpus, procs);
        assertEquals(1, bsp, "exactly one bootstrap processor");
        assertEquals(1, buses);
        assertEquals(1, ioapics);
        assertEquals(16, ioints);
        assertEquals(2, lints);
    }

    @Test
    void fitsBelowTheBiosArea() {
        assertTrue(MpTable.ADDRESS + MpTable.size(254) < 0xf0000);
    }

    @Test
    void refusesImpossibleCpuCounts() {
        assertThrows(IllegalArgumentException.class, () -> MpTable.build(0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> MpTable.build(255, 0, 0));
    }
}
