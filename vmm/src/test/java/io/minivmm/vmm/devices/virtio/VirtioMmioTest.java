package io.minivmm.vmm.devices.virtio;

import static io.minivmm.vmm.devices.virtio.FakeDriver.*;
import static io.minivmm.vmm.devices.virtio.VirtioMmio.*;
import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.vmm.devices.virtio.FakeDriver.Buf;
import io.minivmm.vmm.machine.TestWiring;
import io.minivmm.vmm.pc.VirtioMmioPart;
import io.minivmm.vmm.storage.DiskImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The virtio-mmio transport, the split-queue walker and virtio-blk against a spec-following fake driver. */
class VirtioMmioTest {
    static final long ALL = F_VERSION_1 | F_EVENT_IDX | F_INDIRECT_DESC | VirtioBlk.F_FLUSH | VirtioBlk.F_DISCARD
            | VirtioBlk.F_WRITE_ZEROES | VirtioBlk.F_SEG_MAX | VirtioBlk.F_SIZE_MAX | VirtioBlk.F_BLK_SIZE | VirtioBlk.F_RO;
    static final long HDR = DATA, STATUS_BYTE = DATA + 0x100, BUF = DATA + 0x1000;

    @TempDir
    Path tmp;
    DiskImage disk;

    @AfterEach
    void closeDisk() {
        if (disk != null) disk.close();
    }

    int disks;

    FakeDriver blk(boolean ro, int sectors) throws Exception {
        if (disk != null) disk.close();
        Path f = tmp.resolve("disk" + disks++ + ".img");
        byte[] content = new byte[sectors * 512];
        for (int i = 0; i < content.length; i++) content[i] = (byte) (i / 512 + i * 7);
        Files.write(f, content);
        disk = DiskImage.open(f, ro);
        return new FakeDriver(new VirtioBlk(disk));
    }

    void header(FakeDriver d, int type, long sector) {
        byte[] h = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(0).putLong(sector).array();
        d.ram.write(HDR, h, 0, 16);
        d.ram.fill(STATUS_BYTE, 1, (byte) 0x55);
    }

    int status(FakeDriver d) { return d.bytes(STATUS_BYTE, 1)[0] & 0xff; }

    @Test
    void registersIdentifyAVersion2BlockDevice() throws Exception {
        FakeDriver d = blk(false, 8);
        assertEquals(MAGIC, d.reg(MAGIC_VALUE));
        assertEquals(2, d.reg(VERSION));
        assertEquals(VirtioBlk.ID, d.reg(DEVICE_ID));
        long f = d.deviceFeatures();
        assertTrue((f & F_VERSION_1) != 0 && (f & F_EVENT_IDX) != 0 && (f & F_INDIRECT_DESC) != 0);
        assertTrue((f & VirtioBlk.F_FLUSH) != 0 && (f & VirtioBlk.F_RO) == 0);
        assertEquals(8, d.dev.read(CONFIG, 8), "capacity in sectors");
        assertEquals(512, d.dev.read(CONFIG + 20, 4), "blk_size");
        assertEquals(VirtioBlk.SEG_MAX, d.dev.read(CONFIG + 12, 4));
        assertEquals(0, d.dev.read(CONFIG + 0x80, 4), "past the config space reads 0");
    }

