package io.minivmm.vmm.arch.x86;

import io.minivmm.kvm.x86.Segment;

/**
 * GDT descriptors: encoding a {@link Segment} into the 8-byte format the CPU reads, and decoding
 * it back (the crash report decodes the guest's GDT with the same code).
 */
public final class Gdt {
    private Gdt() {}

    /**
     * An 8-byte descriptor from its parts. {@code flags} is the 4-bit G/DB/L/AVL nibble,
     * {@code access} the P/DPL/S/type byte.
     */
    public static long descriptor(long base, long limit, int access, int flags) {
        return (limit & 0xffffL) | ((base & 0xffffffL) << 16) | ((long) (access & 0xff) << 40)
                | (((limit >>> 16) & 0xfL) << 48) | ((long) (flags & 0xf) << 52) | (((base >>> 24) & 0xffL) << 56);
    }

    /** The descriptor for a KVM segment (limit is the byte limit; scaled when G is set). */
    public static long encode(Segment s) {
        long limit = s.g() ? s.limit() >>> 12 : s.limit();
        int access = (s.present() ? 0x80 : 0) | ((s.dpl() & 3) << 5) | (s.s() ? 0x10 : 0) | (s.type() & 0xf);
        int flags = (s.g() ? 8 : 0) | (s.db() ? 4 : 0) | (s.l() ? 2 : 0) | (s.avl() ? 1 : 0);
        return descriptor(s.base(), limit, access, flags);
    }

    /** The KVM segment a load of {@code selector} with descriptor {@code d} produces. */
    public static Segment decode(long d, int selector) {
        long base = ((d >>> 16) & 0xffffffL) | (((d >>> 56) & 0xffL) << 24);
        long limit = (d & 0xffffL) | (((d >>> 48) & 0xfL) << 16);
        int access = (int) ((d >>> 40) & 0xff);
        int flags = (int) ((d >>> 52) & 0xf);
        boolean g = (flags & 8) != 0;
        if (g) limit = (limit << 12) | 0xfff;
        return new Segment(base, limit, selector, access & 0xf, (access & 0x80) != 0, (access >>> 5) & 3,
                (flags & 4) != 0, (access & 0x10) != 0, (flags & 2) != 0, g, (flags & 1) != 0, (access & 0x80) == 0);
    }

    /** 64-bit code, DPL 0. */
    public static final Segment CODE64 = new Segment(0, 0xffffffffL, BootLayout.BOOT_CS, 0xb, true, 0, false, true,
            true, true, false, false);
    /** 32-bit flat code, DPL 0. */
    public static final Segment CODE32 = new Segment(0, 0xffffffffL, BootLayout.BOOT_CS, 0xb, true, 0, true, true,
            false, true, false, false);
    /** 32-bit flat data, DPL 0. */
    public static final Segment DATA = new Segment(0, 0xffffffffL, BootLayout.BOOT_DS, 0x3, true, 0, true, true,
            false, true, false, false);
    /**
     * The 32-bit boot TSS: base 0, limit 0x67, busy (type 0xb), as the PVH ABI requires
     * ("tr: must be a 32-bit TSS (active) with a base of '0' and a limit of '0x67'").
     */
    public static final Segment TSS32 = new Segment(0, 0x67, BootLayout.BOOT_TSS, 0xb, true, 0, false, false, false,
            false, false, false);
    /** The 64-bit boot TSS (busy 64-bit TSS, type 0xb), 104 bytes at {@link BootLayout#TSS}. */
    public static final Segment TSS = new Segment(BootLayout.TSS, 0x67, BootLayout.BOOT_TSS, 0xb, true, 0, false,
            false, false, false, false, false);
}
