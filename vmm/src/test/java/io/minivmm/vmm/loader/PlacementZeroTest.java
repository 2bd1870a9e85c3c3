package io.minivmm.vmm.loader;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link Placement#commit()} clears what a segment's memory size adds to its file bytes (.bss), over whatever RAM held. */
class PlacementZeroTest {
    @Test
    void theTailBeyondTheFileBytesIsZeroedOverOldContent() throws Exception {
        for (long memsz : new long[] {16, 4097, (1 << 16) - 3, (1 << 16) + 4096 * 3 + 7, 5L << 16}) {
            FakeGuestRam ram = FakeGuestRam.of(16 << 20);
            long gpa = 0x200000;
            byte[] junk = new byte[(int) memsz + 64];
            Arrays.fill(junk, (byte) 0xaa);
            ram.write(gpa, junk, 0, junk.length); // RAM a previous run left dirty
            Placement p = new Placement("test", ram);
            p.place("segment", gpa, new byte[] {1, 2, 3, 4, 5}, 0, 5, memsz);
            p.commit();
            byte[] got = ram.read(gpa, junk.length);
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, Arrays.copyOf(got, 5));
            for (int i = 5; i < memsz; i++) assertEquals(0, got[i], "memsz " + memsz + ": byte " + i + " cleared");
            assertEquals((byte) 0xaa, got[(int) memsz], "memsz " + memsz + ": nothing beyond the segment");
        }
    }
}
