package io.minivmm.vmm.pc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.PlatformInfo;
import io.minivmm.vmm.machine.ResourceException;
import io.minivmm.vmm.machine.TestWiring;
import io.minivmm.vmm.storage.DiskSpec;
import io.minivmm.vmm.storage.Disks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDE channels as parts of the PC: ports, IRQs, what the platform tables learn, disk placement. */
class IdeChannelPartTest {
    @TempDir
    Path dir;

    private Disks disks(String... specs) throws IOException {
        List<DiskSpec> list = new ArrayList<>();
        int i = 0;
        for (String s : specs) {
            Path p = dir.resolve("d" + i++ + ".img");
            Files.write(p, new byte[(8 + i) * 512]);
            list.add(DiskSpec.parse(p + s));
        }
        return Disks.open(list);
    }

    private static int identifySectors(TestWiring w, int base, int dev) {
        w.pio.write(base + 6, 1, dev == 0 ? 0xa0 : 0xb0);
        w.pio.write(base + 7, 1, 0xec);
        int words60 = 0;
        for (int i = 0; i < 256; i++) {
            int v = w.pio.read(base, 2);
            if (i == 60) words60 = v;
        }
        return words60;
    }

    @Test
    void fourIdeDisksFillPrimaryThenSecondaryAndVirtioDisksAreLeftAlone() throws IOException {
        try (Disks d = disks(",if=ide", ",if=virtio", ",if=ide", ",if=ide,ro", ",if=ide")) {
            List<IdeChannelPart> parts = IdeChannelPart.forDisks(d);
            assertEquals(2, parts.size());
            TestWiring w = new TestWiring(2 << 20, 1);
            List<Part> all = new ArrayList<>(parts);
            all.add(new BiosDataArea());
            w.assemble(all);
            assertEquals("ide0", w.pio.deviceAt(0x1f0));
            assertEquals("ide0", w.pio.deviceAt(0x1f7));
            assertEquals("ide0-control", w.pio.deviceAt(0x3f6));
            assertEquals(null, w.pio.deviceAt(0x3f7), "0x3F7 belongs to the floppy controller");
            assertEquals("ide1", w.pio.deviceAt(0x170));
            assertEquals("ide1-control", w.pio.deviceAt(0x376));
            assertEquals("ide0", w.resources.irqOwner(14));
            assertEquals("ide1", w.resources.irqOwner(15));
            assertEquals(List.of(new PlatformInfo.IoDevice("ide", "ide0", 0x1f0, 8, 14),
                    new PlatformInfo.IoDevice("ide", "ide1", 0x170, 8, 15)), w.platform.ioDevices());
            assertEquals(4, w.platform.hardDisks().size());
            byte[] bda = new byte[1];
            w.memory.read(0x475, bda, 0, 1);
            assertEquals(4, bda[0], "BDA 0x475: number of hard disks");
            // Placement in command-line order: d0 (9 sectors) primary master, d2 (11) primary slave,
            // d3 (12) secondary master, d4 (13) secondary slave; d1 is virtio.
            assertEquals(9, identifySectors(w, 0x1f0, 0));
            assertEquals(11, identifySectors(w, 0x1f0, 1));
            assertEquals(12, identifySectors(w, 0x170, 0));
            assertEquals(13, identifySectors(w, 0x170, 1));
            // Completion raised IRQ 14 and 15; reading status lowers them.
            assertTrue(w.irqLevels[14] && w.irqLevels[15]);
            w.pio.read(0x1f7, 1);
            assertTrue(!w.irqLevels[14] && w.irqLevels[15]);
        }
    }

    @Test
    void oneIdeDiskMakesOnlyThePrimaryChannelAndTheSecondaryFloats() throws IOException {
        try (Disks d = disks(",if=ide")) {
            List<IdeChannelPart> parts = IdeChannelPart.forDisks(d);
            assertEquals(1, parts.size());
            TestWiring w = new TestWiring(2 << 20, 1);
            w.assemble(parts);
            assertEquals(0x50, w.pio.read(0x1f7, 1));
            w.pio.write(0x1f6, 1, 0xb0);
            assertEquals(0, w.pio.read(0x1f7, 1), "absent slave: status 0");
            assertEquals(0xff, w.pio.read(0x177, 1), "no secondary channel: floating bus");
            assertEquals(1, w.platform.hardDisks().size());
        }
        try (Disks d = disks(",if=virtio")) {
            assertEquals(List.of(), IdeChannelPart.forDisks(d));
        }
    }

    @Test
    void aFifthIdeDiskIsRefused() throws IOException {
        try (Disks d = disks(",if=ide", ",if=ide", ",if=ide", ",if=ide", ",if=ide")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdeChannelPart.forDisks(d));
            assertTrue(e.getMessage().contains("5 disks with if=ide"), e.getMessage());
        }
    }

    @Test
    void anIrqAlreadyTakenIsAResourceConflict() throws IOException {
        try (Disks d = disks(",if=ide")) {
            TestWiring w = new TestWiring(2 << 20, 1);
            w.resources.claimIrq("someone", 14);
            assertThrows(ResourceException.class, () -> w.assemble(IdeChannelPart.forDisks(d)));
        }
    }

    @Test
    void noDisksMeansZeroHardDisksInTheBda() {
        TestWiring w = new TestWiring(2 << 20, 1);
        w.assemble(List.of(SerialPart.com1(new ByteArrayOutputStream()), new BiosDataArea()));
        byte[] bda = new byte[1];
        w.memory.read(0x475, bda, 0, 1);
        assertEquals(0, bda[0]);
    }
}
