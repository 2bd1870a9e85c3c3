package io.minivmm.vmm.machine;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * The one place that decides where things go in the guest-physical address space and which
 * interrupt lines they use: platform tables, firmware data, MMIO windows, and (once loaded) the
 * guest image. Every claim is checked against every earlier one, so no two parts of the machine
 * can overlap, and the loader sees what the parts reserved before it places the image.
 * <pre>{@code
 * ResourceAllocator res = new ResourceAllocator(List.of(new long[] {0, 256 << 20}));
 * long mp = res.allocateDown("mp-table", 0x200, 16, 0xa0000, Use.FIRMWARE);   // top of base memory
 * long mmio = res.allocateMmio("virtio-blk", 0x1000, 0x1000);
 * int irq = res.allocateIrq("virtio-blk");
 * }</pre>
 * All address comparisons are unsigned; ranges are {@code [base, base+size)}.
 */
public final class ResourceAllocator {
    /** What a claimed range is used for; decides how the memory map reports it. */
    public enum Use {
        /** Data the platform puts in RAM (MP/ACPI tables, BIOS data): reserved in the memory map. */
        FIRMWARE,
        /** RAM or address space the guest must not use as RAM (legacy VGA/ROM window): reserved. */
        RESERVED,
        /** A device's MMIO window, outside RAM. */
        MMIO,
        /** The loaded guest image and its boot structures: RAM in the memory map (the guest owns it). */
        IMAGE
    }

    /** One claimed range. */
    public record Range(String owner, long base, long size, Use use) {
        public long end() { return base + size; }

        boolean overlaps(long b, long s) {
            return Long.compareUnsigned(b, end()) < 0 && Long.compareUnsigned(base, b + s) < 0;
        }

        @Override
        public String toString() { return String.format("%s [0x%x, 0x%x) %s", owner, base, end(), use.name().toLowerCase()); }
    }

    /** The 32-bit MMIO window devices are allocated from: above low RAM, below the I/O APIC. */
    public static final long MMIO_WINDOW = 0xd000_0000L, MMIO_WINDOW_END = 0xfec0_0000L;
    /** I/O APIC pins (GSIs) of the in-kernel irqchip. */
    public static final int GSI_COUNT = 24;
    /** First GSI handed out by {@link #allocateIrq}: 0-4 are the PIT, keyboard, cascade, COM2 and COM1. */
    static final int FIRST_DYNAMIC_GSI = 5;
    /** ISA lines that firmware and drivers assume are theirs: RTC, mouse, FPU, the IDE channels. */
    private static final int[] ISA_FIXED = {8, 12, 13, 14, 15};

    private final List<long[]> ram;
    private final List<Range> claims = new ArrayList<>();
    private final String[] irqOwner = new String[GSI_COUNT];
    private final BitSet isaFixed = new BitSet();
    private long mmioNext = MMIO_WINDOW;

    // Comparators as classes, not lambdas: the allocator runs on every boot and each lambda is a
    // call site to link at its first use (docs/STARTUP.md).
    /** {@code long[]} ranges by their first element, unsigned. */
    private static final Comparator<long[]> BY_START = new Comparator<long[]>() {
        @Override
        public int compare(long[] a, long[] b) {
            return Long.compareUnsigned(a[0], b[0]);
        }
    };

    private static final Comparator<Range> BY_BASE = new Comparator<Range>() {
        @Override
        public int compare(Range a, Range b) {
            return Long.compareUnsigned(a.base(), b.base());
        }
    };

    /** @param ramRanges guest RAM as {@code {start, endExclusive}} pairs */
    public ResourceAllocator(List<long[]> ramRanges) {
        List<long[]> r = new ArrayList<>();
        for (long[] x : ramRanges) r.add(new long[] {x[0], x[1]});
        r.sort(BY_START);
        this.ram = List.copyOf(r);
        for (int g : ISA_FIXED) isaFixed.set(g);
    }

    /** Guest RAM ranges, ascending. */
    public List<long[]> ram() {
        List<long[]> out = new ArrayList<>();
        for (long[] r : ram) out.add(r.clone());
        return out;
    }

