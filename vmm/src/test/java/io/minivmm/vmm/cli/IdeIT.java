package io.minivmm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.storage.DiskImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --disk FILE,if=ide} through the jar: a run that writes the image, a locked image, too many disks. */
@RequiresKvm
class IdeIT {
    /** guest/src/asm/ide.32.S, loaded raw in 32-bit protected mode. */
    static final List<String> IDE_GUEST = List.of("--format", "raw", "--load-addr", "0x100000", "--entry", "0x100000",
            "--mode", "protected", "--mem", "64M");

    @TempDir
    Path dir;

    private List<String> args(Path guest, String... disks) {
        List<String> a = new ArrayList<>(List.of("--kernel", guest.toString()));
        a.addAll(IDE_GUEST);
        for (String d : disks) {
            a.add("--disk");
            a.add(d);
        }
        return a;
    }

    private Path image() throws Exception {
        Path img = dir.resolve("disk.img");
        byte[] b = new byte[128 * 512];
        for (int s = 0; s < 128; s++) b[s * 512] = (byte) s; // dword 0 = the sector number (the guest checks it)
        Files.write(img, b);
        return img;
    }

    @Test
    void theGuestWritesTheImageThroughTheCli() throws Exception {
        Path img = image();
        Jar.Run r = Jar.run(Jar.command(List.of(), args(Jar.guest("ide", dir), img + ",if=ide")));
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.outText().contains("write lba28 10+2: ok\r\n"), r.toString());
        assertTrue(r.outText().endsWith("PASS\r\n"), r.toString());
        byte[] after = Files.readAllBytes(img);
        assertEquals((byte) 0xde, after[10 * 512 + 2], "sector 10 holds 0xc0de0000");
        assertEquals((byte) 0x8e, after[50 * 512 + 2], "sector 50 holds 0xe48e0000");
    }

    @Test
    void aSecondWriterIsRefusedWith65AndTheImageIsUntouched() throws Exception {
        Path img = image();
        byte[] before = Files.readAllBytes(img);
        try (DiskImage first = DiskImage.open(img, false)) { // another VM writing this image
            Jar.Run r = Jar.run(Jar.command(List.of(), args(Jar.guest("ide", dir), img + ",if=ide")));
            assertEquals(65, r.status(), r.toString());
            Jar.assertOneLineError(r);
            assertTrue(r.err().contains("in use by another VM"), r.toString());
            assertTrue(r.err().contains(img.toString()), r.toString());
            assertEquals(0, r.out().length, "the guest never ran");
        }
        assertArrayEquals(before, Files.readAllBytes(img));
    }

    @Test
    void fiveIdeDisksAreAUsageError() throws Exception {
        Path img = image();
        List<String> disks = new ArrayList<>();
        for (int i = 0; i < 5; i++) disks.add(img + ",if=ide,ro");
        Jar.Run r = Jar.run(Jar.command(List.of(), args(Jar.guest("ide", dir), disks.toArray(String[]::new))));
        assertEquals(64, r.status(), r.toString());
        Jar.assertOneLineError(r);
        assertTrue(r.err().contains("5 disks with if=ide"), r.toString());
    }
}
