package io.minivmm.vmm.devices.ata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.vmm.devices.PioDevice;
import io.minivmm.vmm.storage.DiskImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random register and command sequences, as a hostile or broken driver would issue them:
 * no exception escapes, the status register stays consistent, the transfer buffer never grows,
 * the images keep their size and the read-only one its bytes.
 */
class AtaChannelFuzzTest {
    private static final int[] COMMANDS = {0x20, 0x21, 0x24, 0x29, 0x30, 0x31, 0x34, 0x39, 0x40, 0x41, 0x42, 0x70,
        0x90, 0x91, 0xc4, 0xc5, 0xc6, 0xe0, 0xe5, 0xe7, 0xea, 0xec, 0xef, 0x10, 0x00, 0xa1, 0xc8, 0xff};

    @TempDir
    Path dir;

    @Test
    void randomSequencesNeverThrowAndKeepTheInvariants() throws IOException {
        byte[] roBytes = new byte[16 * 512];
        new Random(7).nextBytes(roBytes);
        Path rw = dir.resolve("rw.img");
        Path ro = dir.resolve("ro.img");
        Files.write(rw, new byte[64 * 512]);
        Files.write(ro, roBytes);
        long ops = 0;
        for (int seed = 1; seed <= 40; seed++) {
            Random r = new Random(seed);
            try (DiskImage a = DiskImage.open(rw, false); DiskImage b = DiskImage.open(ro, true)) {
                AtaChannel ch = switch (seed % 4) {
                    case 0 -> new AtaChannel(a, b, level -> { });
                    case 1 -> new AtaChannel(b, null, level -> { });
                    case 2 -> new AtaChannel(null, a, level -> { });
                    default -> new AtaChannel(a, null, level -> { });
                };
                PioDevice cmd = ch.commandBlock();
                PioDevice ctl = ch.controlBlock();
                for (int i = 0; i < 2500; i++, ops++) {
                    int size = new int[] {1, 2, 4}[r.nextInt(3)];
                    switch (r.nextInt(10)) {
                        case 0, 1 -> cmd.write(1 + r.nextInt(6), size, r.nextInt(8) == 0 ? r.nextInt() : r.nextInt(4));
                        case 2 -> cmd.write(6, 1, (r.nextBoolean() ? 0xe0 : 0xa0) | (r.nextInt(8) == 0 ? 0x10 : 0) | r.nextInt(16));
                        case 3 -> cmd.write(7, 1, COMMANDS[r.nextInt(COMMANDS.length)]);
                        case 4 -> ctl.write(0, 1, r.nextInt(8) == 0 ? r.nextInt(256) : r.nextInt(3) * 2);
                        case 5 -> {
                            int n = r.nextInt(300);
                            for (int k = 0; k < n; k++) cmd.read(0, size);
                        }
                        case 6 -> {
                            int n = r.nextInt(300);
                            for (int k = 0; k < n; k++) cmd.write(0, size, r.nextInt());
                        }
                        case 7 -> cmd.read(r.nextInt(8), size);
                        case 8 -> {
                            int s = ctl.read(0, 1) & 0xff;
                            // Status is 0 (absent device), BSY alone (in reset) or DRDY with DRQ only when a transfer is on.
                            assertTrue(s == 0 || s == AtaChannel.BSY || (s & AtaChannel.DRDY) != 0, "status 0x" + Integer.toHexString(s));
                        }
                        default -> {
                            if (r.nextInt(50) == 0) ch.reset();
                            else cmd.read(7, 1);
                        }
                    }
                }
                assertEquals(AtaIdentify.MAX_MULTIPLE * 512, Math.max(ch.bufferBytes(0), ch.bufferBytes(1)));
            }
            assertEquals(64 * 512, Files.size(rw));
            assertArrayEquals(roBytes, Files.readAllBytes(ro), "seed " + seed + ": the read-only image changed");
        }
        assertEquals(40 * 2500, ops);
    }
}
