package io.minivmm.vmm.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The function and object symbols of an ELF64 or ELF32 image's {@code .symtab} (a Multiboot 1
 * kernel is usually ELF32), for naming RIP in a crash report. Every offset and count read from
 * the image is checked, and the work is bounded whatever the image says: at most
 * {@link #MAX_ENTRIES} entries are examined, {@link #MAX_SYMBOLS} kept, and a name is read up to
 * {@link #MAX_NAME} bytes (a string table without NUL cannot make one name megabytes long). An
 * image that is not ELF or has no symbol table gives an empty table, never an exception.
 */
public final class Symbols {
    static final int MAX_ENTRIES = 1 << 20, MAX_SYMBOLS = 1 << 18, MAX_NAME = 256;
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

    /** The ELF32/ELF64 field offsets this reader needs. */
    private record Layout(boolean is64, int ehdrSize, int shoff, int shentsize, int shnum, int shEnt, int shOffset,
            int shSize, int shLink, int symEnt, int stValue, int stSize, int stInfo) {
        static final Layout ELF64 = new Layout(true, 64, 0x28, 0x3a, 0x3c, 64, 0x18, 0x20, 0x28, 24, 8, 16, 4);
        static final Layout ELF32 = new Layout(false, 52, 0x20, 0x2e, 0x30, 40, 0x10, 0x14, 0x18, 16, 4, 8, 12);

        long word(ByteBuffer b, int at) { return is64 ? b.getLong(at) : Integer.toUnsignedLong(b.getInt(at)); }
    }

    private static Symbols parse(byte[] img) {
        if (img.length < 52 || img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' || img[3] != 'F') return EMPTY;
        Layout l = img[4] == 2 ? Layout.ELF64 : img[4] == 1 ? Layout.ELF32 : null;
        if (l == null || img.length < l.ehdrSize) return EMPTY;
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = l.word(b, l.shoff);
        int shentsize = Short.toUnsignedInt(b.getShort(l.shentsize));
        int shnum = Short.toUnsignedInt(b.getShort(l.shnum));
        if (shentsize < l.shEnt || !in(shoff, (long) shnum * shentsize, img.length)) return EMPTY;
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            if (b.getInt(sh + 4) != 2 /* SHT_SYMTAB */) continue;
            long off = l.word(b, sh + l.shOffset), len = l.word(b, sh + l.shSize);
            long entsize = l.word(b, sh + (l.is64 ? 0x38 : 0x24));
            int link = b.getInt(sh + l.shLink);
            if (entsize < l.symEnt || !in(off, len, img.length) || link < 0 || link >= shnum) return EMPTY;
            int strSh = (int) (shoff + (long) link * shentsize);
            long strOff = l.word(b, strSh + l.shOffset), strLen = l.word(b, strSh + l.shSize);
            if (!in(strOff, strLen, img.length)) return EMPTY;
            int n = (int) Math.min(len / entsize, MAX_ENTRIES);
            long[] values = new long[Math.min(n, MAX_SYMBOLS)], sizes = new long[values.length];
            String[] names = new String[values.length];
            int kept = 0;
            for (int k = 0; k < n && kept < values.length; k++) {
                int e = (int) (off + k * entsize);
                int type = b.get(e + l.stInfo) & 0xf;
                if (type != 1 && type != 2 && type != 0) continue; // OBJECT, FUNC, NOTYPE
                long value = l.word(b, e + l.stValue);
                long nameOff = Integer.toUnsignedLong(b.getInt(e));
                if (value == 0 || nameOff == 0 || nameOff >= strLen) continue;
                int start = (int) (strOff + nameOff);
                int limit = (int) Math.min(strOff + strLen, (long) start + MAX_NAME), end = start;
                while (end < limit && img[end] != 0) end++;
                if (end == start) continue;
                names[kept] = new String(img, start, end - start, StandardCharsets.ISO_8859_1);
                values[kept] = value;
                sizes[kept] = l.word(b, e + l.stSize);
                kept++;
            }
            Integer[] order = new Integer[kept];
            for (int k = 0; k < kept; k++) order[k] = k;
            Arrays.sort(order, (x, y) -> Long.compareUnsigned(values[x], values[y]));
            long[] a = new long[kept], sz = new long[kept];
            String[] nm = new String[kept];
            for (int k = 0; k < kept; k++) {
                a[k] = values[order[k]];
                sz[k] = sizes[order[k]];
                nm[k] = names[order[k]];
            }
            return new Symbols(a, sz, nm);
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
