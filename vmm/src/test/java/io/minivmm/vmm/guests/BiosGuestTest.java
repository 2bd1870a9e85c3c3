package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.assertLine;
import static io.minivmm.vmm.guests.TestGuests.assertPassed;
import static io.minivmm.vmm.guests.TestGuests.bytes;
import static io.minivmm.vmm.guests.TestGuests.guest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import io.minivmm.vmm.storage.DiskSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The BIOS services on a real vCPU: guest/src/asm/bios*.16.S. */
@RequiresKvm
class BiosGuestTest {
    @TempDir
    Path dir;

    @Test
    void aBootSectorPrintsThroughInt10hToTheSerialConsoleAndTheScreen() throws Exception {
        RunResult r = guest("biosprint.bin").memory(2 << 20).build().run();
        assertPassed(r);
        assertLine(r, "hello from int 10h");
        assertLine(r, "string via 13h");
        String[] screen = r.vgaText().split("\n", -1);
        assertEquals("hello from int 10h", screen[0], r.vgaText());
        assertEquals("string via 13h", screen[2], r.vgaText());
        assertEquals("          ###", screen[4], r.vgaText());
        assertEquals("PASS", screen[5], r.vgaText());
    }

    @Test
    void aDiskBootsLikeAPcAndLoadsItsSecondStageThroughInt13hChsAndLba() throws Exception {
        Path img = dir.resolve("os.img");
        Files.write(img, bytes("biosdisk.bin"));
        RunResult r = Vm.builder().disk(DiskSpec.parse(img.toString())).memory(2 << 20).timeout(TestGuests.TIMEOUT).build().run();
        assertPassed(r);
        assertLine(r, "biosdisk: boot drive 0x80");
        assertLine(r, "stage 2 loaded by int 13h CHS");
        assertLine(r, "stage 3 loaded by int 13h LBA");
    }

    @Test
    void aMultiSectorImageGivenAsKernelIsDrive0x80() throws Exception {
        RunResult r = guest("biosdisk.bin").memory(2 << 20).build().run();
        assertPassed(r);
        assertLine(r, "stage 3 loaded by int 13h LBA");
    }

    @Test
    void int15hE820ReportsTheMachinesMemoryMap() throws Exception {
        RunResult r = guest("biose820.bin").memory(2 << 20).build().run();
        assertPassed(r);
        java.util.List<long[]> map = new java.util.ArrayList<>();
        for (String line : r.serialText().split("\r\n")) {
            if (!line.startsWith("e820: ")) continue;
            String[] f = line.substring(6).split(" ");
            map.add(new long[] {Long.parseUnsignedLong(f[0], 16), Long.parseUnsignedLong(f[1], 16), Long.parseLong(f[2], 16)});
        }
        String why = r.serialText();
        assertTrue(map.size() >= 3, why);
        assertEquals(0, map.get(0)[0], why);
        assertEquals(1, map.get(0)[2], why);
        for (int i = 1; i < map.size(); i++) assertEquals(map.get(i - 1)[0] + map.get(i - 1)[1], map.get(i)[0], why);
        long[] last = map.get(map.size() - 1);
        assertEquals(2 << 20, last[0] + last[1], why);
        assertEquals(1, last[2], why);
        assertTrue(map.stream().anyMatch(e -> e[2] == 2 && e[0] <= 0xf0000 && e[0] + e[1] >= 0x100000), "BIOS ROM reserved: " + why);
        assertLine(r, String.format("int12: %04x", map.get(0)[1] / 1024));
        assertLine(r, "e801: 0400 0000");
        assertLine(r, "88: 0400");
    }

    @Test
    void int16hReadsTheCharactersPipedToStandardInput() throws Exception {
        RunResult r = guest("bioskeys.bin").memory(2 << 20)
                .serialInput(new ByteArrayInputStream("hi there\n".getBytes(StandardCharsets.US_ASCII))).build().run();
        assertPassed(r);
        assertLine(r, "first key: 2368"); // 'h': scan code 23h, ASCII 68h
        assertLine(r, "got: hi there");
    }

    @Test
    void aKernelThatWritesOnlyToVgaTextIsReadableFromTheResult() throws Exception {
        RunResult r = guest("vgaonly.bin").memory(2 << 20).build().run();
        assertEquals(0, r.exitStatus(), r.message());
        assertEquals("", r.serialText());
        assertEquals("\n\n\nwritten only to VGA text memory\n", r.vgaText());
    }

    @Test
    void vgaTextMirrorPrintsTheScreenWhenItChanged() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        RunResult r = guest("vgaonly.bin").memory(2 << 20).vgaOutput(out).build().run();
        assertEquals(0, r.exitStatus(), r.message());
        assertEquals("--- VGA text ---\n\n\n\nwritten only to VGA text memory\n", out.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aDiskWithoutTheBootSignatureIsRefusedWithTheReason() throws Exception {
        Path img = dir.resolve("blank.img");
        Files.write(img, new byte[1536]);
        io.minivmm.vmm.ImageException e = org.junit.jupiter.api.Assertions.assertThrows(io.minivmm.vmm.ImageException.class,
                () -> Vm.builder().disk(DiskSpec.parse(img.toString())).memory(2 << 20).timeout(TestGuests.TIMEOUT).build().run());
        assertTrue(e.getMessage().contains("not bootable: sector 0 ends with 0x0000, not the boot signature 0x55aa"), e.getMessage());
    }

    @Test
    void int18hEndsTheRunWithItsDocumentedStatus() throws Exception {
        // A boot sector that only calls int 18h: cli; int $0x18; hlt.
        byte[] sector = new byte[512];
        sector[0] = (byte) 0xfa;
        sector[1] = (byte) 0xcd;
        sector[2] = 0x18;
        sector[3] = (byte) 0xf4;
        sector[510] = 0x55;
        sector[511] = (byte) 0xaa;
        RunResult r = Vm.builder().image("int18", sector).memory(2 << 20).timeout(TestGuests.TIMEOUT).build().run();
        assertEquals(io.minivmm.vmm.devices.bios.Bios.NO_BOOT_STATUS, r.exitStatus(), r.message());
        assertTrue(r.serialText().contains("no bootable disk"), r.serialText());
    }
}
