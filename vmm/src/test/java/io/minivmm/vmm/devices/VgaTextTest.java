package io.minivmm.vmm.devices;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link VgaText#screen(byte[])}: the text of a VGA text page, trailing blanks dropped. */
class VgaTextTest {
    static final int CELLS = VgaText.COLUMNS * VgaText.ROWS;

    @Test
    void aBlankPageIsEmpty() {
        assertEquals("", VgaText.screen(new byte[2 * CELLS]));
        byte[] spaces = new byte[2 * CELLS];
        for (int i = 0; i < CELLS; i++) {
            spaces[2 * i] = ' ';
            spaces[2 * i + 1] = 0x07; // attributes alone are not text
        }
        assertEquals("", VgaText.screen(spaces));
    }

    @Test
    void textKeepsItsRowsAndLosesTrailingBlanks() {
        byte[] p = new byte[2 * CELLS];
        put(p, 2, 4, "hi");
        put(p, 0, 0, "A\u0001");
        assertEquals("A.\n\n    hi\n", VgaText.screen(p));
        byte[] last = new byte[2 * CELLS];
        put(last, VgaText.ROWS - 1, VgaText.COLUMNS - 1, "z");
        assertEquals("\n".repeat(VgaText.ROWS - 1) + " ".repeat(VgaText.COLUMNS - 1) + "z\n", VgaText.screen(last));
    }

    @Test
    void sameAsTheLineByLineRenderingOnRandomPages() {
        Random r = new Random(14);
        for (int n = 0; n < 500; n++) {
            byte[] p = new byte[2 * CELLS];
            int k = r.nextInt(4) == 0 ? 0 : r.nextInt(20);
            for (int i = 0; i < k; i++) p[2 * r.nextInt(CELLS)] = (byte) (r.nextBoolean() ? ' ' : r.nextInt(256));
            for (int i = 0; i < 30; i++) p[2 * r.nextInt(CELLS) + 1] = (byte) r.nextInt(256);
            assertEquals(VgaText.render(p), VgaText.screen(p), "page " + n);
        }
    }

    private static void put(byte[] p, int row, int col, String s) {
        for (int i = 0; i < s.length(); i++) p[2 * (row * VgaText.COLUMNS + col + i)] = (byte) s.charAt(i);
    }
}
