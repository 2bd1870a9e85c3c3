package io.minivmm.vmm.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskImageTest {
    @TempDir
    Path dir;

    private Path image(int sectors) throws IOException {
        Path p = dir.resolve("disk.img");
        byte[] b = new byte[sectors * 512];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i / 512);
        Files.write(p, b);
        return p;
    }

    @Test
    void readsAndWritesReachTheFile() throws IOException {
        Path p = image(8);
        try (DiskImage d = DiskImage.open(p, false)) {
            assertEquals(8, d.sectors());
            byte[] s3 = new byte[512];
            d.read(3 * 512, s3, 0, 512);
            assertEquals(3, s3[0]);
            byte[] w = new byte[512];
            java.util.Arrays.fill(w, (byte) 0x5a);
            d.write(7 * 512, w, 0, 512);
            d.flush();
        }
        byte[] all = Files.readAllBytes(p);
        assertEquals(0x5a, all[7 * 512]);
        assertEquals(6, all[6 * 512]);
    }

    @Test
    void requestsPastTheEndAreDiskErrorsBeforeAnyIo() throws IOException {
        Path p = image(2);
        byte[] before = Files.readAllBytes(p);
        try (DiskImage d = DiskImage.open(p, false)) {
            assertThrows(DiskException.class, () -> d.read(1024, new byte[1], 0, 1));
            assertThrows(DiskException.class, () -> d.write(512, new byte[1024], 0, 1024));
            assertThrows(DiskException.class, () -> d.read(-512, new byte[512], 0, 512));
            assertThrows(DiskException.class, () -> d.writeZeroes(Long.MAX_VALUE - 10, 100));
            assertFalse(d.inBounds(Long.MAX_VALUE, 2));
            assertTrue(d.inBounds(0, 1024));
        }
        assertArrayEquals(before, Files.readAllBytes(p));
    }

    @Test
    void readOnlyRefusesWrites() throws IOException {
        Path p = image(2);
        try (DiskImage d = DiskImage.open(p, true)) {
            assertThrows(DiskException.class, () -> d.write(0, new byte[512], 0, 512));
            assertThrows(DiskException.class, () -> d.writeZeroes(0, 512));
        }
    }

    @Test
    void badSizesAreRefusedWithTheReason() throws IOException {
        Path odd = dir.resolve("odd.img");
        Files.write(odd, new byte[1000]);
        DiskException e = assertThrows(DiskException.class, () -> DiskImage.open(odd, false));
        assertTrue(e.getMessage().contains("not a multiple of 512"), e.getMessage());
        Path empty = dir.resolve("empty.img");
        Files.write(empty, new byte[0]);
        assertThrows(DiskException.class, () -> DiskImage.open(empty, true));
    }

    @Test
    void aWritableImageIsLockedAgainstASecondWriter() throws IOException {
        Path p = image(2);
        try (DiskImage first = DiskImage.open(p, false)) {
            DiskException e = assertThrows(DiskException.class, () -> DiskImage.open(p, false));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        try (DiskImage again = DiskImage.open(p, false)) {
            assertEquals(2, again.sectors()); // the lock went with the first close
        }
    }

    @Test
    void serialIsStableAndShort() throws IOException {
        Path p = image(1);
        String s1, s2;
        try (DiskImage d = DiskImage.open(p, true)) { s1 = d.serial(); }
        try (DiskImage d = DiskImage.open(p, true)) { s2 = d.serial(); }
        assertEquals(s1, s2);
        assertTrue(s1.length() <= 20 && s1.matches("[A-Z0-9]+"), s1);
    }

    @Test
    void diskSpecParsing() {
        DiskSpec d = DiskSpec.parse("os.img");
        assertEquals(DiskSpec.Interface.VIRTIO, d.iface());
        assertFalse(d.readOnly());
        d = DiskSpec.parse("a,,b.img,if=ide,ro");
        assertEquals(Path.of("a,b.img"), d.file());
        assertEquals(DiskSpec.Interface.IDE, d.iface());
        assertTrue(d.readOnly());
        assertThrows(IllegalArgumentException.class, () -> DiskSpec.parse("x.img,if=scsi"));
        assertThrows(IllegalArgumentException.class, () -> DiskSpec.parse("x.img,bogus"));
        assertThrows(IllegalArgumentException.class, () -> DiskSpec.parse(",ro"));
        assertThrows(IllegalArgumentException.class, () -> DiskSpec.parse("x.img,"));
    }
}
