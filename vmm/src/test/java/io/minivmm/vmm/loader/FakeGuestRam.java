package io.minivmm.vmm.loader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** In-memory {@link GuestRam} for tests: sparse 4 KiB pages, so a 4 GiB guest costs nothing until written. */
final class FakeGuestRam implements GuestRam {
    private static final int PAGE = 4096;
    private final List<long[]> ranges;
    private final Map<Long, byte[]> pages = new HashMap<>();
    long bytesWritten;

    FakeGuestRam(long... bounds) {
        List<long[]> r = new ArrayList<>();
        for (int i = 0; i < bounds.length; i += 2) {
            r.add(new long[] {bounds[i], bounds[i + 1]});
        }
        this.ranges = List.copyOf(r);
    }

    /** One range {@code [0, size)}. */
    static FakeGuestRam of(long size) {
        return new FakeGuestRam(0, size);
    }

    /** {@code size} bytes with the usual hole [3 GiB, 4 GiB) when above 3 GiB. */
    static FakeGuestRam withHole(long size) {
        long hole = 0xC000_0000L;
        if (size <= hole) {
            return of(size);
        }
        return new FakeGuestRam(0, hole, Layout.FOUR_GIB, Layout.FOUR_GIB + size - hole);
    }

    @Override
    public long size() {
        long s = 0;
        for (long[] r : ranges) {
            s += r[1] - r[0];
        }
        return s;
    }

    @Override
    public List<long[]> ramRanges() {
        List<long[]> out = new ArrayList<>();
        for (long[] r : ranges) {
            out.add(r.clone());
        }
        return out;
    }

    private boolean inRam(long gpa, long len) {
        for (long[] r : ranges) {
            if (gpa >= r[0] && len <= r[1] - gpa) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void write(long gpa, byte[] src, int off, int len) {
        if (!inRam(gpa, len)) {
            throw new IllegalArgumentException(String.format("write [0x%x, +0x%x) outside RAM", gpa, len));
        }
        for (int i = 0; i < len; ) {
            long a = gpa + i;
            int po = (int) (a % PAGE);
            int n = Math.min(len - i, PAGE - po);
            byte[] page = pages.get(a / PAGE);
            if (page == null && allZero(src, off + i, n)) {
                i += n; // an absent page reads as zeros: keeps a fuzzed 60 MiB .bss cheap
                continue;
            }
            if (page == null) {
                page = new byte[PAGE];
                pages.put(a / PAGE, page);
            }
            System.arraycopy(src, off + i, page, po, n);
            i += n;
        }
        bytesWritten += len;
    }

    private static boolean allZero(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    byte[] read(long gpa, int len) {
        byte[] out = new byte[len];
        for (int i = 0; i < len; ) {
            long a = gpa + i;
            int po = (int) (a % PAGE);
            int n = Math.min(len - i, PAGE - po);
            byte[] page = pages.get(a / PAGE);
            if (page != null) {
                System.arraycopy(page, po, out, i, n);
            }
            i += n;
        }
        return out;
    }

    int u8(long gpa) {
        return read(gpa, 1)[0] & 0xff;
    }

    int u16(long gpa) {
        return ImageBytes.le16(read(gpa, 2), 0);
    }

    long u32(long gpa) {
        return ImageBytes.le32(read(gpa, 4), 0);
    }

    long u64(long gpa) {
        return ImageBytes.le64(read(gpa, 8), 0);
    }

    String cstring(long gpa) {
        StringBuilder sb = new StringBuilder();
        for (long a = gpa; ; a++) {
            int c = u8(a);
            if (c == 0) {
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    boolean untouched() {
        return pages.isEmpty();
    }
}