    @Test
    void featuresOkIsRefusedWithoutVersion1OrWithBitsNotOffered() throws Exception {
        FakeDriver d = blk(false, 8);
        assertFalse(d.negotiate(VirtioBlk.F_FLUSH), "legacy driver (no VERSION_1)");
        // A bit the device did not offer: write it by hand.
        d.reg(STATUS, 0);
        d.reg(STATUS, S_ACKNOWLEDGE | S_DRIVER);
        d.reg(DRIVER_FEATURES_SEL, 1);
        d.reg(DRIVER_FEATURES, 1 | 1 << 3);
        d.reg(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
        assertEquals(0, d.reg(STATUS) & S_FEATURES_OK);
        assertTrue(d.negotiate(ALL));
    }

    @Test
    void readsWritesFlushesAndGetsTheId() throws Exception {
        FakeDriver d = blk(false, 16);
        d.start(ALL);
        // Write 2 sectors at sector 3.
        byte[] data = new byte[1024];
        new Random(1).nextBytes(data);
        d.ram.write(BUF, data, 0, data.length);
        header(d, VirtioBlk.T_OUT, 3);
        d.add(new Buf(HDR, 16, false), new Buf(BUF, 512, false), new Buf(BUF + 512, 512, false), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(1, d.usedIdx());
        assertEquals(VirtioBlk.S_OK, status(d));
        assertEquals(1, d.used(0)[1], "only the status byte was written");
        byte[] onDisk = new byte[1024];
        disk.read(3 * 512, onDisk, 0, 1024);
        assertArrayEquals(data, onDisk);
        // Read them back into another buffer, header and data in one descriptor-split layout.
        header(d, VirtioBlk.T_IN, 3);
        d.add(new Buf(HDR, 16, false), new Buf(BUF + 0x2000, 1024, true), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(2, d.usedIdx());
        assertEquals(VirtioBlk.S_OK, status(d));
        assertEquals(1025, d.used(1)[1]);
        assertArrayEquals(data, d.bytes(BUF + 0x2000, 1024));
        // Flush and GET_ID.
        header(d, VirtioBlk.T_FLUSH, 0);
        d.add(new Buf(HDR, 16, false), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(VirtioBlk.S_OK, status(d));
        header(d, VirtioBlk.T_GET_ID, 0);
        d.add(new Buf(HDR, 16, false), new Buf(BUF, 20, true), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(VirtioBlk.S_OK, status(d));
        assertEquals(disk.serial(), new String(d.bytes(BUF, 20), StandardCharsets.US_ASCII).replace("\0", ""));
        assertEquals(0, d.outside);
        assertFalse(d.needsReset());
    }

    @Test
    void readPastTheEndAndUnknownTypesFailWithTheRightStatus() throws Exception {
        FakeDriver d = blk(false, 4);
        d.start(ALL);
        header(d, VirtioBlk.T_IN, 3);
        d.add(new Buf(HDR, 16, false), new Buf(BUF, 1024, true), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(VirtioBlk.S_IOERR, status(d));
        header(d, VirtioBlk.T_IN, -1L);
        d.add(new Buf(HDR, 16, false), new Buf(BUF, 512, true), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(VirtioBlk.S_IOERR, status(d), "sector 2^64-1");
        header(d, 99, 0);
        d.add(new Buf(HDR, 16, false), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(VirtioBlk.S_UNSUPP, status(d));
        assertFalse(d.needsReset());
    }

    @Test
    void readOnlyDiskRefusesWritesAndZeroing() throws Exception {
        FakeDriver d = blk(true, 4);
        assertTrue((d.deviceFeatures() & VirtioBlk.F_RO) != 0);
        assertEquals(0, d.deviceFeatures() & (VirtioBlk.F_DISCARD | VirtioBlk.F_WRITE_ZEROES));
        byte[] before = Files.readAllBytes(disk.path());
        d.start(ALL);
        header(d, VirtioBlk.T_OUT, 0);
        d.add(new Buf(HDR, 16, false), new Buf(BUF, 512, false), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(VirtioBlk.S_IOERR, status(d));
        header(d, VirtioBlk.T_WRITE_ZEROES, 0);
        d.ram.write(BUF, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putInt(1).array(), 0, 16);
        d.add(new Buf(HDR, 16, false), new Buf(BUF, 16, false), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(VirtioBlk.S_UNSUPP, status(d));
        assertArrayEquals(before, Files.readAllBytes(disk.path()));
    }

    @Test
    void writeZeroesAndDiscardZeroTheRange() throws Exception {
        FakeDriver d = blk(false, 8);
        d.start(ALL);
        for (int type : new int[] {VirtioBlk.T_WRITE_ZEROES, VirtioBlk.T_DISCARD}) {
            long sector = type == VirtioBlk.T_DISCARD ? 5 : 1;
            header(d, type, 0);
            d.ram.write(BUF, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(sector).putInt(2).array(), 0, 16);
            d.add(new Buf(HDR, 16, false), new Buf(BUF, 16, false), new Buf(STATUS_BYTE, 1, true));
            d.dev.service();
            assertEquals(VirtioBlk.S_OK, status(d));
            byte[] z = new byte[1024];
            disk.read(sector * 512, z, 0, 1024);
            assertArrayEquals(new byte[1024], z);
        }
        byte[] kept = new byte[512];
        disk.read(0, kept, 0, 512);
        assertNotEquals(0, kept[1], "sector 0 untouched");
    }

    @Test
    void indirectDescriptorsCarryARequest() throws Exception {
        FakeDriver d = blk(false, 4);
        d.start(ALL);
        header(d, VirtioBlk.T_IN, 1);
        d.desc(INDIRECT, 0, HDR, 16, 1, 1);
        d.desc(INDIRECT, 1, BUF, 512, 2 | 1, 2);
        d.desc(INDIRECT, 2, STATUS_BYTE, 1, 2, 0);
        d.desc(DESC, 0, INDIRECT, 48, Virtqueue.DESC_F_INDIRECT, 0);
        d.publish(0);
        d.dev.service();
        assertEquals(VirtioBlk.S_OK, status(d));
        byte[] expect = new byte[512];
        disk.read(512, expect, 0, 512);
        assertArrayEquals(expect, d.bytes(BUF, 512));
    }

    /** One hostile ring layout: what the driver writes, and whether the device must refuse it. */
    interface Hostile {
        void setUp(FakeDriver d);
    }

    void assertBreaks(String what, long features, Hostile h) throws Exception {
        FakeDriver d = blk(false, 4);
        d.start(features);
        header(d, VirtioBlk.T_IN, 0);
        h.setUp(d);
        int edges = d.edges;
        d.dev.service();
        assertTrue(d.needsReset(), what + ": DEVICE_NEEDS_RESET expected");
        assertTrue((d.reg(INTERRUPT_STATUS) & INT_CONFIG) != 0, what + ": config-change interrupt status");
        assertTrue(d.edges > edges, what + ": an interrupt was raised");
        assertEquals(0, d.usedIdx(), what + ": nothing was completed");
        assertEquals(0, d.outside, what + ": no access outside RAM");
        assertNotNull(d.dev.broken());
        // Later kicks are ignored until reset; reset clears everything, and the device works again.
        d.dev.service();
        assertEquals(0, d.outside);
        d.reg(STATUS, 0);
        assertEquals(0, d.reg(STATUS));
        assertEquals(0, d.reg(INTERRUPT_STATUS));
        d.reg(QUEUE_SEL, 0);
        assertEquals(0, d.reg(QUEUE_READY));
        d.availIdx = 0;
        d.nextDesc = 0;
        d.start(ALL);
        header(d, VirtioBlk.T_IN, 0);
        d.add(new Buf(HDR, 16, false), new Buf(BUF, 512, true), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(1, d.usedIdx(), what + ": works after reset");
        assertEquals(VirtioBlk.S_OK, status(d));
    }

    @Test
    void hostileRingsPutTheDeviceInNeedsReset() throws Exception {
        assertBreaks("available index a queue and more ahead", ALL, d -> d.u16(AVAIL + 2, 17));
        assertBreaks("head index past the queue", ALL, d -> {
            d.u16(AVAIL + 4, 16);
            d.u16(AVAIL + 2, 1);
        });
        assertBreaks("next index past the queue", ALL, d -> {
            d.desc(DESC, 0, HDR, 16, 1, 200);
            d.publish(0);
        });
        assertBreaks("a loop", ALL, d -> {
            d.desc(DESC, 0, HDR, 16, 1, 1);
            d.desc(DESC, 1, BUF, 16, 1, 0);
            d.publish(0);
        });
        assertBreaks("a buffer outside RAM", ALL, d -> d.add(new Buf(HDR, 16, false), new Buf(RAM - 256, 512, true),
                new Buf(STATUS_BYTE, 1, true)));
        assertBreaks("a length that wraps", ALL, d -> d.add(new Buf(HDR, 16, false), new Buf(-4096L, 0x2000, true),
                new Buf(STATUS_BYTE, 1, true)));
        assertBreaks("an address far outside", ALL, d -> d.add(new Buf(0x7fff_ffff_0000L, 16, false), new Buf(STATUS_BYTE, 1, true)));
        assertBreaks("the request header in a device-writable buffer", ALL, d -> d.add(new Buf(HDR, 16, true),
                new Buf(STATUS_BYTE, 1, true)));
        assertBreaks("a readable buffer after a writable one", ALL, d -> d.add(new Buf(HDR, 16, false),
                new Buf(BUF, 512, true), new Buf(BUF + 512, 512, false), new Buf(STATUS_BYTE, 1, true)));
        assertBreaks("no status byte", ALL, d -> d.add(new Buf(HDR, 16, false), new Buf(BUF, 512, false)));
        assertBreaks("indirect table length not a multiple of 16", ALL, d -> {
            d.desc(DESC, 0, INDIRECT, 40, Virtqueue.DESC_F_INDIRECT, 0);
            d.publish(0);
        });
        assertBreaks("empty indirect table", ALL, d -> {
            d.desc(DESC, 0, INDIRECT, 0, Virtqueue.DESC_F_INDIRECT, 0);
            d.publish(0);
        });
        assertBreaks("indirect table larger than the queue", ALL, d -> {
            d.desc(DESC, 0, INDIRECT, 16 * 17, Virtqueue.DESC_F_INDIRECT, 0);
            d.publish(0);
        });
        assertBreaks("nested indirect table", ALL, d -> {
            d.desc(INDIRECT, 0, INDIRECT + 0x100, 32, Virtqueue.DESC_F_INDIRECT, 0);
            d.desc(DESC, 0, INDIRECT, 16, Virtqueue.DESC_F_INDIRECT, 0);
            d.publish(0);
        });
        assertBreaks("indirect table outside RAM", ALL, d -> {
            d.desc(DESC, 0, RAM - 16, 32, Virtqueue.DESC_F_INDIRECT, 0);
            d.publish(0);
        });
        assertBreaks("a loop in an indirect table", ALL, d -> {
            d.desc(INDIRECT, 0, HDR, 16, 1, 1);
            d.desc(INDIRECT, 1, BUF, 16, 1, 0);
            d.desc(DESC, 0, INDIRECT, 32, Virtqueue.DESC_F_INDIRECT, 0);
            d.publish(0);
        });
        assertBreaks("indirect descriptor without the feature", ALL & ~F_INDIRECT_DESC, d -> {
            d.desc(INDIRECT, 0, HDR, 16, 0, 0);
            d.desc(DESC, 0, INDIRECT, 16, Virtqueue.DESC_F_INDIRECT, 0);
            d.publish(0);
        });
    }

    @Test
    void ringsOutsideRamAreRefusedAtQueueReady() throws Exception {
        FakeDriver d = blk(false, 4);
        assertTrue(d.negotiate(ALL));
        d.queue(0, RAM - 64, AVAIL, USED); // 16 descriptors need 256 bytes
        assertEquals(0, d.reg(QUEUE_READY));
        assertTrue(d.needsReset());
        assertTrue((d.reg(INTERRUPT_STATUS) & INT_CONFIG) != 0);
        FakeDriver e = blk(false, 4);
        assertTrue(e.negotiate(ALL));
        e.size = 12; // not a power of 2
        e.queue(0, DESC, AVAIL, USED);
        assertTrue(e.needsReset());
        assertEquals(0, e.outside + d.outside);
    }

    @Test
    void eventIdxSuppressesInterruptsTheDriverDidNotAskFor() throws Exception {
        FakeDriver d = blk(false, 4);
        d.start(ALL);
        // used_event = 5: no interrupt until the used index passes 5.
        d.u16(AVAIL + 4 + 2 * 16, 5);
        for (int i = 0; i < 3; i++) {
            header(d, VirtioBlk.T_FLUSH, 0);
            d.add(new Buf(HDR, 16, false), new Buf(STATUS_BYTE, 1, true));
            d.dev.service();
        }
        assertEquals(3, d.usedIdx());
        assertEquals(0, d.edges);
        assertEquals(3, d.u16(USED + 4 + 8 * 16), "avail_event tells the driver where to kick next");
        for (int i = 0; i < 3; i++) {
            header(d, VirtioBlk.T_FLUSH, 0);
            d.add(new Buf(HDR, 16, false), new Buf(STATUS_BYTE, 1, true));
        }
        d.dev.service();
        assertEquals(6, d.usedIdx());
        assertEquals(1, d.edges, "one interrupt for the batch that crossed used_event");
        assertEquals(INT_USED, d.reg(INTERRUPT_STATUS));
        d.reg(INTERRUPT_ACK, INT_USED);
        assertEquals(0, d.reg(INTERRUPT_STATUS));
    }

    @Test
    void withoutEventIdxTheNoInterruptFlagIsHonoured() throws Exception {
        FakeDriver d = blk(false, 4);
        d.start(ALL & ~F_EVENT_IDX);
        d.u16(AVAIL, Virtqueue.AVAIL_F_NO_INTERRUPT);
        header(d, VirtioBlk.T_FLUSH, 0);
        d.add(new Buf(HDR, 16, false), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(0, d.edges);
        d.u16(AVAIL, 0);
        d.add(new Buf(HDR, 16, false), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(1, d.edges);
    }

    @Test
    void nothingIsServedBeforeDriverOk() throws Exception {
        FakeDriver d = blk(false, 4);
        assertTrue(d.negotiate(ALL));
        d.queue(0, DESC, AVAIL, USED);
        header(d, VirtioBlk.T_IN, 0);
        d.add(new Buf(HDR, 16, false), new Buf(BUF, 512, true), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        assertEquals(0, d.usedIdx());
        d.reg(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
        d.dev.service();
        assertEquals(1, d.usedIdx());
    }

    /**
     * Seeded fuzz of the queue walker through virtio-blk: random descriptor tables (addresses in
     * and out of RAM, wrapping lengths, random flags and next indices, indirect tables), random
     * available rings and indices. Whatever the driver wrote: nothing escapes service(), no access
     * lands outside RAM, and the device either completes requests or sets NEEDS_RESET.
     */
    @Test
    void fuzzTheQueueWalker() throws Exception {
        FakeDriver d = blk(false, 64);
        Random rnd = new Random(0x5eed_0011L);
        long[] addrs = {HDR, BUF, BUF + 0x800, STATUS_BYTE, INDIRECT, RAM - 1, RAM - 16, RAM, -1L, -4096L, 0x1_0000_0000L, DESC};
        int broken = 0, completed = 0;
        for (int iter = 0; iter < 5000; iter++) {
            d.availIdx = 0;
            d.nextDesc = 0;
            boolean indirect = rnd.nextBoolean();
            d.start(rnd.nextInt(4) != 0 ? ALL : ALL & ~(F_EVENT_IDX | F_INDIRECT_DESC));
            int type = new int[] {VirtioBlk.T_IN, VirtioBlk.T_OUT, VirtioBlk.T_FLUSH, VirtioBlk.T_GET_ID,
                    VirtioBlk.T_DISCARD, VirtioBlk.T_WRITE_ZEROES, rnd.nextInt()}[rnd.nextInt(7)];
            header(d, type, rnd.nextInt(80) - 4);
            // A valid request first (header, 1-3 data buffers, status), directly or through an indirect table...
            int nData = 1 + rnd.nextInt(3);
            boolean write = type == VirtioBlk.T_OUT || type == VirtioBlk.T_DISCARD || type == VirtioBlk.T_WRITE_ZEROES;
            long table = indirect ? INDIRECT : DESC;
            int count = nData + 2;
            d.desc(table, 0, HDR, 16, 1, 1);
            for (int k = 1; k <= nData; k++) d.desc(table, k, BUF + 0x400L * k, 512, (write ? 0 : 2) | 1, k + 1);
            d.desc(table, count - 1, STATUS_BYTE, 1, 2, 0);
            if (indirect) d.desc(DESC, 0, INDIRECT, 16L * count, Virtqueue.DESC_F_INDIRECT, 0);
            d.publish(0);
            // ...then 0-3 hostile edits of one field each.
            int edits = rnd.nextInt(4);
            for (int e = 0; e < edits; e++) {
                long t = rnd.nextBoolean() ? DESC : INDIRECT;
                long at = t + 16L * rnd.nextInt(indirect ? count + 1 : 17);
                switch (rnd.nextInt(7)) {
                    case 0 -> d.ram.writeU64(at, rnd.nextBoolean() ? addrs[rnd.nextInt(addrs.length)] : rnd.nextLong());
                    case 1 -> d.ram.write(at + 8, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                            .putInt(rnd.nextBoolean() ? rnd.nextInt(600) : rnd.nextInt()).array(), 0, 4);
                    case 2 -> d.u16(at + 12, rnd.nextInt(8));
                    case 3 -> d.u16(at + 14, rnd.nextBoolean() ? rnd.nextInt(20) : rnd.nextInt(0x10000));
                    case 4 -> d.u16(AVAIL + 2, rnd.nextInt(0x10000));
                    case 5 -> d.u16(AVAIL + 4, rnd.nextBoolean() ? rnd.nextInt(17) : rnd.nextInt(0x10000));
                    default -> d.publish(rnd.nextInt(17));
                }
            }
            d.dev.service();
            assertEquals(0, d.outside, "iteration " + iter + " touched memory outside RAM");
            if (d.needsReset()) broken++;
            else completed += d.usedIdx();
        }
        assertTrue(broken > 500 && completed > 100, "the fuzz covers both outcomes: broken " + broken + ", completed " + completed);
    }

    /** Through the part on a test wiring: the worker thread, the doorbell rung by QueueNotify, the IRQ and the cmdline. */
    @Test
    void partAnnouncesItselfAndServesKicksOnItsThread() throws Exception {
        Path f = tmp.resolve("p.img");
        Files.write(f, new byte[4096]);
        disk = DiskImage.open(f, false);
        TestWiring w = new TestWiring(RAM, 1);
        VirtioMmioPart part = new VirtioMmioPart("virtio-blk0", new VirtioBlk(disk));
        try {
            w.assemble(List.of(part));
            assertEquals(List.of(String.format("virtio_mmio.device=512@0x%x:%d", part.base(), part.irq())), w.platform.kernelCmdline());
            assertEquals("virtio-mmio", w.platform.mmioDevices().get(0).kind());
            assertEquals(0, part.base() & 0xfff);
            assertEquals(MAGIC, w.mmio.read(part.base(), 4));
            // Bring the device up through the bus and kick it.
            FakeDriver d = new FakeDriver(new VirtioRng()); // only for its helpers over w.memory
            long b = part.base();
            w.mmio.write(b + STATUS, 4, S_ACKNOWLEDGE | S_DRIVER);
            w.mmio.write(b + DRIVER_FEATURES_SEL, 4, 1);
            w.mmio.write(b + DRIVER_FEATURES, 4, 1);
            w.mmio.write(b + STATUS, 4, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
            w.mmio.write(b + QUEUE_NUM, 4, 16);
            w.mmio.write(b + QUEUE_DESC_LOW, 4, DESC);
            w.mmio.write(b + QUEUE_DRIVER_LOW, 4, AVAIL);
            w.mmio.write(b + QUEUE_DEVICE_LOW, 4, USED);
            w.mmio.write(b + QUEUE_READY, 4, 1);
            w.mmio.write(b + STATUS, 4, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
            byte[] h = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(VirtioBlk.T_GET_ID).array();
            w.memory.write(HDR, h, 0, 16);
            writeDesc(w, 0, HDR, 16, 1, 1);
            writeDesc(w, 1, BUF, 20, 3, 2);
            writeDesc(w, 2, STATUS_BYTE, 1, 2, 0);
            w.memory.write(AVAIL + 4, new byte[] {0, 0}, 0, 2);
            w.memory.write(AVAIL + 2, new byte[] {1, 0}, 0, 2);
            w.mmio.write(b + QUEUE_NOTIFY, 4, 0);
            long deadline = System.nanoTime() + 5_000_000_000L;
            byte[] idx = new byte[2];
            while (System.nanoTime() < deadline) {
                w.memory.read(USED + 2, idx, 0, 2);
                if (idx[0] == 1) break;
                Thread.sleep(1);
            }
            assertEquals(1, idx[0], "the worker thread served the kick");
            byte[] id = new byte[20];
            w.memory.read(BUF, id, 0, 20);
            assertEquals(disk.serial(), new String(id, StandardCharsets.US_ASCII).replace("\0", ""));
            assertEquals(1, w.mmio.read(b + INTERRUPT_STATUS, 4));
            assertTrue(d.outside == 0);
        } finally {
            part.close();
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("virtio-blk0")),
                "the worker thread ended with close()");
    }

    static void writeDesc(TestWiring w, int i, long addr, int len, int flags, int next) {
        byte[] b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(addr).putInt(len)
                .putShort((short) flags).putShort((short) next).array();
        w.memory.write(DESC + 16L * i, b, 0, 16);
    }

    @Test
    void stateSurvivesSaveAndRestoreIntoAFreshTransport() throws Exception {
        FakeDriver d = blk(false, 8);
        d.start(ALL);
        header(d, VirtioBlk.T_FLUSH, 0);
        d.add(new Buf(HDR, 16, false), new Buf(STATUS_BYTE, 1, true));
        d.dev.service();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        d.dev.saveState(new java.io.DataOutputStream(bytes));
        // A new transport over the same RAM continues where the first one stopped.
        VirtioMmio copy = new VirtioMmio(new VirtioBlk(disk), d.memory, d.guestRam, () -> { });
        copy.restoreState(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(d.reg(STATUS), (int) copy.read(STATUS, 4));
        assertEquals(d.dev.negotiated(), copy.negotiated());
        assertEquals(1, copy.queue(0).lastAvail());
        header(d, VirtioBlk.T_IN, 0);
        d.add(new Buf(HDR, 16, false), new Buf(BUF, 512, true), new Buf(STATUS_BYTE, 1, true));
        copy.service();
        assertEquals(2, d.usedIdx());
        assertEquals(VirtioBlk.S_OK, status(d));
        // A snapshot of another device type is refused.
        byte[] bad = bytes.toByteArray();
        VirtioMmio other = new VirtioMmio(new VirtioRng(), d.memory, d.guestRam, () -> { });
        assertThrows(java.io.IOException.class,
                () -> other.restoreState(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bad))));
    }

    @Test
    void rngFillsBuffersBoundedPerRequest() {
        FakeDriver d = new FakeDriver(new VirtioRng(new java.security.SecureRandom()));
        d.start(F_VERSION_1);
        d.add(new Buf(BUF, 64, true));
        d.add(new Buf(DATA + 0x20000, 0x40000, true)); // 256 KiB asked, 64 KiB given
        d.dev.service();
        assertEquals(2, d.usedIdx());
        assertEquals(64, d.used(0)[1]);
        assertEquals(VirtioRng.MAX_PER_REQUEST, d.used(1)[1]);
        assertFalse(Arrays.equals(new byte[64], d.bytes(BUF, 64)));
        assertArrayEquals(new byte[16], d.bytes(DATA + 0x20000 + VirtioRng.MAX_PER_REQUEST, 16), "nothing past the bound");
    }

    @Test
    void consoleTransmitsToTheStreamAndReceivesHostInput() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        VirtioConsole con = new VirtioConsole(out);
        FakeDriver d = new FakeDriver(con);
        assertTrue(d.negotiate(F_VERSION_1));
        d.queue(0, DESC, AVAIL, USED);
        d.queue(1, DESC + 0x8000, AVAIL + 0x8000, USED + 0x8000);
        d.reg(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
        assertEquals(1, d.dev.read(CONFIG + 4, 4), "max_nr_ports");
        // rx buffer posted on queue 0; no input yet: it stays with the device.
        d.add(new Buf(BUF, 8, true));
        d.dev.service();
        assertEquals(0, d.usedIdx());
        assertEquals(5, con.receive("hello".getBytes(), 0, 5));
        d.dev.service();
        assertEquals(1, d.usedIdx());
        assertEquals(5, d.used(0)[1]);
        assertEquals("hello", new String(d.bytes(BUF, 5)));
        // tx on queue 1.
        d.ram.write(BUF + 0x100, "boot log\n".getBytes(), 0, 9);
        d.desc(DESC + 0x8000, 0, BUF + 0x100, 9, 0, 0);
        d.u16(AVAIL + 0x8000 + 4, 0);
        d.u16(AVAIL + 0x8000 + 2, 1);
        d.dev.service();
        assertEquals("boot log\n", out.toString());
        assertEquals(1, d.u16(USED + 0x8000 + 2));
    }
}
