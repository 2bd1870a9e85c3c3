package io.minivmm.vmm.devices.ata;

/**
 * The 256 words of IDENTIFY DEVICE data (ATA/ATAPI-6, table 26) of a minivmm disk: a fixed,
 * non-removable ATA disk with LBA28, LBA48, READ/WRITE MULTIPLE up to {@link #MAX_MULTIPLE}
 * sectors, PIO modes 0-4, no DMA, a write cache that FLUSH CACHE (EXT) drains, and the
 * integrity word (255) that makes the 512 bytes sum to zero.
 */
public final class AtaIdentify {
    /** The largest READ/WRITE MULTIPLE block (word 47): 16 sectors. */
    public static final int MAX_MULTIPLE = 16;
    /** Model number (words 27-46). */
    public static final String MODEL = "minivmm ATA disk";
    /** Firmware revision (words 23-26). */
    public static final String FIRMWARE = "1.0";
    /** Largest LBA28 capacity (words 60-61): 2^28 - 1 sectors. */
    static final long LBA28_MAX = 0x0fff_ffffL;

    /** The state IDENTIFY reports besides the disk's identity. */
    record Settings(ChsGeometry current, int multiple, boolean writeCache) { }

    private AtaIdentify() {}

    /**
     * Builds the IDENTIFY data as 256 little-endian words.
     *
     * @param sectors the disk size in sectors
     * @param serial  at most 20 ASCII characters (longer is cut)
     */
    static short[] words(long sectors, String serial, Settings s) {
        short[] w = new short[256];
        ChsGeometry dflt = ChsGeometry.forSectors(sectors);
        w[0] = 0x0040;                                  // ATA device, not removable, fixed
        w[1] = (short) dflt.cylinders();
        w[3] = (short) dflt.heads();
        w[6] = (short) dflt.sectorsPerTrack();
        ascii(w, 10, 20, serial);
        ascii(w, 23, 8, FIRMWARE);
        ascii(w, 27, 40, MODEL);
        w[47] = (short) (0x8000 | MAX_MULTIPLE);        // READ/WRITE MULTIPLE: up to 16 sectors per DRQ block
        w[49] = 0x0200;                                 // LBA supported; no DMA
        w[50] = 0x4000;
        w[51] = 0x0200;                                 // PIO timing mode 2 (obsolete word, old drivers read it)
        w[53] = 0x0003;                                 // words 54-58 and 64-70 are valid
        ChsGeometry cur = s.current();
        w[54] = (short) cur.cylinders();
        w[55] = (short) cur.heads();
        w[56] = (short) cur.sectorsPerTrack();
        long curCap = Math.min(cur.capacity(), 0xffff_ffffL);
        w[57] = (short) curCap;
        w[58] = (short) (curCap >>> 16);
        w[59] = (short) (s.multiple() == 0 ? 0 : 0x0100 | s.multiple()); // multiple setting valid + current count
        long lba28 = Math.min(sectors, LBA28_MAX);
        w[60] = (short) lba28;
        w[61] = (short) (lba28 >>> 16);
        w[64] = 0x0003;                                 // PIO modes 3 and 4
        w[65] = 120;
        w[66] = 120;
        w[67] = 120;                                    // minimum PIO cycle time without IORDY (ns)
        w[68] = 120;                                    // ... with IORDY
        w[80] = 0x007e;                                 // ATA-1 .. ATA-6
        w[82] = 0x0028;                                 // power management, write cache
        w[83] = 0x7400;                                 // FLUSH CACHE EXT, FLUSH CACHE, 48-bit address
        w[84] = 0x4000;
        w[85] = (short) (0x0008 | (s.writeCache() ? 0x0020 : 0));
        w[86] = 0x3400;
        w[87] = 0x4000;
        for (int i = 0; i < 4; i++) w[100 + i] = (short) (sectors >>> (16 * i));
        w[255] = 0x00a5;
        int sum = 0;
        for (int i = 0; i < 255; i++) sum += (w[i] & 0xff) + ((w[i] >>> 8) & 0xff);
        sum += 0xa5;
        w[255] |= (short) (((-sum) & 0xff) << 8);
        return w;
    }

    /** ATA strings: two characters per word, the first in the high byte, padded with spaces. */
    private static void ascii(short[] w, int word, int chars, String text) {
        for (int i = 0; i < chars; i += 2) {
            int hi = i < text.length() ? asciiAt(text, i) : ' ';
            int lo = i + 1 < text.length() ? asciiAt(text, i + 1) : ' ';
            w[word + i / 2] = (short) (hi << 8 | lo);
        }
    }

    private static int asciiAt(String s, int i) {
        char c = s.charAt(i);
        return c >= 0x20 && c < 0x7f ? c : '?';
    }
}
