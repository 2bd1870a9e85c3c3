package io.minivmm.vmm.paging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random operations on {@link PageTable64} checked against a reference model: a sorted map
 * of linearly mapped segments. Any failing seed reproduces exactly.
 */
class PageTableModelTest {
    private static final long K4 = 0x1000;
    private static final long M2 = 0x20_0000;
    private static final long G1 = 0x4000_0000L;
    /** Two 4 GiB windows: one in each canonical half. */
    private static final long[] WINDOWS = {0, 0xffff_8000_0000_0000L};
    private static final long WINDOW = 4 * G1;
    private static final MappingFlags[] FLAGS = {
        MappingFlags.READ,
        MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE),
        MappingFlags.of(MappingFlags.READ, MappingFlags.EXECUTE),
        MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE, MappingFlags.USER),
        MappingFlags.of(MappingFlags.READ, MappingFlags.DEVICE),
        MappingFlags.EMPTY,
    };

    /** A linearly mapped range [start, start+len) -> [pa, pa+len). */
    private record Seg(long start, long len, long pa, MappingFlags flags) {
        long end() {
            return start + len;
        }
    }

    private final TreeMap<Long, Seg> model = new TreeMap<>(Long::compareUnsigned);
    private Random rnd;
    private PageTable64 pt;
    private TestMemory tm;

    private static MappingFlags decoded(MappingFlags f) {
        return X86Pte.toFlags(X86Pte.fromFlags(f));
    }

    private static boolean below(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    // ------------------------------------------------------------ the model

    private List<Seg> overlapping(long start, long len) {
        List<Seg> out = new ArrayList<>();
        Map.Entry<Long, Seg> lower = model.lowerEntry(start);
        if (lower != null && below(start, lower.getValue().end())) {
            out.add(lower.getValue());
        }
        out.addAll(model.subMap(start, true, start + len, false).values());
        return out;
    }

    private boolean isFree(long start, long len) {
        return overlapping(start, len).isEmpty();
    }

    private boolean fullyMapped(long start, long len) {
        long cur = start;
        for (Seg s : overlapping(start, len)) {
            if (below(cur, s.start())) {
                return false;
            }
            cur = s.end();
        }
        return !below(cur, start + len);
    }

    /** Cuts segments at start and start+len, returns the pieces inside. */
    private List<Seg> carve(long start, long len) {
        long end = start + len;
        List<Seg> inside = new ArrayList<>();
        for (Seg s : overlapping(start, len)) {
            model.remove(s.start());
            if (below(s.start(), start)) {
                model.put(s.start(), new Seg(s.start(), start - s.start(), s.pa(), s.flags()));
            }
            if (below(end, s.end())) {
                model.put(end, new Seg(end, s.end() - end, s.pa() + (end - s.start()), s.flags()));
            }
            long a = below(s.start(), start) ? start : s.start();
            long b = below(end, s.end()) ? end : s.end();
            inside.add(new Seg(a, b - a, s.pa() + (a - s.start()), s.flags()));
        }
        return inside;
    }

    private void modelProtect(long start, long len, MappingFlags flags) {
        for (Seg s : carve(start, len)) {
            model.put(s.start(), new Seg(s.start(), s.len(), s.pa(), decoded(flags)));
        }
    }

    private Seg segAt(long va) {
        Map.Entry<Long, Seg> e = model.floorEntry(va);
        return e != null && below(va, e.getValue().end()) ? e.getValue() : null;
    }

    // ------------------------------------------------------------ checks

    private void probe(long va) {
        Seg s = segAt(va);
        Translation t = pt.find(va);
        if (s == null) {
            assertNull(t, () -> String.format("0x%x should be unmapped", va));
            return;
        }
        assertNotNull(t, () -> String.format("0x%x should map to 0x%x", va, s.pa() + (va - s.start())));
        assertEquals(s.pa() + (va - s.start()), t.paddr(), () -> String.format("pa of 0x%x", va));
        assertEquals(s.flags(), t.flags(), () -> String.format("flags of 0x%x", va));
        long pageBase = t.size().alignDown(va);
        assertTrue(t.size().isAligned(t.paddr() - (va - pageBase)), "leaf frame aligned to its size");
    }

    private void probeAround(long start, long len) {
        long[] points = {start - K4, start, start + len - K4, start + len, start + len / 2};
        for (long p : points) {
            if (PageTable64.isCanonical(p)) {
                probe(p);
            }
        }
        for (int i = 0; i < 8; i++) {
            probe(randomVa(0));
        }
    }

    /** The whole table against the whole model. */
    private void fullCheck() {
        long[] mapped = {0};
        pt.walk(PageTable64.WalkEntries.IN_USE, 512, (level, index, va, e) -> {
            if (level == 3 || (level > 0 && X86Pte.isHuge(e))) {
                long size = PageSize.ofLevel(level).bytes();
                mapped[0] += size;
                Seg s = segAt(va);
                assertNotNull(s, () -> String.format("leaf at 0x%x not in model", va));
                assertTrue(!below(s.end() - 1, va + size - 1), "leaf inside one model segment");
                assertEquals(s.pa() + (va - s.start()), X86Pte.paddr(e));
                assertEquals(s.flags(), X86Pte.toFlags(e));
            }
        }, null);
        long total = 0;
        for (Seg s : model.values()) {
            total += s.len();
        }
        assertEquals(total, mapped[0], "mapped bytes");
    }

    // ------------------------------------------------------------ random inputs

    private long randomVa(long align) {
        long w = WINDOWS[rnd.nextInt(WINDOWS.length)];
        long va = w + ((rnd.nextLong() & (WINDOW - 1)) & -K4);
        if (align > 0) {
            va &= -align;
        }
        // half the time, aim next to an existing mapping so operations collide
        if (align == 0 && !model.isEmpty() && rnd.nextBoolean()) {
            Map.Entry<Long, Seg> e = model.floorEntry(va);
            if (e == null) {
                e = model.firstEntry();
            }
            Seg s = e.getValue();
            va = s.start() + ((rnd.nextLong() & Long.MAX_VALUE) % (s.len() + 4 * K4) & -K4) - 2 * K4;
            if (!PageTable64.isCanonical(va) || !PageTable64.isCanonical(va + 8 * M2)) {
                va = s.start();
            }
        }
        return va;
    }

    private long randomLen() {
        int r = rnd.nextInt(100);
        if (r < 50) {
            return (1 + rnd.nextInt(8)) * K4;
        } else if (r < 95) {
            return (1 + rnd.nextInt(1536)) * K4;
        }
        return G1 + (rnd.nextInt(1024) * K4);
    }

    private long randomPa(long align) {
        return (rnd.nextLong() & 0x0000_00ff_ffff_f000L) & -align;
    }

    private MappingFlags randomFlags() {
        return FLAGS[rnd.nextInt(FLAGS.length)];
    }

    private boolean fitsWindow(long va, long len) {
        for (long w : WINDOWS) {
            if (!below(va, w) && !below(w + WINDOW, va + len) && !below(va + len, va)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------ the run

    @ParameterizedTest
    @ValueSource(longs = {1, 42, 20240611})
    void randomOperationsMatchModel(long seed) throws Exception {
        rnd = new Random(seed);
        tm = new TestMemory(40 << 20);
        pt = tm.table();
        int ok = 0;
        int failed = 0;
        for (int op = 0; op < 4000; op++) {
            long before = tm.frames.allocatedCount();
            int kind = rnd.nextInt(100);
            long va;
            long len;
            PagingError err = null;
            String what;
            if (kind < 22) {
                PageSize size = rnd.nextInt(10) < 7 ? PageSize.SIZE_4K
                        : rnd.nextInt(5) == 0 ? PageSize.SIZE_1G : PageSize.SIZE_2M;
                va = randomVa(size.bytes());
                len = size.bytes();
                long pa = randomPa(size.bytes());
                MappingFlags f = randomFlags();
                what = String.format("map 0x%x -> 0x%x %s", va, pa, size);
                boolean free = isFree(va, len);
                try {
                    pt.map(va, pa, size, f);
                    assertTrue(free, what + " should have failed");
                    model.put(va, new Seg(va, len, pa, decoded(f)));
                } catch (PagingError e) {
                    err = e;
                    if (free) {
                        assertTrue(size.isHuge() && e.kind() == PagingError.Kind.ALREADY_MAPPED, what + ": " + e);
                    } else {
                        assertTrue(e.kind() == PagingError.Kind.ALREADY_MAPPED
                                || e.kind() == PagingError.Kind.MAPPED_TO_HUGE_PAGE, what + ": " + e);
                    }
                }
            } else if (kind < 45) {
                va = randomVa(rnd.nextBoolean() ? M2 : 0);
                len = randomLen();
                if (!fitsWindow(va, len)) {
                    continue;
                }
                long delta = randomPa(rnd.nextInt(3) == 0 ? K4 : rnd.nextBoolean() ? M2 : G1) - (va & 0xff_ffff_ffffL);
                boolean huge = rnd.nextBoolean();
                MappingFlags f = randomFlags();
                final long d = delta & 0x000f_ffff_ffff_f000L;
                what = String.format("mapRegion 0x%x+0x%x huge=%s", va, len, huge);
                boolean free = isFree(va, len);
                try {
                    pt.mapRegion(va, v -> (v + d) & 0x000f_ffff_ffff_f000L, len, f, huge);
                    assertTrue(free, what + " should have failed");
                    // the function wraps inside 52 bits; record the pieces it produced
                    long cur = va;
                    while (below(cur, va + len)) {
                        long pa = (cur + d) & 0x000f_ffff_ffff_f000L;
                        long n = Math.min(va + len - cur, (0x0010_0000_0000_0000L - pa));
                        model.put(cur, new Seg(cur, n, pa, decoded(f)));
                        cur += n;
                    }
                } catch (PagingError e) {
                    err = e;
                    if (free) {
                        assertTrue(huge && e.kind() == PagingError.Kind.ALREADY_MAPPED, what + ": " + e);
                    } else {
                        assertTrue(e.kind() == PagingError.Kind.ALREADY_MAPPED
                                || e.kind() == PagingError.Kind.MAPPED_TO_HUGE_PAGE, what + ": " + e);
                    }
                }
            } else if (kind < 80) {
                boolean unmap = kind < 65;
                va = randomVa(0);
                len = rnd.nextInt(4) == 0 ? randomLen() : (1 + rnd.nextInt(600)) * K4;
                if (!fitsWindow(va, len)) {
                    continue;
                }
                MappingFlags f = randomFlags();
                what = String.format("%s 0x%x+0x%x", unmap ? "unmapRegion" : "protectRegion", va, len);
                boolean full = fullyMapped(va, len);
                try {
                    if (unmap) {
                        pt.unmapRegion(va, len);
                        carve(va, len);
                    } else {
                        pt.protectRegion(va, len, f);
                        modelProtect(va, len, f);
                    }
                    assertTrue(full, what + " should have failed");
                } catch (PagingError e) {
                    err = e;
                    assertTrue(!full && e.kind() == PagingError.Kind.NOT_MAPPED, what + ": " + e);
                }
            } else {
                boolean unmap = kind < 92;
                va = randomVa(0);
                len = K4;
                MappingFlags f = randomFlags();
                what = String.format("%s 0x%x", unmap ? "unmap" : "protect", va);
                Seg s = segAt(va);
                try {
                    if (unmap) {
                        Translation t = pt.unmap(va);
                        long base = t.size().alignDown(va);
                        assertNotNull(s, what + " should have failed");
                        assertEquals(s.pa() + (base - s.start()), t.paddr(), what);
                        assertTrue(fullyMapped(base, t.size().bytes()), what);
                        carve(base, t.size().bytes());
                        va = base;
                        len = t.size().bytes();
                    } else {
                        PageSize size = pt.protect(va, f);
                        assertNotNull(s, what + " should have failed");
                        va = size.alignDown(va);
                        len = size.bytes();
                        modelProtect(va, len, f);
                    }
                } catch (PagingError e) {
                    err = e;
                    assertTrue(s == null && e.kind() == PagingError.Kind.NOT_MAPPED, what + ": " + e);
                }
            }
            if (err != null) {
                failed++;
                assertEquals(before, tm.frames.allocatedCount(), "a failed call keeps its frames: " + err);
            } else {
                ok++;
            }
            probeAround(va, len);
            if (op % 500 == 499) {
                fullCheck();
            }
        }
        fullCheck();
        assertTrue(ok > 1000 && failed > 200, "both outcomes exercised: ok=" + ok + " failed=" + failed);
        pt.close();
        assertEquals(0, tm.frames.allocatedCount());
    }
}