    /** Whether all of {@code [base, base+size)} is RAM (inside one range). */
    public boolean isRam(long base, long size) {
        for (long[] r : ram) {
            if (Long.compareUnsigned(base, r[0]) >= 0 && Long.compareUnsigned(base + size, r[1]) <= 0
                    && Long.compareUnsigned(base + size, base) >= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Claims a fixed range. FIRMWARE and IMAGE ranges must be RAM; MMIO ranges must not touch RAM.
     *
     * @throws ResourceException naming both owners when the range overlaps an earlier claim
     */
    public synchronized void claim(String owner, long base, long size, Use use) {
        if (size <= 0 || Long.compareUnsigned(base + size, base) < 0 && base + size != 0) {
            throw new ResourceException(String.format("%s: bad range 0x%x+0x%x", owner, base, size));
        }
        if ((use == Use.FIRMWARE || use == Use.IMAGE) && !isRam(base, size)) {
            throw new ResourceException(String.format("%s [0x%x, 0x%x) is not in guest RAM", owner, base, base + size));
        }
        if (use == Use.MMIO) {
            for (long[] r : ram) {
                if (Long.compareUnsigned(base, r[1]) < 0 && Long.compareUnsigned(r[0], base + size) < 0) {
                    throw new ResourceException(String.format("%s MMIO [0x%x, 0x%x) overlaps guest RAM", owner, base, base + size));
                }
            }
        }
        for (Range c : claims) {
            if (c.overlaps(base, size)) {
                throw new ResourceException(String.format("%s [0x%x, 0x%x) overlaps %s", owner, base, base + size, c));
            }
        }
        claims.add(new Range(owner, base, size, use));
        claims.sort(BY_BASE);
    }

    /**
     * Claims the highest free {@code size} bytes of RAM that end at or below {@code limit},
     * aligned to {@code align} (a power of two). Used for tables that live at the top of base
     * memory (the EBDA grows down from 0xA0000 as tables need room). The claim is {@code size}
     * rounded up to {@code align}, so consecutive allocations leave no slivers between them.
     *
     * @throws ResourceException when nothing fits
     */
    public synchronized long allocateDown(String owner, long size, long align, long limit, Use use) {
        checkAlign(owner, size, align);
        size = (size + align - 1) & -align;
        for (int i = ram.size() - 1; i >= 0; i--) {
            long lo = ram.get(i)[0];
            long hi = Long.compareUnsigned(ram.get(i)[1], limit) < 0 ? ram.get(i)[1] : limit;
            long top = hi;
            while (Long.compareUnsigned(top, lo) > 0 && Long.compareUnsigned(top - lo, size) >= 0) {
                long base = (top - size) & -align;
                if (Long.compareUnsigned(base, lo) < 0) break;
                Range hit = firstOverlap(base, size);
                if (hit == null) {
                    claim(owner, base, size, use);
                    return base;
                }
                top = hit.base;
            }
        }
        throw new ResourceException(String.format("%s: no room for 0x%x bytes below 0x%x", owner, size, limit));
    }

    /** Claims {@code size} bytes of MMIO space in the 32-bit window, aligned to {@code align}. */
    public synchronized long allocateMmio(String owner, long size, long align) {
        checkAlign(owner, size, align);
        long base = (mmioNext + align - 1) & -align;
        while (Long.compareUnsigned(base + size, MMIO_WINDOW_END) <= 0) {
            Range hit = firstOverlap(base, size);
            if (hit == null) {
                claim(owner, base, size, Use.MMIO);
                mmioNext = base + size;
                return base;
            }
            base = (hit.end() + align - 1) & -align;
        }
        throw new ResourceException(String.format("%s: the MMIO window [0x%x, 0x%x) is full", owner, MMIO_WINDOW, MMIO_WINDOW_END));
    }

    /** Claims interrupt line {@code gsi} (an ISA device's fixed IRQ). */
    public synchronized void claimIrq(String owner, int gsi) {
        if (gsi < 0 || gsi >= GSI_COUNT) throw new ResourceException(owner + ": IRQ " + gsi + " is not 0.." + (GSI_COUNT - 1));
        if (irqOwner[gsi] != null) throw new ResourceException(owner + ": IRQ " + gsi + " is taken by " + irqOwner[gsi]);
        irqOwner[gsi] = owner;
    }

    /** Hands out a free interrupt line that no ISA device expects to own. */
    public synchronized int allocateIrq(String owner) {
        for (int g = FIRST_DYNAMIC_GSI; g < GSI_COUNT; g++) {
            if (irqOwner[g] == null && !isaFixed.get(g)) {
                irqOwner[g] = owner;
                return g;
            }
        }
        throw new ResourceException(owner + ": no free interrupt line");
    }

    /** The owner of {@code gsi}, or null. */
    public synchronized String irqOwner(int gsi) { return gsi >= 0 && gsi < GSI_COUNT ? irqOwner[gsi] : null; }

    /** Every claim, ascending by address. */
    public synchronized List<Range> claims() { return List.copyOf(claims); }

    /** The claims of one use, ascending (e.g. FIRMWARE: what an image must not overwrite). */
    public synchronized List<Range> claims(Use use) {
        List<Range> out = new ArrayList<>();
        for (Range c : claims) if (c.use == use) out.add(c);
        return out;
    }

    /**
     * The memory map a guest is given: RAM with every FIRMWARE/RESERVED claim cut out and
     * reported as reserved, ascending. Each entry is {@code {base, size, type}} with type 1 = RAM,
     * 2 = reserved (ACPI "AddressRangeMemory" / "AddressRangeReserved").
     */
    public synchronized List<long[]> memoryMap() {
        List<long[]> out = new ArrayList<>();
        for (long[] r : ram) {
            long at = r[0];
            for (Range c : claims) {
                if (c.use == Use.IMAGE || c.use == Use.MMIO) continue;
                if (Long.compareUnsigned(c.end(), at) <= 0 || Long.compareUnsigned(c.base, r[1]) >= 0) continue;
                if (Long.compareUnsigned(c.base, at) > 0) out.add(new long[] {at, c.base - at, 1});
                at = Long.compareUnsigned(c.end(), at) > 0 ? c.end() : at;
            }
            if (Long.compareUnsigned(at, r[1]) < 0) out.add(new long[] {at, r[1] - at, 1});
        }
        for (Range c : claims) if (c.use == Use.FIRMWARE || c.use == Use.RESERVED) out.add(new long[] {c.base, c.size, 2});
        out.sort(BY_START);
        return merge(out);
    }

    /** Joins touching entries of the same type. */
    private static List<long[]> merge(List<long[]> in) {
        List<long[]> out = new ArrayList<>();
        for (long[] e : in) {
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last[2] == e[2] && last[0] + last[1] == e[0]) last[1] += e[1];
            else out.add(e.clone());
        }
        return out;
    }

    private Range firstOverlap(long base, long size) {
        Range best = null;
        for (Range c : claims) {
            if (c.overlaps(base, size) && (best == null || Long.compareUnsigned(c.base, best.base) < 0)) best = c;
        }
        return best;
    }

    private static void checkAlign(String owner, long size, long align) {
        if (size <= 0 || align <= 0 || Long.bitCount(align) != 1) {
            throw new ResourceException(String.format("%s: bad request size 0x%x align 0x%x", owner, size, align));
        }
    }
}
