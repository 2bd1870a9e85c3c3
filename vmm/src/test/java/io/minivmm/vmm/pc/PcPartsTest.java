package io.minivmm.vmm.pc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.vmm.arch.x86.MpTable;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.ResourceAllocator;
import io.minivmm.vmm.machine.ResourceException;
import io.minivmm.vmm.machine.TestWiring;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PcPartsTest {
    private static int u16(TestWiring w, long gpa) {
        byte[] b = new byte[2];
        w.memory.read(gpa, b, 0, 2);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
    }

    private static TestWiring pc(int cpus) {
        TestWiring w = new TestWiring(2 << 20, cpus);
        MpTablePart mp = new MpTablePart();
        w.assemble(List.of(ReservedWindow.legacyPc(), SerialPart.com1(new ByteArrayOutputStream()), mp, new BiosDataArea()));
        return w;
    }

    /** The BDA agrees with the memory map: base memory ends where the EBDA starts, and the MP table is inside it. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 40, 41, 100, 254})
    void biosDataAreaMatchesTheMemoryMapForAnyCpuCount(int cpus) {
        TestWiring w = pc(cpus);
        int baseKib = u16(w, 0x413);
        long ebda = (long) u16(w, 0x40e) << 4;
        assertEquals(baseKib * 1024L, ebda, "0x413 and 0x40E must describe the same EBDA");
        long[] first = w.resources.memoryMap().get(0);
        assertEquals(0, first[0]);
        assertEquals(1, first[2]);
        assertEquals(ebda, first[1], "the first RAM entry ends at the EBDA");
        byte[] k = new byte[1];
        w.memory.read(ebda, k, 0, 1);
        assertEquals((0xa0000 - ebda) / 1024, k[0] & 0xff, "EBDA byte 0 is its size in KiB");
        // The MP floating pointer lies inside the EBDA and is intact (its header was not overwritten).
        long mp = w.resources.claims().stream().filter(c -> c.owner().equals("mp-table")).findFirst().orElseThrow().base();
        assertTrue(mp > ebda && mp + MpTable.size(cpus) <= 0xa0000);
        byte[] sig = new byte[4];
        w.memory.read(mp, sig, 0, 4);
        assertEquals("_MP_", new String(sig, StandardCharsets.US_ASCII));
        // xv6's search: the first KiB of the EBDA or the last KiB of base memory must hold it; the
        // EBDA starts at most 16 bytes + a KiB boundary below the table.
        assertTrue(mp - ebda < 1024 + 16, "MP table at 0x" + Long.toHexString(mp) + " not in the EBDA's first KiB");
    }

    @Test
    void equipmentWordAndComPorts() {
        TestWiring w = pc(1);
        assertEquals(0x3f8, u16(w, 0x400));
        assertEquals(0, u16(w, 0x402));
        int eq = u16(w, 0x410);
        assertEquals(1, (eq >> 9) & 7, "one serial port");
        assertEquals(2, (eq >> 4) & 3, "80x25 colour");
        assertEquals(639, u16(w, 0x413), "a 1-CPU PC keeps the classic 639 KiB");
    }

    @Test
    void partsCannotShareAnIrqOrPorts() {
        TestWiring w = new TestWiring(2 << 20, 1);
        List<Part> parts = List.of(SerialPart.com1(new ByteArrayOutputStream()), new SerialPart(2, 0x3e8, 4, new ByteArrayOutputStream()));
        assertThrows(ResourceException.class, () -> w.assemble(parts));
        TestWiring w2 = new TestWiring(2 << 20, 1);
        assertThrows(IllegalArgumentException.class, () -> w2.assemble(List.of(SerialPart.com1(new ByteArrayOutputStream()),
                new SerialPart(1, 0x3f8, 3, new ByteArrayOutputStream()))));
    }

    @Test
    void serialPartDrivesItsClaimedIrq() {
        TestWiring w = new TestWiring(2 << 20, 1);
        SerialPart com1 = SerialPart.com1(new ByteArrayOutputStream());
        w.assemble(List.of(com1));
        assertEquals("com1", w.resources.irqOwner(4));
        w.pio.write(0x3f9, 1, 0x02); // IER: THR empty interrupt
        w.pio.write(0x3fc, 1, 0x08); // MCR OUT2: the PC gates the IRQ with it
        assertTrue(w.irqLevels[4], "THRE interrupt raised on IRQ 4");
    }

    @Test
    void legacyWindowIsReservedButNotFirmware() {
        TestWiring w = pc(1);
        assertTrue(w.resources.claims(ResourceAllocator.Use.FIRMWARE).stream().noneMatch(c -> c.base() >= 0xa0000));
        assertTrue(w.resources.memoryMap().stream().anyMatch(e -> e[0] <= 0xa0000 && e[0] + e[1] >= 0x100000 && e[2] == 2));
    }
}
