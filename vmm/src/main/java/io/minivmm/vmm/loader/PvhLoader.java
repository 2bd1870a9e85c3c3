package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * PVH direct boot (Xen's x86 PVH boot ABI, public/arch-x86/hvm/start_info.h): an ELF whose
 * XEN_ELFNOTE_PHYS32_ENTRY note gives a 32-bit physical entry point. PT_LOADs go to their
 * p_paddr; {@code hvm_start_info} (version 1) with a module list (the initrd as module 0) and the
 * memory map goes to {@link Layout#BOOT_INFO}; entry in flat 32-bit protected mode, EBX = start_info.
 */
final class PvhLoader {
    private PvhLoader() {
    }

    /** start_info.h: XEN_HVM_START_MAGIC_VALUE. */
    static final long START_MAGIC = 0x336ec578L;
    /** hvm_start_info is 56 bytes (version 1 adds memmap_paddr/memmap_entries). */
    static final int START_INFO_SIZE = 56;
    /** hvm_modlist_entry: paddr, size, cmdline_paddr, reserved: 32 bytes. */
    static final int MODLIST_OFFSET = 0x40;
    static final int MODLIST_ENTRY_SIZE = 32;
    /** hvm_memmap_table_entry: addr, size, type, reserved: 24 bytes. */
    static final int MEMMAP_OFFSET = 0x80;
    static final int MEMMAP_ENTRY_SIZE = 24;
    static final int INFO_BYTES = 0x1000;

    static BootPlan load(byte[] image, GuestRam ram, LoadOptions opts) throws ImageException {
        ElfFile elf = ElfFile.parse(image, "PVH");
        long entry = elf.pvhEntry();
        if (entry < 0) {
            throw elf.img.error("no Xen note of type XEN_ELFNOTE_PHYS32_ENTRY (18) in any PT_NOTE segment");
        }
        if (elf.loads().isEmpty()) {
            throw elf.img.error("no PT_LOAD segment with p_memsz > 0");
        }
        boolean inside = false;
        for (ElfFile.Segment s : elf.loads()) {
            if (s.containsPaddr(entry)) {
                inside = true;
                break;
            }
        }
        if (!inside) {
            throw elf.img.error("XEN_ELFNOTE_PHYS32_ENTRY 0x%x is not inside any PT_LOAD's physical range", entry);
        }
        Placement p = new Placement("PVH", ram);
        BzImageLoader.reserveCommon(p, true);
        elf.placeByPaddr(p, "kernel ");

        byte[] info = new byte[INFO_BYTES];
        ImageBytes.put32(info, 0, START_MAGIC);
        ImageBytes.put32(info, 4, 1); // version
        ImageBytes.put32(info, 8, 0); // flags
        long cmdlinePaddr = 0;
        if (opts.cmdline() != null) {
            cmdlinePaddr = placeCmdline(p, "PVH", opts.cmdline());
        }
        ImageBytes.put64(info, 24, cmdlinePaddr);
        ImageBytes.put64(info, 32, 0); // rsdp_paddr: no ACPI
        if (opts.hasInitrd()) {
            long size = opts.initrd().size();
            long at = p.highest("initrd (module 0)", size, 0x1000, Layout.FOUR_GIB);
            p.place("initrd (module 0)", at, opts.initrd());
            ImageBytes.put32(info, 12, 1);
            ImageBytes.put64(info, 16, Layout.BOOT_INFO + MODLIST_OFFSET);
            ImageBytes.put64(info, MODLIST_OFFSET, at);
            ImageBytes.put64(info, MODLIST_OFFSET + 8, size);
        }
        List<BootPlan.E820Entry> e820 = Layout.e820(ram);
        int max = (INFO_BYTES - MEMMAP_OFFSET) / MEMMAP_ENTRY_SIZE;
        if (e820.size() > max) {
            throw elf.img.error("memory map has %d entries, start_info holds %d", e820.size(), max);
        }
        for (int i = 0; i < e820.size(); i++) {
            int o = MEMMAP_OFFSET + i * MEMMAP_ENTRY_SIZE;
            ImageBytes.put64(info, o, e820.get(i).addr());
            ImageBytes.put64(info, o + 8, e820.get(i).size());
            ImageBytes.put32(info, o + 16, e820.get(i).type()); // XEN_HVM_MEMMAP_TYPE_RAM 1 / _RESERVED 2
        }
        ImageBytes.put64(info, 40, Layout.BOOT_INFO + MEMMAP_OFFSET);
        ImageBytes.put32(info, 48, e820.size());
        p.place("hvm_start_info", Layout.BOOT_INFO, info);

        BootPlan.BootRegisters regs = new BootPlan.BootRegisters(entry, 0, Layout.BOOT_INFO, 0, 0, 0);
        return new BootPlan(ImageFormat.PVH, entry, CpuMode.PROTECTED, regs, p.commit(), List.of(), e820);
    }

    /**
     * Places a NUL-terminated command line at {@link Layout#CMDLINE}, or where it is free below
     * the EBDA when the image lies there; returns its address.
     */
    static long placeCmdline(Placement p, String fmt, String cmdline) throws ImageException {
        byte[] cl = (cmdline + "\0").getBytes(StandardCharsets.UTF_8);
        if (cl.length > Layout.CMDLINE_SIZE) {
            throw new ImageException(String.format("%s: command line is %d bytes, minivmm allows at most %d",
                    fmt, cl.length - 1, Layout.CMDLINE_SIZE - 1));
        }
        long at = p.around("command line", Layout.CMDLINE, cl.length, 16);
        p.place("command line", at, cl);
        return at;
    }
}
