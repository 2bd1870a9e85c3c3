package io.minivmm.vmm.arch.x86;

/**
 * Where the VMM puts the boot-time CPU structures, inside the vCPU area {@code [0x1000, 0x10000)}
 * that the loaders keep free (see the loader package). Page-table frames that do not fit there
 * come from {@link #PAGE_TABLES_EXTRA}.
 */
public final class BootLayout {
    private BootLayout() {}

    /**
     * The default start of the vCPU area, {@code [0x1000, 0x10000)}. A loader may move the area
     * (BootPlan.vcpuArea()) when the image lies there; the structures below keep their offsets
     * from its start ({@link #gdt}, {@link #tss}, {@link #idt}, {@link #pageTables}).
     */
    public static final long AREA = 0x1000;
    /** Size of the vCPU area. */
    public static final long AREA_SIZE = 0xf000;

    public static long gdt(long area) { return area + (GDT - AREA); }

    public static long tss(long area) { return area + (TSS - AREA); }

    public static long idt(long area) { return area + (IDT - AREA); }

    /** The page-table frames of the area: {@code [start, end)}. */
    public static long[] pageTables(long area) { return new long[] {area + (PAGE_TABLES - AREA), area + AREA_SIZE}; }

    /** The boot GDT: null, null, __BOOT_CS (0x10), __BOOT_DS (0x18), TSS (0x20, 16 bytes). */
    public static final long GDT = 0x1000;
    /** A 104-byte TSS, so TR is valid at VM entry. */
    public static final long TSS = 0x1100;
    /** An empty IDT (limit 0): an exception before the guest installs its own triple-faults. */
    public static final long IDT = 0x1200;
    /** Frames for page tables: [0x2000, 0x10000), 14 frames. */
    public static final long PAGE_TABLES = 0x2000;
    public static final long PAGE_TABLES_END = 0x10000;
    /** Overflow frames for page tables when RAM needs more (2 MiB pages over many GiB): [0x30000, 0x80000). */
    public static final long PAGE_TABLES_EXTRA = 0x30000;
    public static final long PAGE_TABLES_EXTRA_END = 0x80000;
    /** Initial stack top for raw and plain-ELF guests, below the EBDA. */
    public static final long BOOT_STACK_TOP = 0x9f000;

    /** Linux boot protocol: __BOOT_CS and __BOOT_DS. */
    public static final int BOOT_CS = 0x10, BOOT_DS = 0x18, BOOT_TSS = 0x20;

    /** KVM_SET_TSS_ADDR: three pages just below the BIOS area, never RAM in our layout. */
    public static final long KVM_TSS_ADDR = 0xfffb_d000L;
    /** KVM_SET_IDENTITY_MAP_ADDR: the page below it. */
    public static final long KVM_IDENTITY_MAP_ADDR = 0xfffb_c000L;
}
