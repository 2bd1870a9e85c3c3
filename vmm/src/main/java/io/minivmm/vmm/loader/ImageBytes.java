package io.minivmm.vmm.loader;

/**
 * Bounds-checked little-endian reads from an image. Every read names the field it reads so that
 * a truncated image produces a one-line {@link ImageException} naming it.
 */
final class ImageBytes {
    final byte[] b;
    final String what;

    ImageBytes(byte[] b, String what) {
        this.b = b;
        this.what = what;
    }

    int size() {
        return b.length;
    }

    /** The house bounds check: {@code off < 0 || len < 0 || off > size - len}. */
    static boolean inBounds(long off, long len, long size) {
        return !(off < 0 || len < 0 || off > size - len);
    }

    void need(long off, long len, String field) throws ImageException {
        if (!inBounds(off, len, b.length)) {
            throw new ImageException(String.format("%s: %s (offset 0x%x, %s bytes) extends past end of file (size %d)",
                    what, field, off, Long.toUnsignedString(len), b.length));
        }
    }

    int u8(long off, String field) throws ImageException {
        need(off, 1, field);
        return b[(int) off] & 0xff;
    }

    int u16(long off, String field) throws ImageException {
        need(off, 2, field);
        return le16(b, (int) off);
    }

    long u32(long off, String field) throws ImageException {
        need(off, 4, field);
        return le32(b, (int) off);
    }

    long u64(long off, String field) throws ImageException {
        need(off, 8, field);
        return le64(b, (int) off);
    }

    ImageException error(String fmt, Object... args) {
        return new ImageException(what + ": " + String.format(fmt, args));
    }

    static int le16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    static long le32(byte[] b, int off) {
        return (le16(b, off) | (long) le16(b, off + 2) << 16) & 0xffff_ffffL;
    }

    static long le64(byte[] b, int off) {
        return le32(b, off) | le32(b, off + 4) << 32;
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    static void put32(byte[] b, int off, long v) {
        put16(b, off, (int) v);
        put16(b, off + 2, (int) (v >>> 16));
    }

    static void put64(byte[] b, int off, long v) {
        put32(b, off, v);
        put32(b, off + 4, v >>> 32);
    }

    static long alignUp(long v, long align) {
        return (v + align - 1) & -align;
    }
}
