package io.minivmm.vmm.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The function and object symbols of an ELF64 image's {@code .symtab}, for naming RIP in a crash
 * report. Every offset and count read from the image is checked; an image that is not ELF64 or
 * has no symbol table gives an empty table, never an exception.
 */
public final class Symbols {
    private static final Symbols EMPTY = new Symbols(new long[0], new long[0], new String[0]);
    private final long[] addr;
    private final long[] size;
    private final String[] name;

    private Symbols(long[] addr, long[] size, String[] name) {
        this.addr = addr;
        this.size = size;
        this.name = name;
    }

    public int count() { return addr.length; }

    /** Parses the symbol table, or returns an empty one. */
    public static Symbols fromElf(byte[] image) {
        try {
            return parse(image);
        } catch (RuntimeException e) {
            return EMPTY; // malformed tables are not worth a crash inside a crash report
        }
    }

    private static boolean in(long off, long len, long size) {
        return off >= 0 && len >= 0 && off <= size - len;
    }

    private static Symbols parse(byte[] img) {
        if (img.length < 64 || img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' || img[3] != 'F' || img[4] != 2) return EMPTY;
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
        int shnum = Short.toUnsignedInt(b.getShort(0x3c));
        if (shentsize < 64 || !in(shoff, (long) shnum * shentsize, img.length)) return EMPTY;
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            if (b.getInt(sh + 4) != 2 /* SHT_SYMTAB */) continue;
            long off = b.getLong(sh + 0x18), len = b.getLong(sh + 0x20), entsize = b.getLong(sh + 0x38);
            int link = b.getInt(sh + 0x28);
            if (entsize < 24 || !in(off, len, img.length) || link < 0 || link >= shnum) return EMPTY;
            int strSh = (int) (shoff + (long) link * shentsize);
            long strOff = b.getLong(strSh + 0x18), strLen = b.getLong(strSh + 0x20);
            if (!in(strOff, strLen, img.length)) return EMPTY;
            int n = (int) (len / entsize);
            long[][] tmp = new long[n][];
            String[] names = new String[n];
            int kept = 0;
            for (int k = 0; k < n; k++) {
                int e = (int) (off + k * entsize);
                int type = b.get(e + 4) & 0xf;
                if (type != 1 && type != 2 && type != 0) continue; // OBJECT, FUNC, NOTYPE
                long value = b.getLong(e + 8);
                int nameOff = b.getInt(e);
                if (value == 0 || nameOff <= 0 || nameOff >= strLen) continue;
                int start = (int) (strOff + nameOff), end = start;
                while (end < strOff + strLen && img[end] != 0) end++;
                if (end == start) continue;
                names[kept] = new String(img, start, end - start, StandardCharsets.ISO_8859_1);
                tmp[kept++] = new long[] {value, b.getLong(e + 16), kept - 1};
            }
            long[][] sorted = Arrays.copyOf(tmp, kept);
            Arrays.sort(sorted, (x, y) -> Long.compareUnsigned(x[0], y[0]));
            long[] a = new long[kept], s = new long[kept];
            String[] nm = new String[kept];
            for (int k = 0; k < kept; k++) {
                a[k] = sorted[k][0];
                s[k] = sorted[k][1];
                nm[k] = names[(int) sorted[k][2]];
            }
            return new Symbols(a, s, nm);
        }
        return EMPTY;
    }

    /**
     * {@code name+0xoff} for the closest symbol at or below {@code address} (within its size when
     * it has one, within 64 KiB otherwise), or null.
     */
    public String lookup(long address) {
        int lo = 0, hi = addr.length - 1, best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addr[mid], address) <= 0) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (best < 0) return null;
        long off = address - addr[best];
        long limit = size[best] > 0 ? size[best] : 0x10000;
        if (Long.compareUnsigned(off, limit) >= 0) return null;
        return off == 0 ? name[best] : name[best] + "+0x" + Long.toHexString(off);
    }
}
