package io.minivmm.vmm.loader;

import java.util.ArrayList;
import java.util.List;

/**
 * The fixed guest-physical addresses minivmm's loaders use below 1 MiB (see package-info for the
 * map and the reasons). All loader structures live in this small fixed set; nothing else below
 * 1 MiB is written by a loader except a boot sector or a raw image the user placed there.
 */
public final class Layout {
    private Layout() {
    }

    /** Real-mode IVT and BIOS data area: never written by the loaders, and no image may land there. */
    public static final long IVT_BDA = 0x0;
    public static final long IVT_BDA_SIZE = 0x1000;

    /**
     * Reserved for the vCPU/paging code (GDT, IDT, boot page tables) in PROTECTED32_FLAT and LONG64
     * plans: {@code [0x1000, 0x10000)}, 60 KiB. Not reserved in REAL-mode plans (a real-mode guest
     * owns low memory; a boot sector sits at 0x7c00 inside this range).
     */
    public static final long VCPU_AREA = 0x1000;
    public static final long VCPU_AREA_SIZE = 0xf000;

    /** The page below the initial stack top of protected-mode guests (0x9f000): a moved vCPU area ends below it. */
    public static final long BOOT_STACK_PAGE = 0x9e000;

    /** Boot sector load address (BIOS convention). */
    public static final long BOOT_SECTOR = 0x7c00;

    /**
     * The boot-information area {@code [0x10000, 0x20000)}: exactly one of the Linux zero page
     * (boot_params, 4 KiB, with its e820 table), the PVH hvm_start_info with its module list and
     * memory map, the Multiboot 1 info structure with its mmap, module list and strings, or the
     * Multiboot 2 information structure.
     */
    public static final long BOOT_INFO = 0x10000;
    public static final long BOOT_INFO_SIZE = 0x10000;

    /** The kernel command line, NUL-terminated, at most {@link #CMDLINE_SIZE} bytes including the NUL. */
    public static final long CMDLINE = 0x20000;
    public static final long CMDLINE_SIZE = 0x10000;

    /**
     * The legacy hole {@code [0x9fc00, 0x100000)}: EBDA (the arch code puts the MP table at
     * 0x9fc00), VGA memory, option and BIOS ROMs. Reported as reserved in every memory map.
     */
    public static final long LEGACY_HOLE = 0x9fc00;
    public static final long LEGACY_HOLE_END = 0x100000;
    /** End of the EBDA (start of the VGA window): the MP table lives in [LEGACY_HOLE, EBDA_END). */
    public static final long EBDA_END = 0xa0000;

    /** Where a bzImage's protected-mode kernel goes unless it is relocatable (boot protocol: 0x100000). */
    public static final long HIGH_MEMORY = 0x100000;

    public static final long FOUR_GIB = 0x1_0000_0000L;

    /**
     * The memory map given to the guest: the RAM ranges with the legacy hole cut out of them and
     * reported as reserved. Ascending by address.
     */
    public static List<BootPlan.E820Entry> e820(GuestRam ram) {
        return List.copyOf(ram.memoryMap());
    }

    /** The default memory map of {@link GuestRam#memoryMap()}. */
    static List<BootPlan.E820Entry> defaultE820(GuestRam ram) {
        List<BootPlan.E820Entry> out = new ArrayList<>();
        for (long[] r : Placement.mergedRanges(ram)) {
            long s = r[0];
            long e = r[1];
            if (Long.compareUnsigned(s, LEGACY_HOLE) < 0) {
                long end = Long.compareUnsigned(e, LEGACY_HOLE) < 0 ? e : LEGACY_HOLE;
                out.add(new BootPlan.E820Entry(s, end - s, BootPlan.E820Entry.RAM));
            }
            if (Long.compareUnsigned(e, LEGACY_HOLE_END) > 0) {
                long start = Long.compareUnsigned(s, LEGACY_HOLE_END) > 0 ? s : LEGACY_HOLE_END;
                out.add(new BootPlan.E820Entry(start, e - start, BootPlan.E820Entry.RAM));
            }
        }
        out.add(new BootPlan.E820Entry(LEGACY_HOLE, LEGACY_HOLE_END - LEGACY_HOLE, BootPlan.E820Entry.RESERVED));
        out.sort((a, b) -> Long.compareUnsigned(a.addr(), b.addr()));
        return out;
    }

    /** Base memory in KiB (Multiboot mem_lower): the memory map's usable RAM from address 0. */
    static long lowerMemoryKib(GuestRam ram) {
        for (BootPlan.E820Entry e : ram.memoryMap()) {
            if (e.addr() == 0 && e.type() == BootPlan.E820Entry.RAM) return Math.min(e.size(), LEGACY_HOLE) / 1024;
        }
        return 0;
    }

    /** Contiguous RAM in KiB from {@code base} (Multiboot mem_lower / mem_upper), capped at 2^32-1. */
    static long contiguousKib(GuestRam ram, long base, long capExclusive) {
        for (long[] r : Placement.mergedRanges(ram)) {
            if (Long.compareUnsigned(base, r[0]) >= 0 && Long.compareUnsigned(base, r[1]) < 0) {
                long end = Long.compareUnsigned(r[1], capExclusive) < 0 ? r[1] : capExclusive;
                long kib = Long.divideUnsigned(end - base, 1024);
                return Long.compareUnsigned(kib, 0xffff_ffffL) > 0 ? 0xffff_ffffL : kib;
            }
        }
        return 0;
    }
}
