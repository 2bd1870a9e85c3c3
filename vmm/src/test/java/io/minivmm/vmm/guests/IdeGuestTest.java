package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.assertLine;
import static io.minivmm.vmm.guests.TestGuests.assertPassed;
import static io.minivmm.vmm.guests.TestGuests.guest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.storage.DiskImage;
import io.minivmm.vmm.storage.DiskSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * guest/src/asm/ide.32.S on a real vCPU: IDE PIO through the primary channel (IDENTIFY, LBA28 and
 * LBA48 reads and writes with 32-bit string I/O, FLUSH CACHE, READ MULTIPLE, a read past the end),
 * and the image file afterwards changed exactly where the guest wrote, or not at all with {@code ro}.
 */
@RequiresKvm
class IdeGuestTest {
    static final int SECTORS = 128;

    @TempDir
    Path dir;

    /** Dword {@code k} of sector {@code s} of the test image; dword 0 is the sector number (the guest checks it). */
    static int pattern(long s, int k) { return k == 0 ? (int) s : (int) (s << 16) ^ (k * 0x9e3779b1); }

    static byte[] image(int sectors) {
        ByteBuffer b = ByteBuffer.allocate(sectors * 512).order(ByteOrder.LITTLE_ENDIAN);
        for (int s = 0; s < sectors; s++) for (int k = 0; k < 128; k++) b.putInt(pattern(s, k));
        return b.array();
    }

    static int sum(long lba, int n) {
        int sum = 0;
        for (long s = lba; s < lba + n; s++) for (int k = 0; k < 128; k++) sum += pattern(s, k);
        return sum;
    }

    /** What the guest writes: dword i = base + i over {@code n} sectors from {@code lba}. */
    static void written(byte[] img, long lba, int n, int base) {
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n * 128; i++) b.putInt((int) (lba * 512 + 4L * i), base + i);
    }

    /** Writes the test image as {@code name} and returns it. */
    private Path freshImage(String name) throws IOException {
        Path img = dir.resolve(name);
        Files.write(img, image(SECTORS));
        return img;
    }

    private RunResult run(Path img, String opts) throws Exception {
        return guest("ide.bin").raw(0x100000, 0x100000, CpuMode.PROTECTED).memory(64L << 20)
                .disk(DiskSpec.parse(img + ",if=ide" + opts)).build().run();
    }

    private static String serial(Path img) throws IOException {
        try (DiskImage d = DiskImage.open(img, true)) {
            return d.serial();
        }
    }

    private static void assertCommonLines(RunResult r, String serial) {
        assertLine(r, "status 0x50");
        assertLine(r, String.format("identify: lba28 sectors 0x%08x lba48 sectors 0x%08x word83 0x00007400 model '%-40s' serial '%-20s' checksum ok",
                SECTORS, SECTORS, "minivmm ATA disk", serial));
        assertLine(r, String.format("read lba28 1+2: sum 0x%08x", sum(1, 2)));
        assertLine(r, String.format("read lba48 40+3: sum 0x%08x", sum(40, 3)));
        assertLine(r, "flush: status 0x50");
        assertLine(r, "past the end: status 0x51 error 0x10");
    }

    @Test
    void readsAndWritesReachTheImageExactlyWhereTheGuestWrote() throws Exception {
        Path img = freshImage("ide.img");
        RunResult r = run(img, "");
        assertPassed(r);
        assertCommonLines(r, serial(img));
        assertLine(r, "write lba28 10+2: ok");
        assertLine(r, "write lba48 50+1: ok");
        int readBack = 0;
        for (int i = 0; i < 256; i++) readBack += 0xc0de0000 + i;
        assertLine(r, String.format("read multiple lba28 10+2: sum 0x%08x", readBack));
        byte[] expected = image(SECTORS);
        written(expected, 10, 2, 0xc0de0000);
        written(expected, 50, 1, 0xe48e0000);
        assertArrayEquals(expected, Files.readAllBytes(img), "exactly sectors 10, 11 and 50 changed");
        Long dataExits = r.portCounts().get("0x1f0");
        assertTrue(dataExits != null && dataExits >= 9, "string I/O on the data port: " + r.portCounts());
    }

    @Test
    void aReadOnlyDiskRefusesTheWritesWithAbortAndStaysByteForByte() throws Exception {
        Path img = freshImage("ro.img");
        RunResult r = run(img, ",ro");
        assertPassed(r);
        assertCommonLines(r, serial(img));
        assertLine(r, "write lba28 10+2: refused status 0x51 error 0x04");
        assertLine(r, "write lba48 50+1: refused status 0x51 error 0x04");
        assertLine(r, String.format("read multiple lba28 10+2: sum 0x%08x", sum(10, 2)));
        assertArrayEquals(image(SECTORS), Files.readAllBytes(img));
    }
}
