package io.minivmm.vmm.devices.ata;

/**
 * A cylinder/head/sector translation of a disk's sectors, as ATA IDENTIFY words 1, 3, 6 (default)
 * and 54-56 (current) report it and as CHS-addressed commands use it.
 *
 * @param cylinders       at most 16383 for the default translation, 65535 for a current one
 * @param heads           1..16
 * @param sectorsPerTrack 1..255 (63 for the default translation of any disk of 504 KiB or more)
 */
public record ChsGeometry(int cylinders, int heads, int sectorsPerTrack) {
    /** The largest default translation ATA-6 allows: 16383 cylinders, 16 heads, 63 sectors. */
    static final int MAX_CYLINDERS = 16383;

    /**
     * The default translation of a disk of {@code sectors}: 16 heads and 63 sectors per track
     * (what BIOSes and drives report), cylinders = sectors / 1008 capped at 16383; a disk smaller
     * than one such cylinder gets fewer heads (and, below one track, a shorter track), so that
     * C*H*S never exceeds the disk.
     */
    public static ChsGeometry forSectors(long sectors) {
        if (sectors <= 0) return new ChsGeometry(0, 1, 1);
        if (sectors >= 16 * 63) return new ChsGeometry((int) Math.min(MAX_CYLINDERS, sectors / (16 * 63)), 16, 63);
        if (sectors >= 63) return new ChsGeometry(1, (int) (sectors / 63), 63);
        return new ChsGeometry(1, 1, (int) sectors);
    }

    /** The current translation after INITIALIZE DEVICE PARAMETERS: cylinders fill the disk, at most 65535. */
    static ChsGeometry current(long sectors, int heads, int sectorsPerTrack) {
        long c = sectors / ((long) heads * sectorsPerTrack);
        return new ChsGeometry((int) Math.min(65535, c), heads, sectorsPerTrack);
    }

    /** C*H*S: the sectors this translation reaches. */
    public long capacity() { return (long) cylinders * heads * sectorsPerTrack; }

    /** The LBA of {@code (c, h, s)} (s counts from 1), or -1 when the address is outside the translation. */
    public long toLba(int c, int h, int s) {
        if (c < 0 || c >= cylinders || h < 0 || h >= heads || s < 1 || s > sectorsPerTrack) return -1;
        return ((long) c * heads + h) * sectorsPerTrack + (s - 1);
    }
}
