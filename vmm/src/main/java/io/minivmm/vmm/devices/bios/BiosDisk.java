package io.minivmm.vmm.devices.bios;

import io.minivmm.vmm.storage.DiskImage;
import java.io.IOException;

/**
 * A hard disk as the BIOS's int 13h sees it: sectors to read and write. Offsets and lengths are
 * checked by the BIOS before it calls; implementations check again (a {@link DiskImage} throws).
 */
public interface BiosDisk {
    int SECTOR = 512;

    /** Size in 512-byte sectors. */
    long sectors();

    boolean readOnly();

    void read(long offset, byte[] dst, int off, int len) throws IOException;

    void write(long offset, byte[] src, int off, int len) throws IOException;

    /** A disk over an opened image file. */
    static BiosDisk of(DiskImage image) {
        return new BiosDisk() {
            @Override public long sectors() { return image.sectors(); }
            @Override public boolean readOnly() { return image.readOnly(); }
            @Override public void read(long o, byte[] d, int off, int len) throws IOException { image.read(o, d, off, len); }
            @Override public void write(long o, byte[] s, int off, int len) throws IOException { image.write(o, s, off, len); }
        };
    }

    /**
     * A read-only disk over bytes in memory (a multi-sector image given as {@code --kernel}): its
     * last partial sector reads as zeros.
     */
    static BiosDisk ofBytes(byte[] bytes) {
        byte[] data = bytes.clone();
        return new BiosDisk() {
            @Override public long sectors() { return (data.length + SECTOR - 1) / SECTOR; }
            @Override public boolean readOnly() { return true; }

            @Override
            public void read(long o, byte[] d, int off, int len) throws IOException {
                if (o < 0 || len < 0 || o > sectors() * SECTOR - len) throw new IOException("read past the end");
                java.util.Arrays.fill(d, off, off + len, (byte) 0);
                int n = (int) Math.max(0, Math.min(len, data.length - o));
                if (n > 0) System.arraycopy(data, (int) o, d, off, n);
            }

            @Override
            public void write(long o, byte[] s, int off, int len) throws IOException { throw new IOException("read-only"); }
        };
    }
}
