package io.minivmm.vmm.devices.ata;

import static io.minivmm.vmm.devices.ata.AtaChannel.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.vmm.storage.DiskImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ATA channel state machine, driven through its registers as a driver would, on real image files. */
class AtaChannelTest {
    @TempDir
    Path dir;

    private final List<DiskImage> open = new ArrayList<>();
    /** Every level change of INTRQ, in order. */
    private final List<Boolean> irqEdges = new ArrayList<>();
    private AtaChannel ch;

    @AfterEach
    void closeImages() { open.forEach(DiskImage::close); }

    /** Byte {@code i} of sector {@code s} of a fresh image. */
    static byte pattern(long s, int i) { return (byte) (s * 31 + i * 7 + (s >>> 8)); }

    private Path imageFile(String name, int sectors) throws IOException {
        Path p = dir.resolve(name);
        byte[] b = new byte[sectors * 512];
        for (int i = 0; i < b.length; i++) b[i] = pattern(i / 512, i % 512);
        Files.write(p, b);
        return p;
    }

    private DiskImage image(String name, int sectors, boolean ro) throws IOException {
        DiskImage d = DiskImage.open(imageFile(name, sectors), ro);
        open.add(d);
        return d;
    }

    /** A fresh image file {@code name} as the master of a new channel; returns the file. */
    private Path master(String name, int sectors, boolean ro) throws IOException {
        Path p = imageFile(name, sectors);
        DiskImage img = DiskImage.open(p, ro);
        open.add(img);
        channel(img, null);
        return p;
    }

    private AtaChannel channel(DiskImage master, DiskImage slave) {
        irqEdges.clear();
        ch = new AtaChannel(master, slave, irqEdges::add);
        return ch;
    }

    private AtaChannel disk(int sectors) throws IOException { return channel(image("d.img", sectors, false), null); }

    private void out(int reg, int v) { ch.commandBlock().write(reg, 1, v); }

    private int in(int reg) { return ch.commandBlock().read(reg, 1) & 0xff; }

    private int status() { return in(REG_STATUS_COMMAND); }

    private int alt() { return ch.controlBlock().read(0, 1) & 0xff; }

    private int error() { return in(REG_ERROR_FEATURES); }

    private void control(int v) { ch.controlBlock().write(0, 1, v); }

    private void lba28(long lba, int count, int cmd) {
        out(REG_COUNT, count);
        out(REG_LBA_LOW, (int) lba);
        out(REG_LBA_MID, (int) (lba >> 8));
        out(REG_LBA_HIGH, (int) (lba >> 16));
        out(REG_DEVICE, 0xe0 | (int) (lba >> 24) & 0x0f);
        out(REG_STATUS_COMMAND, cmd);
    }

    private void lba48(long lba, int count, int cmd) {
        out(REG_COUNT, count >> 8);
        out(REG_LBA_LOW, (int) (lba >> 24));
        out(REG_LBA_MID, (int) (lba >> 32));
        out(REG_LBA_HIGH, (int) (lba >> 40));
        out(REG_COUNT, count);
        out(REG_LBA_LOW, (int) lba);
        out(REG_LBA_MID, (int) (lba >> 8));
        out(REG_LBA_HIGH, (int) (lba >> 16));
        out(REG_DEVICE, 0x40);
        out(REG_STATUS_COMMAND, cmd);
    }

