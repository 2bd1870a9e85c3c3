package io.minivmm.vmm.devices;

import io.minivmm.vmm.memory.PhysMemory;

/**
 * The VGA colour text screen: 80x25 cells of (character, attribute) at 0xB8000 in guest memory
 * (plain RAM in minivmm: the guest writes it directly, nothing traps). This class reads it for
 * the run report and the {@code --vga text} mirror, and writes it for the BIOS's int 10h.
 * Pages 0..7 are 4 KiB apart, as mode 3 lays them out.
 */
public final class VgaText {
    public static final long BASE = 0xb8000;
    public static final int COLUMNS = 80, ROWS = 25, PAGES = 8, PAGE_BYTES = 0x1000;
    /** Light grey on black: what a cleared screen holds. */
    public static final int DEFAULT_ATTR = 0x07;

    private final PhysMemory mem;

    public VgaText(PhysMemory mem) { this.mem = mem; }

    private static long cell(int page, int row, int col) {
        return BASE + (long) (page & 7) * PAGE_BYTES + 2L * (row * COLUMNS + col);
    }

    /** Writes character {@code ch} with attribute {@code attr} (attr < 0: keep the cell's). */
    public void put(int page, int row, int col, int ch, int attr) {
        if (row < 0 || row >= ROWS || col < 0 || col >= COLUMNS) return;
        long at = cell(page, row, col);
        if (attr < 0) mem.write(at, new byte[] {(byte) ch}, 0, 1);
        else mem.write(at, new byte[] {(byte) ch, (byte) attr}, 0, 2);
    }

    /** The (character | attribute << 8) of a cell. */
    public int get(int page, int row, int col) {
        byte[] b = new byte[2];
        mem.read(cell(page, row, col), b, 0, 2);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8;
    }

    /**
     * Scrolls the window rows {@code top..bottom}, columns {@code left..right} up by
     * {@code lines} (down when {@code up} is false), filling with blanks of {@code attr}; 0 lines
     * (or more than the window's height) clears the window, as int 10h AH=06h/07h do.
     */
    public void scroll(int page, boolean up, int lines, int attr, int top, int left, int bottom, int right) {
        bottom = Math.min(bottom, ROWS - 1);
        right = Math.min(right, COLUMNS - 1);
        if (top > bottom || left > right) return;
        int height = bottom - top + 1;
        if (lines <= 0 || lines > height) lines = height;
        int width = right - left + 1;
        byte[] row = new byte[2 * width];
        for (int i = 0; i < height; i++) {
            int dst = up ? top + i : bottom - i;
            int src = up ? dst + lines : dst - lines;
            if (src >= top && src <= bottom) {
                mem.read(cell(page, src, left), row, 0, row.length);
            } else {
                for (int c = 0; c < width; c++) {
                    row[2 * c] = ' ';
                    row[2 * c + 1] = (byte) attr;
                }
            }
            mem.write(cell(page, dst, left), row, 0, row.length);
        }
    }

    /** Page 0 as text: 25 lines, trailing blanks cut, trailing empty lines dropped; non-printables as '.'. */
    public String screen() {
        byte[] buf = new byte[2 * COLUMNS * ROWS];
        mem.read(BASE, buf, 0, buf.length);
        return screen(buf);
    }

    /** The text of a raw page (as {@link #screen()}). */
    public static String screen(byte[] page) {
        // A screen nothing was written to (most runs: the result asks for it at every end) is
        // empty; building 25 lines of blanks to find that out costs ~1-2 ms interpreted.
        boolean blank = true;
        for (int i = 0; i < 2 * COLUMNS * ROWS && blank; i += 2) blank = page[i] == 0 || page[i] == ' ';
        return blank ? "" : render(page);
    }

    /** {@link #screen(byte[])} without the blank-page shortcut: every row rendered. */
    static String render(byte[] page) {
        StringBuilder out = new StringBuilder();
        int keep = 0;
        for (int r = 0; r < ROWS; r++) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < COLUMNS; c++) {
                int ch = page[2 * (r * COLUMNS + c)] & 0xff;
                line.append(ch == 0 ? ' ' : ch >= 0x20 && ch < 0x7f ? (char) ch : '.');
            }
            int end = line.length();
            while (end > 0 && line.charAt(end - 1) == ' ') end--;
            out.append(line, 0, end).append('\n');
            if (end > 0) keep = out.length();
        }
        return out.substring(0, keep);
    }

    /** Page 0's raw cells (to detect changes cheaply). */
    public byte[] snapshot() {
        byte[] buf = new byte[2 * COLUMNS * ROWS];
        mem.read(BASE, buf, 0, buf.length);
        return buf;
    }
}