    /** Reads {@code bytes} from the data port with 16-bit accesses. */
    private byte[] readData16(int bytes) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i += 2) {
            int w = ch.commandBlock().read(REG_DATA, 2) & 0xffff;
            b[i] = (byte) w;
            b[i + 1] = (byte) (w >> 8);
        }
        return b;
    }

    private byte[] readData32(int bytes) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i += 4) {
            int w = ch.commandBlock().read(REG_DATA, 4);
            for (int k = 0; k < 4; k++) b[i + k] = (byte) (w >> (8 * k));
        }
        return b;
    }

    private void writeData32(byte[] b) {
        for (int i = 0; i < b.length; i += 4) {
            int w = (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
            ch.commandBlock().write(REG_DATA, 4, w);
        }
    }

    private static byte[] expected(long lba, int sectors) {
        byte[] b = new byte[sectors * 512];
        for (int i = 0; i < b.length; i++) b[i] = pattern(lba + i / 512, i % 512);
        return b;
    }

    private static int word(byte[] id, int w) { return (id[2 * w] & 0xff) | (id[2 * w + 1] & 0xff) << 8; }

    private static String string(byte[] id, int w, int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) sb.append((char) (word(id, w + i) >> 8)).append((char) (word(id, w + i) & 0xff));
        return sb.toString();
    }

    private byte[] identify() {
        out(REG_DEVICE, 0xa0 | (in(REG_DEVICE) & DEV));
        out(REG_STATUS_COMMAND, CMD_IDENTIFY);
        assertEquals(DRDY | DSC | DRQ, status());
        return readData16(512);
    }

    private static byte[] sectorsOf(Path p, long lba, int n) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
            byte[] b = new byte[n * 512];
            f.seek(lba * 512);
            f.readFully(b);
            return b;
        }
    }

    // ---- IDENTIFY ----

    @Test
    void identifyReportsTheDiskAndSumsToZero() throws IOException {
        DiskImage img = image("id.img", 4096 + 7, false);
        channel(img, null);
        out(REG_DEVICE, 0xa0);
        out(REG_STATUS_COMMAND, CMD_IDENTIFY);
        assertTrue(ch.irqAsserted(), "PIO-in data ready raises INTRQ");
        assertEquals(DRDY | DSC | DRQ, alt());
        assertTrue(ch.irqAsserted(), "alternate status leaves INTRQ alone");
        assertEquals(DRDY | DSC | DRQ, status());
        assertFalse(ch.irqAsserted(), "reading status clears INTRQ");
        byte[] id = readData16(512);
        assertEquals(DRDY | DSC, status(), "DRQ ends with the last word");
        assertFalse(ch.irqAsserted(), "no interrupt after the last PIO-in word");

        assertEquals(0x0040, word(id, 0));
        assertEquals(4, word(id, 1), "cylinders = 4103 / (16*63)");
        assertEquals(16, word(id, 3));
        assertEquals(63, word(id, 6));
        assertEquals(String.format("%-20s", img.serial()), string(id, 10, 10));
        assertEquals(String.format("%-8s", AtaIdentify.FIRMWARE), string(id, 23, 4));
        assertEquals(String.format("%-40s", AtaIdentify.MODEL), string(id, 27, 20));
        assertEquals(0x8010, word(id, 47), "READ/WRITE MULTIPLE up to 16 sectors");
        assertEquals(0x0200, word(id, 49) & 0x0200, "LBA");
        assertEquals(0, word(id, 49) & 0x0100, "no DMA");
        assertEquals(0x0110, word(id, 59), "multiple mode valid, 16 sectors");
        assertEquals(4096 + 7, word(id, 60) | word(id, 61) << 16, "LBA28 capacity");
        assertEquals(4 * 16 * 63, word(id, 57) | word(id, 58) << 16, "current CHS capacity");
        assertEquals(0x0400, word(id, 83) & 0x0400, "48-bit address feature set");
        assertEquals(0x3000, word(id, 83) & 0x3000, "FLUSH CACHE and FLUSH CACHE EXT");
        assertEquals(0x4000, word(id, 83) & 0xc000);
        assertEquals(0x3400, word(id, 86) & 0x3400, "enabled likewise");
        assertEquals(0x0020, word(id, 85) & 0x0020, "write cache enabled");
        assertEquals(4096 + 7, word(id, 100) | word(id, 101) << 16);
        assertEquals(0, word(id, 102) | word(id, 103));
        assertEquals(0xa5, word(id, 255) & 0xff);
        int sum = 0;
        for (byte b : id) sum += b & 0xff;
        assertEquals(0, sum & 0xff, "integrity word: the 512 bytes sum to 0");
    }

    @Test
    void identifyCapsLba28AndReportsLba48OfAHugeSparseDisk() throws IOException {
        Path p = dir.resolve("huge.img");
        long sectors = (1L << 28) + 16; // 128 GiB + 8 KiB, sparse
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(sectors * 512);
        }
        DiskImage img = DiskImage.open(p, false);
        open.add(img);
        channel(img, null);
        byte[] id = identify();
        assertEquals(0x0fffffff, word(id, 60) | word(id, 61) << 16);
        assertEquals(sectors, word(id, 100) | (long) word(id, 101) << 16 | (long) word(id, 102) << 32);
        assertEquals(16383, word(id, 1), "default cylinders cap at 16383");

        // LBA48 reaches past 2^28: write there with WRITE SECTORS EXT, read back with READ SECTORS EXT.
        byte[] data = expected(77, 1);
        lba48((1L << 28) + 3, 1, CMD_WRITE_SECTORS_EXT);
        assertEquals(DRDY | DSC | DRQ, alt());
        writeData32(data);
        assertEquals(DRDY | DSC, status());
        assertArrayEquals(data, sectorsOf(p, (1L << 28) + 3, 1));
        lba48((1L << 28) + 3, 1, CMD_READ_SECTORS_EXT);
        status();
        assertArrayEquals(data, readData32(512));
        lba48(sectors - 1, 2, CMD_READ_SECTORS_EXT);
        assertEquals(DRDY | DSC | ERR, status());
        assertEquals(IDNF, error());
    }

    // ---- reads ----

    @Test
    void readSectorsLba28RaisesAnInterruptPerSector() throws IOException {
        disk(64);
        lba28(5, 3, CMD_READ_SECTORS);
        byte[] got = new byte[3 * 512];
        for (int s = 0; s < 3; s++) {
            assertTrue(ch.irqAsserted(), "block " + s + " ready");
            assertEquals(DRDY | DSC | DRQ, status());
            System.arraycopy(readData16(512), 0, got, s * 512, 512);
        }
        assertEquals(DRDY | DSC, status());
        assertFalse(ch.irqAsserted());
        assertArrayEquals(expected(5, 3), got);
        assertEquals(0xffff, ch.commandBlock().read(REG_DATA, 2) & 0xffff, "no DRQ: the data port floats");
    }

    @Test
    void readSectorsCountZeroMeans256() throws IOException {
        disk(300);
        lba28(10, 0, CMD_READ_SECTORS);
        for (int s = 0; s < 256; s++) {
            assertEquals(DRDY | DSC | DRQ, status(), "sector " + s);
            byte[] b = readData32(512);
            if (s == 255) assertArrayEquals(expected(265, 1), b);
        }
        assertEquals(DRDY | DSC, status());
    }

    @Test
    void readSectorsByChsUsesTheDefaultTranslation() throws IOException {
        disk(4 * 1008);
        // C=2 H=3 S=5 -> (2*16 + 3) * 63 + 4
        out(REG_COUNT, 2);
        out(REG_LBA_LOW, 5);
        out(REG_LBA_MID, 2);
        out(REG_LBA_HIGH, 0);
        out(REG_DEVICE, 0xa0 | 3);
        out(REG_STATUS_COMMAND, CMD_READ_SECTORS);
        status();
        byte[] b = readData16(1024);
        assertArrayEquals(expected((2 * 16 + 3) * 63 + 4, 2), b);
        // Sector 0 does not exist in CHS, nor does sector 64 or head 16 or cylinder 4.
        for (int[] chs : new int[][] {{0, 0, 0}, {0, 0, 64}, {4, 0, 1}}) {
            out(REG_COUNT, 1);
            out(REG_LBA_LOW, chs[2]);
            out(REG_LBA_MID, chs[0]);
            out(REG_LBA_HIGH, 0);
            out(REG_DEVICE, 0xa0 | chs[1]);
            out(REG_STATUS_COMMAND, CMD_READ_SECTORS);
            assertEquals(DRDY | DSC | ERR, status(), Arrays.toString(chs));
            assertEquals(IDNF, error());
        }
    }

    @Test
    void initializeDeviceParametersChangesTheChsTranslation() throws IOException {
        disk(4 * 1008);
        out(REG_COUNT, 17);
        out(REG_DEVICE, 0xa0 | 3); // 4 heads
        out(REG_STATUS_COMMAND, CMD_INITIALIZE_PARAMETERS);
        assertEquals(DRDY | DSC, status());
        byte[] id = identify();
        assertEquals(4 * 1008 / (4 * 17), word(id, 54));
        assertEquals(4, word(id, 55));
        assertEquals(17, word(id, 56));
        assertEquals(16, word(id, 3), "the default translation stays");
        out(REG_COUNT, 1);
        out(REG_LBA_LOW, 17);
        out(REG_LBA_MID, 1);
        out(REG_LBA_HIGH, 0);
        out(REG_DEVICE, 0xa0 | 2);
        out(REG_STATUS_COMMAND, CMD_READ_SECTORS);
        status();
        assertArrayEquals(expected((1 * 4 + 2) * 17 + 16, 1), readData16(512));
        out(REG_COUNT, 0);
        out(REG_STATUS_COMMAND, CMD_INITIALIZE_PARAMETERS);
        assertEquals(DRDY | DSC | ERR, status());
        assertEquals(ABRT, error());
    }

    @Test
    void readMultipleTransfersBlocksOfTheMultipleCount() throws IOException {
        disk(64);
        out(REG_COUNT, 4);
        out(REG_STATUS_COMMAND, CMD_SET_MULTIPLE);
        assertEquals(DRDY | DSC, status());
        assertEquals(0x0104, word(identify(), 59));
        lba28(3, 10, CMD_READ_MULTIPLE);
        byte[] got = new byte[10 * 512];
        int at = 0;
        int interrupts = 0;
        for (int block : new int[] {4, 4, 2}) {
            assertTrue(ch.irqAsserted());
            interrupts++;
            assertEquals(DRDY | DSC | DRQ, status());
            System.arraycopy(readData32(block * 512), 0, got, at, block * 512);
            at += block * 512;
        }
        assertEquals(3, interrupts);
        assertEquals(DRDY | DSC, status());
        assertArrayEquals(expected(3, 10), got);

        lba48(20, 17, CMD_READ_MULTIPLE_EXT);
        status();
        assertArrayEquals(expected(20, 4), readData16(4 * 512));
    }

    @Test
    void setMultipleRejectsBadCountsAndZeroDisablesMultipleCommands() throws IOException {
        disk(64);
        for (int bad : new int[] {3, 5, 32, 255}) {
            out(REG_COUNT, bad);
            out(REG_STATUS_COMMAND, CMD_SET_MULTIPLE);
            assertEquals(DRDY | DSC | ERR, status(), "count " + bad);
            assertEquals(ABRT, error());
        }
        assertEquals(0x0110, word(identify(), 59), "a refused count leaves the setting");
        out(REG_COUNT, 0);
        out(REG_STATUS_COMMAND, CMD_SET_MULTIPLE);
        assertEquals(DRDY | DSC, status());
        assertEquals(0, word(identify(), 59));
        for (int cmd : new int[] {CMD_READ_MULTIPLE, CMD_WRITE_MULTIPLE, CMD_READ_MULTIPLE_EXT, CMD_WRITE_MULTIPLE_EXT}) {
            lba28(0, 1, cmd);
            assertEquals(DRDY | DSC | ERR, status(), Integer.toHexString(cmd));
            assertEquals(ABRT, error());
        }
    }

    @Test
    void readVerifyChecksTheRangeWithoutData() throws IOException {
        disk(64);
        lba28(60, 4, CMD_READ_VERIFY);
        assertTrue(ch.irqAsserted());
        assertEquals(DRDY | DSC, status());
        lba28(61, 4, CMD_READ_VERIFY);
        assertEquals(DRDY | DSC | ERR, status());
        assertEquals(IDNF, error());
        lba48(0, 64, CMD_READ_VERIFY_EXT);
        assertEquals(DRDY | DSC, status());
    }

    @Test
    void readsPastTheEndAreIdnfAndMoveNoData() throws IOException {
        disk(64);
        lba28(63, 2, CMD_READ_SECTORS);
        assertTrue(ch.irqAsserted());
        assertEquals(DRDY | DSC | ERR, status());
        assertEquals(IDNF, error());
        assertEquals(0xffff, ch.commandBlock().read(REG_DATA, 2) & 0xffff);
        lba28(0x0fffffff, 0, CMD_READ_SECTORS);
        assertEquals(IDNF, error());
        lba48(0xffff_ffff_ffffL, 0, CMD_READ_SECTORS_EXT);
        assertEquals(DRDY | DSC | ERR, status());
        assertEquals(IDNF, error());
        lba28(63, 1, CMD_READ_SECTORS);
        assertEquals(DRDY | DSC | DRQ, status(), "the last sector itself is fine");
        assertEquals(0, error());
    }

    @Test
    void anUnreadableImageIsAnUncorrectableError() throws IOException {
        DiskImage img = image("gone.img", 16, false);
        channel(img, null);
        img.close();
        lba28(2, 1, CMD_READ_SECTORS);
        assertEquals(DRDY | DSC | ERR, status());
        assertEquals(UNC, error());
        assertEquals(2, in(REG_LBA_LOW), "the failing sector");
        out(REG_STATUS_COMMAND, CMD_FLUSH_CACHE);
        assertEquals(DRDY | DF | DSC | ERR, status());
        assertEquals(ABRT, error());
    }

    // ---- writes ----

    @Test
    void writeSectorsReachTheFileBlockByBlock() throws IOException {
        Path p = master("w.img", 64, false);
        byte[] data = new byte[3 * 512];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (0xa5 ^ i);
        lba28(9, 3, CMD_WRITE_SECTORS);
        assertFalse(ch.irqAsserted(), "the first PIO-out block is requested without an interrupt");
        assertEquals(DRDY | DSC | DRQ, status());
        for (int s = 0; s < 3; s++) {
            writeData32(Arrays.copyOfRange(data, s * 512, s * 512 + 512));
            assertTrue(ch.irqAsserted(), "block " + s + " taken");
            assertEquals(s < 2 ? DRDY | DSC | DRQ : DRDY | DSC, status());
        }
        assertArrayEquals(data, sectorsOf(p, 9, 3));
        assertArrayEquals(expected(8, 1), sectorsOf(p, 8, 1));
        assertArrayEquals(expected(12, 1), sectorsOf(p, 12, 1));
        out(REG_STATUS_COMMAND, CMD_FLUSH_CACHE_EXT);
        assertTrue(ch.irqAsserted());
        assertEquals(DRDY | DSC, status());
        out(REG_STATUS_COMMAND, CMD_FLUSH_CACHE);
        assertEquals(DRDY | DSC, status());
    }

    @Test
    void writeMultipleExtAndSixteenBitWrites() throws IOException {
        Path p = master("wm.img", 64, false);
        byte[] data = new byte[20 * 512];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 13);
        lba48(40, 20, CMD_WRITE_MULTIPLE_EXT);
        int interrupts = 0;
        for (int i = 0; i < data.length; i += 2) {
            ch.commandBlock().write(REG_DATA, 2, (data[i] & 0xff) | (data[i + 1] & 0xff) << 8);
            if (ch.irqAsserted()) {
                interrupts++;
                status();
            }
        }
        assertEquals(2, interrupts, "blocks of 16 and 4 sectors");
        assertArrayEquals(data, sectorsOf(p, 40, 20));
    }

    @Test
    void writesToAReadOnlyDiskAbortAndChangeNothing() throws IOException {
        Path p = master("ro.img", 64, true);
        byte[] before = Files.readAllBytes(p);
        for (int cmd : new int[] {CMD_WRITE_SECTORS, CMD_WRITE_SECTORS_EXT, CMD_WRITE_MULTIPLE, CMD_WRITE_MULTIPLE_EXT}) {
            lba28(1, 1, cmd);
            assertTrue(ch.irqAsserted());
            assertEquals(DRDY | DSC | ERR, status(), Integer.toHexString(cmd));
            assertEquals(ABRT, error());
            writeData32(new byte[512]); // a driver that ignores the error: dropped
        }
        out(REG_STATUS_COMMAND, CMD_FLUSH_CACHE);
        assertEquals(DRDY | DSC, status(), "flushing a read-only disk is a no-op, not an error");
        lba28(1, 1, CMD_READ_SECTORS);
        status();
        assertArrayEquals(expected(1, 1), readData16(512), "reads work");
        assertArrayEquals(before, Files.readAllBytes(p));
    }

    @Test
    void writesPastTheEndAreIdnfAndChangeNothing() throws IOException {
        Path p = master("end.img", 64, false);
        byte[] before = Files.readAllBytes(p);
        lba28(60, 5, CMD_WRITE_SECTORS);
        assertEquals(DRDY | DSC | ERR, status());
        assertEquals(IDNF, error());
        writeData32(new byte[5 * 512]);
        lba48(1L << 40, 1, CMD_WRITE_SECTORS_EXT);
        assertEquals(IDNF, error());
        assertArrayEquals(before, Files.readAllBytes(p));
    }

    @Test
    void aCommandDuringATransferAbandonsIt() throws IOException {
        Path p = master("abandon.img", 64, false);
        byte[] before = Files.readAllBytes(p);
        lba28(4, 1, CMD_WRITE_SECTORS);
        writeData32(new byte[256]); // half a sector
        lba28(7, 1, CMD_READ_SECTORS);
        status();
        assertArrayEquals(expected(7, 1), readData16(512));
        assertArrayEquals(before, Files.readAllBytes(p), "the half-written sector never reached the file");
    }

    @Test
    void writeCacheOffMakesEveryWriteDurableAndIdentifySaysSo() throws IOException {
        disk(64);
        out(REG_ERROR_FEATURES, 0x82);
        out(REG_STATUS_COMMAND, CMD_SET_FEATURES);
        assertEquals(DRDY | DSC, status());
        assertEquals(0, word(identify(), 85) & 0x20);
        out(REG_ERROR_FEATURES, 0x02);
        out(REG_STATUS_COMMAND, CMD_SET_FEATURES);
        assertEquals(0x20, word(identify(), 85) & 0x20);
    }

    @Test
    void setFeaturesAcceptsPioModesAndRefusesDmaAndUnknownSubcommands() throws IOException {
        disk(64);
        for (int mode : new int[] {0x00, 0x01, 0x08, 0x0c}) {
            out(REG_ERROR_FEATURES, 0x03);
            out(REG_COUNT, mode);
            out(REG_STATUS_COMMAND, CMD_SET_FEATURES);
            assertEquals(DRDY | DSC, status(), "mode " + mode);
        }
        for (int mode : new int[] {0x0d, 0x22, 0x45}) {
            out(REG_ERROR_FEATURES, 0x03);
            out(REG_COUNT, mode);
            out(REG_STATUS_COMMAND, CMD_SET_FEATURES);
            assertEquals(DRDY | DSC | ERR, status(), "mode " + mode);
            assertEquals(ABRT, error());
        }
        for (int sub : new int[] {0x55, 0xaa, 0x66, 0xcc}) {
            out(REG_ERROR_FEATURES, sub);
            out(REG_STATUS_COMMAND, CMD_SET_FEATURES);
            assertEquals(DRDY | DSC, status(), "subcommand " + sub);
        }
        out(REG_ERROR_FEATURES, 0x99);
        out(REG_STATUS_COMMAND, CMD_SET_FEATURES);
        assertEquals(DRDY | DSC | ERR, status());
        assertEquals(ABRT, error());
    }

    @Test
    void unknownAndDmaCommandsAbort() throws IOException {
        disk(64);
        for (int cmd : new int[] {0x00, 0x08, 0xa0, 0xa1, 0xc8, 0xca, 0x25, 0x35, 0xf8, 0xff}) {
            out(REG_STATUS_COMMAND, cmd);
            assertTrue(ch.irqAsserted(), Integer.toHexString(cmd));
            assertEquals(DRDY | DSC | ERR, status(), Integer.toHexString(cmd));
            assertEquals(ABRT, error());
            assertFalse(ch.irqAsserted());
        }
        for (int cmd : new int[] {0x10, 0x1f, CMD_IDLE_IMMEDIATE, CMD_STANDBY_IMMEDIATE, CMD_IDLE, CMD_STANDBY}) {
            out(REG_STATUS_COMMAND, cmd);
            assertEquals(DRDY | DSC, status(), Integer.toHexString(cmd));
            assertEquals(0, error(), "a good command clears the error register");
        }
        out(REG_STATUS_COMMAND, CMD_CHECK_POWER_MODE);
        assertEquals(DRDY | DSC, status());
        assertEquals(0xff, in(REG_COUNT), "active");
        lba28(10, 1, CMD_SEEK);
        assertEquals(DRDY | DSC, status());
        lba28(64, 1, CMD_SEEK);
        assertEquals(IDNF, error());
    }

    // ---- interrupts, reset, device selection ----

    @Test
    void nIenReleasesTheLineAndThePendingInterruptReturnsWhenItIsCleared() throws IOException {
        disk(64);
        control(NIEN);
        lba28(0, 1, CMD_READ_VERIFY);
        assertFalse(ch.irqAsserted(), "nIEN: INTRQ not driven");
        control(0);
        assertTrue(ch.irqAsserted(), "the device still has its interrupt pending");
        assertEquals(DRDY | DSC, status());
        assertFalse(ch.irqAsserted());
        assertEquals(List.of(true, false), irqEdges);
        // A new command clears a pending interrupt the driver never acknowledged.
        lba28(0, 1, CMD_READ_VERIFY);
        control(NIEN);
        control(0);
        lba28(0, 1, CMD_IDENTIFY);
        assertTrue(ch.irqAsserted());
    }

    @Test
    void softResetAbandonsATransferHoldsBsyAndLeavesTheSignature() throws IOException {
        Path p = master("srst.img", 64, false);
        lba28(3, 4, CMD_READ_SECTORS);
        readData16(100);
        control(SRST | NIEN);
        assertFalse(ch.irqAsserted());
        assertEquals(BSY, alt());
        assertEquals(BSY, status());
        out(REG_STATUS_COMMAND, CMD_IDENTIFY);
        assertEquals(BSY, status(), "no command runs while SRST is held");
        assertEquals(0xffff, ch.commandBlock().read(REG_DATA, 2) & 0xffff);
        control(0);
        assertEquals(DRDY | DSC, status());
        assertEquals(0x01, error(), "diagnostic code: passed");
        assertEquals(1, in(REG_COUNT));
        assertEquals(1, in(REG_LBA_LOW));
        assertEquals(0, in(REG_LBA_MID));
        assertEquals(0, in(REG_LBA_HIGH));
        assertEquals(0, in(REG_DEVICE));
        assertFalse(ch.irqAsserted(), "SRST raises no interrupt");
        assertEquals(0xffffffff, ch.commandBlock().read(REG_DATA, 4), "the transfer is gone");
        // Same in the middle of a write: nothing reaches the file.
        lba28(3, 2, CMD_WRITE_SECTORS);
        writeData32(new byte[512 + 64]);
        control(SRST);
        control(0);
        writeData32(new byte[512]);
        byte[] after = Files.readAllBytes(p);
        assertArrayEquals(new byte[512], Arrays.copyOfRange(after, 3 * 512, 4 * 512), "the complete first block was written");
        assertArrayEquals(expected(4, 1), Arrays.copyOfRange(after, 4 * 512, 5 * 512), "the half block was not");
    }

    @Test
    void hobReadsThePreviousTaskfileValues() throws IOException {
        disk(64);
        out(REG_COUNT, 0x12);
        out(REG_COUNT, 0x34);
        out(REG_LBA_HIGH, 0x56);
        out(REG_LBA_HIGH, 0x78);
        assertEquals(0x34, in(REG_COUNT));
        control(HOB);
        assertEquals(0x12, in(REG_COUNT));
        assertEquals(0x56, in(REG_LBA_HIGH));
        out(REG_LBA_LOW, 1); // any command-block write clears HOB
        assertEquals(0x34, in(REG_COUNT));
    }

    @Test
    void anAbsentSlaveReadsStatusZeroAndIgnoresCommands() throws IOException {
        disk(64);
        out(REG_DEVICE, 0xb0);
        assertEquals(0, status());
        assertEquals(0, alt());
        out(REG_STATUS_COMMAND, CMD_IDENTIFY);
        assertFalse(ch.irqAsserted());
        assertEquals(0, status());
        assertEquals(0xffff, ch.commandBlock().read(REG_DATA, 2) & 0xffff);
        out(REG_COUNT, 0x55);
        assertEquals(0x55, in(REG_COUNT), "the taskfile is the master's, which answers for the slave");
        assertEquals(0xb0, in(REG_DEVICE));
        // EXECUTE DEVICE DIAGNOSTIC runs whichever device is selected; the master answers.
        out(REG_STATUS_COMMAND, CMD_EXECUTE_DIAGNOSTIC);
        assertEquals(0, in(REG_DEVICE), "the signature selects device 0");
        assertTrue(ch.irqAsserted());
        assertEquals(DRDY | DSC, status());
        assertEquals(1, error());
        assertEquals(1, in(REG_COUNT));
        assertEquals(1, in(REG_LBA_LOW));
    }

    @Test
    void masterAndSlaveAreIndependentAndOnlyTheSelectedOneDrivesTheLine() throws IOException {
        DiskImage m = image("m.img", 32, false);
        DiskImage s = image("s.img", 48, false);
        channel(m, s);
        out(REG_DEVICE, 0xb0);
        byte[] id = identify();
        assertEquals(48, word(id, 60));
        out(REG_DEVICE, 0xa0);
        assertEquals(32, word(identify(), 60));
        out(REG_DEVICE, 0xb0);
        out(REG_STATUS_COMMAND, 0xc8); // abort on the slave
        assertTrue(ch.irqAsserted());
        out(REG_DEVICE, 0xa0);
        assertFalse(ch.irqAsserted(), "the master has nothing pending");
        assertEquals(0, error());
        out(REG_DEVICE, 0xb0);
        assertTrue(ch.irqAsserted());
        assertEquals(ABRT, error());
    }

    @Test
    void aChannelWithOnlyASlaveWorksThroughDevice1() throws IOException {
        channel(null, image("only-slave.img", 16, false));
        assertEquals(0, status(), "device 0 is absent");
        out(REG_DEVICE, 0xb0);
        assertEquals(16, word(identify(), 60));
        lba28(0, 1, CMD_READ_SECTORS);
        assertEquals(0, status(), "lba28() selected device 0 (0xe0): absent");
        out(REG_DEVICE, 0xf0);
        out(REG_STATUS_COMMAND, CMD_READ_SECTORS);
        assertEquals(DRDY | DSC | DRQ, status());
        assertArrayEquals(expected(0, 1), readData16(512));
    }

    @Test
    void aChannelWithNoDeviceFloats() {
        channel(null, null);
        for (int r = 0; r < 8; r++) assertEquals(0xff, in(r));
        assertEquals(0xff, alt());
        out(REG_STATUS_COMMAND, CMD_IDENTIFY);
        control(SRST);
        assertFalse(ch.irqAsserted());
        assertEquals(0xff, status());
    }

    @Test
    void thirtyTwoBitAndByteReadsSplitIntoWords() throws IOException {
        disk(64);
        lba28(6, 2, CMD_READ_SECTORS);
        byte[] e = expected(6, 2);
        // 127 dwords, then one dword straddling nothing: 128 dwords = 1 sector; then bytes.
        byte[] first = readData32(512);
        assertArrayEquals(Arrays.copyOf(e, 512), first);
        assertTrue(ch.irqAsserted(), "second sector ready");
        int b = ch.commandBlock().read(REG_DATA, 1) & 0xff;
        assertEquals(e[512] & 0xff, b, "a byte read takes one word and keeps its low byte");
        byte[] rest = readData16(510);
        assertArrayEquals(Arrays.copyOfRange(e, 514, 1024), rest);
        // A 32-bit read whose second word finds no DRQ floats in the high half.
        lba28(6, 1, CMD_READ_SECTORS);
        readData16(510);
        int last = ch.commandBlock().read(REG_DATA, 4);
        assertEquals(0xffff0000 | (e[510] & 0xff) | (e[511] & 0xff) << 8, last);
    }

    @Test
    void eightBitRegisterReadsWiderThanAByteFloatAbove() throws IOException {
        disk(64);
        assertEquals(0xffffff00 | (DRDY | DSC), ch.commandBlock().read(REG_STATUS_COMMAND, 4));
    }

    @Test
    void powerOnResetRestoresDefaults() throws IOException {
        disk(64);
        out(REG_COUNT, 2);
        out(REG_STATUS_COMMAND, CMD_SET_MULTIPLE);
        lba28(0, 1, CMD_READ_SECTORS);
        control(NIEN);
        ch.reset();
        assertFalse(ch.irqAsserted());
        assertEquals(DRDY | DSC, status());
        assertEquals(0x0110, word(identify(), 59));
    }

    @Test
    void stateSurvivesSaveAndRestoreMidTransfer() throws IOException {
        DiskImage img = image("snap.img", 64, false);
        channel(img, null);
        lba28(10, 3, CMD_READ_SECTORS);
        status();
        readData16(200);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ch.saveState(new DataOutputStream(bytes));
        AtaChannel first = ch;
        channel(img, null);
        ch.restoreState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        byte[] rest = readData16(512 - 200 + 2 * 512);
        assertArrayEquals(Arrays.copyOfRange(expected(10, 3), 200, 3 * 512), rest);
        assertEquals(DRDY | DSC, status());
        assertTrue(first != ch);
        // A state from another disk is refused, not half-applied.
        channel(image("other.img", 32, false), null);
        byte[] saved = bytes.toByteArray();
        assertThrows(IOException.class, () -> ch.restoreState(new DataInputStream(new ByteArrayInputStream(saved))));
        byte[] corrupt = saved.clone();
        corrupt[4 + 12 + 1 + 8 + 9] = (byte) 0x7f; // the transfer kind
        channel(img, null);
        assertThrows(IOException.class, () -> ch.restoreState(new DataInputStream(new ByteArrayInputStream(corrupt))));
        assertEquals(DRDY | DSC, status(), "a refused state changes nothing");
    }

    @Test
    void chsGeometryNeverExceedsSmallDisks() {
        for (long s : new long[] {1, 2, 62, 63, 64, 1007, 1008, 1009, 16L * 63 * 16383, 1L << 40}) {
            ChsGeometry g = ChsGeometry.forSectors(s);
            assertTrue(g.capacity() <= s && g.capacity() > 0, s + " -> " + g);
            assertTrue(g.heads() >= 1 && g.heads() <= 16 && g.sectorsPerTrack() >= 1 && g.sectorsPerTrack() <= 63, g.toString());
            assertTrue(g.cylinders() >= 1 && g.cylinders() <= 16383, g.toString());
        }
        ChsGeometry g = ChsGeometry.forSectors(100_000);
        assertEquals(g.capacity() - 1, g.toLba(g.cylinders() - 1, 15, 63));
        assertEquals(-1, g.toLba(0, 0, 0));
    }

    @Test
    void identifyStringsAreAsciiAndCut() {
        short[] w = AtaIdentify.words(100, "ÄB_0123456789012345678901", new AtaIdentify.Settings(ChsGeometry.forSectors(100), 0, true));
        byte[] id = new byte[512];
        for (int i = 0; i < 256; i++) {
            id[2 * i] = (byte) w[i];
            id[2 * i + 1] = (byte) (w[i] >> 8);
        }
        assertEquals("?B_01234567890123456", string(id, 10, 10));
        assertEquals(0, word(id, 59));
        assertEquals("minivmm ATA disk", string(id, 27, 20).trim());
        assertEquals(StandardCharsets.US_ASCII.newEncoder().canEncode(string(id, 27, 20)), true);
    }
}
