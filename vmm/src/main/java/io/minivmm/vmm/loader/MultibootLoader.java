package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Multiboot 1 (the Multiboot Specification 0.6.96): an ELF32 kernel, an ELF64 file carrying a
 * Multiboot header (PT_LOADs placed by physical address; QEMU refuses these), or any file using
 * the a.out kludge (header flag bit 16). Builds the Multiboot information structure at
 * {@link Layout#BOOT_INFO}; EAX = 0x2BADB002, EBX = info, flat 32-bit protected mode.
 * Images with both Multiboot 1 and 2 headers are handed to {@link Multiboot2Loader}.
 */
final class MultibootLoader {
    private MultibootLoader() {
    }

    /** Spec 3.1.2: header magic. */
    static final long MAGIC = 0x1BADB002L;
    /** Spec 3.2: EAX at entry. */
    static final long BOOTLOADER_MAGIC = 0x2BADB002L;
    /** Spec 3.1.1: the header must lie within the first 8192 bytes, 32-bit aligned. */
    static final int SEARCH = 8192;
    /** Header flags: bit 0 page-align modules, bit 1 memory information, bit 2 video mode, bit 16 address fields. */
    static final long FLAG_PAGE_ALIGN = 1;
    static final long FLAG_MEMORY_INFO = 1 << 1;
    static final long FLAG_VIDEO_MODE = 1 << 2;
    static final long FLAG_AOUT_KLUDGE = 1 << 16;

    /** Info flags (spec 3.3). */
    static final long INFO_MEMORY = 1;
    static final long INFO_CMDLINE = 1 << 2;
    static final long INFO_MODS = 1 << 3;
    static final long INFO_MMAP = 1 << 6;
    static final long INFO_BOOT_LOADER_NAME = 1 << 9;

    // Offsets inside the 4 KiB info page at Layout.BOOT_INFO.
    static final int INFO_SIZE = 116;
    static final int NAME_OFFSET = 0x80;
    static final int MODS_OFFSET = 0xc0;
    static final int MODSTR_OFFSET = 0x100;
    static final int MMAP_OFFSET = 0x400;
    static final int PAGE_BYTES = 0x1000;
    static final String LOADER_NAME = "minivmm";

    /** Offset of a valid Multiboot 1 header (magic + flags + checksum == 0 mod 2^32), or -1. */
    static int findHeader(byte[] b) {
        int lim = Math.min(b.length, SEARCH);
        for (int off = 0; off <= lim - 12; off += 4) {
            // the magic's low byte first: this loop runs interpreted at start-up, a call per offset costs
            if (b[off] == (byte) MAGIC && ImageBytes.le32(b, off) == MAGIC
                    && ((MAGIC + ImageBytes.le32(b, off + 4) + ImageBytes.le32(b, off + 8)) & 0xffff_ffffL) == 0) {
                return off;
            }
        }
        return -1;
    }

    static BootPlan load(byte[] image, GuestRam ram, LoadOptions opts) throws ImageException {
        if (Multiboot2Loader.findHeader(image) >= 0) {
            return Multiboot2Loader.load(image, ram, opts);
        }
        return loadVersion1(image, ram, opts);
    }

    /** The version 1 header only, even when the image also has a version 2 header ({@code --format multiboot1}). */
    static BootPlan loadVersion1(byte[] image, GuestRam ram, LoadOptions opts) throws ImageException {
        ImageBytes img = new ImageBytes(image, "multiboot");
        int hdr = findHeader(image);
        if (hdr < 0) {
            throw img.error("no Multiboot header (magic 0x1badb002 with a valid checksum, 4-aligned) in the first 8192 bytes");
        }
        long flags = img.u32(hdr + 4, "header flags");
        long unsupported = flags & 0xffff & ~(FLAG_PAGE_ALIGN | FLAG_MEMORY_INFO);
        if (unsupported != 0) {
            int bit = Long.numberOfTrailingZeros(unsupported);
            throw img.error(bit == 2
                    ? "header flag bit 2 (video mode) is a requirement and minivmm has no framebuffer"
                    : "header flag bit %d is a requirement unknown to minivmm", bit);
        }
        Placement p = new Placement("multiboot", ram);
        // The vCPU area and the boot information go around the image (GRUB's i386-multiboot
        // build loads at 0x9000), so they are placed after it.
        BzImageLoader.reserveCommon(p, false);
        long entry;
        if ((flags & FLAG_AOUT_KLUDGE) != 0) {
            long headerAddr = img.u32(hdr + 12, "header_addr");
            long loadAddr = img.u32(hdr + 16, "load_addr");
            long loadEndAddr = img.u32(hdr + 20, "load_end_addr");
            long bssEndAddr = img.u32(hdr + 24, "bss_end_addr");
            entry = img.u32(hdr + 28, "entry_addr");
            long[] range = placeKludge(p, img, hdr, headerAddr, loadAddr, loadEndAddr, bssEndAddr);
            if (Long.compareUnsigned(entry - range[0], range[1] - range[0]) >= 0) {
                throw img.error("entry_addr 0x%x is outside the loaded image [0x%x, 0x%x)", entry, range[0], range[1]);
            }
        } else {
            if (!ElfFile.hasMagic(image)) {
                throw img.error("header flag bit 16 (address fields) is clear and the image is not ELF");
            }
            ElfFile elf = ElfFile.parse(image, "multiboot");
            requireBelow4G(elf);
            entry = elfEntry(elf);
            elf.placeByPaddr(p, "kernel ");
        }

        long vcpuArea = BzImageLoader.reserveVcpuAreaAround(p);
        byte[] info = new byte[PAGE_BYTES];
        long infoFlags = INFO_MEMORY | INFO_MMAP | INFO_BOOT_LOADER_NAME | INFO_MODS;
        ImageBytes.put32(info, 4, Layout.lowerMemoryKib(ram));
        ImageBytes.put32(info, 8, Layout.contiguousKib(ram, Layout.HIGH_MEMORY, -1L));
        if (opts.cmdline() != null) {
            infoFlags |= INFO_CMDLINE;
            ImageBytes.put32(info, 16, PvhLoader.placeCmdline(p, "multiboot", opts.cmdline()));
        }
        long modAt = 0, modSize = 0;
        if (opts.hasInitrd()) {
            byte[] name = (opts.initrdString() + "\0").getBytes(StandardCharsets.UTF_8);
            if (name.length > MMAP_OFFSET - MODSTR_OFFSET) {
                throw img.error("module 0 string is %d bytes, minivmm allows %d", name.length - 1, MMAP_OFFSET - MODSTR_OFFSET - 1);
            }
            System.arraycopy(name, 0, info, MODSTR_OFFSET, name.length);
            modSize = opts.initrd().size();
            modAt = p.highest("module 0 (initrd)", modSize, 0x1000, Layout.FOUR_GIB);
            p.place("module 0 (initrd)", modAt, opts.initrd());
        }
        // The info page holds pointers into itself: its address is chosen before they are filled.
        long infoAt = p.around("multiboot info", Layout.BOOT_INFO, PAGE_BYTES, 0x1000);
        if (opts.hasInitrd()) {
            ImageBytes.put32(info, MODS_OFFSET, modAt);
            ImageBytes.put32(info, MODS_OFFSET + 4, modAt + modSize);
            ImageBytes.put32(info, MODS_OFFSET + 8, infoAt + MODSTR_OFFSET);
            ImageBytes.put32(info, 20, 1);
        }
        ImageBytes.put32(info, 24, infoAt + MODS_OFFSET);
        List<BootPlan.E820Entry> e820 = Layout.e820(ram);
        int max = (PAGE_BYTES - MMAP_OFFSET) / 24;
        if (e820.size() > max) {
            throw img.error("memory map has %d entries, minivmm's info page holds %d", e820.size(), max);
        }
        for (int i = 0; i < e820.size(); i++) {
            int o = MMAP_OFFSET + 24 * i;
            ImageBytes.put32(info, o, 20); // size of the entry, not counting this field
            ImageBytes.put64(info, o + 4, e820.get(i).addr());
            ImageBytes.put64(info, o + 12, e820.get(i).size());
            ImageBytes.put32(info, o + 20, e820.get(i).type());
        }
        ImageBytes.put32(info, 44, 24L * e820.size());
        ImageBytes.put32(info, 48, infoAt + MMAP_OFFSET);
        byte[] name = (LOADER_NAME + "\0").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, info, NAME_OFFSET, name.length);
        ImageBytes.put32(info, 64, infoAt + NAME_OFFSET);
        ImageBytes.put32(info, 0, infoFlags);
        p.place("multiboot info", infoAt, info);

        BootPlan.BootRegisters regs = new BootPlan.BootRegisters(entry, BOOTLOADER_MAGIC, infoAt, 0, 0, 0);
        return new BootPlan(ImageFormat.MULTIBOOT, entry, CpuMode.PROTECTED, regs, p.commit(), List.of(), e820, vcpuArea);
    }

    /** Multiboot enters in 32-bit protected mode without paging: every segment must lie below 4 GiB. */
    static void requireBelow4G(ElfFile elf) throws ImageException {
        for (ElfFile.Segment s : elf.loads()) {
            if (Long.compareUnsigned(s.paddr(), Layout.FOUR_GIB) >= 0 || Long.compareUnsigned(s.memsz(), Layout.FOUR_GIB - s.paddr()) > 0) {
                throw elf.img.error("%s p_paddr 0x%x + p_memsz 0x%x reaches beyond 4 GiB", s.name(), s.paddr(), s.memsz());
            }
        }
    }

    /** e_entry as a physical address below 4 GiB inside a PT_LOAD (translated from p_vaddr if needed). */
    static long elfEntry(ElfFile elf) throws ImageException {
        long entry = elf.toPhysical(elf.entry);
        if (entry < 0) {
            entry = elf.entry;
        }
        final long e = entry;
        if (Long.compareUnsigned(e, 0xffff_ffffL) > 0 || elf.loads().stream().noneMatch(s -> s.containsPaddr(e))) {
            throw elf.img.error("e_entry 0x%x is not inside any PT_LOAD below 4 GiB", elf.entry);
        }
        return e;
    }

    /**
     * The a.out kludge (MB1 header bit 16, MB2 address tag): loads file bytes from
     * {@code hdrOff - (header_addr - load_addr)} to {@code load_addr}, zero-fills to bss_end_addr.
     * Returns {@code [load_addr, end)}.
     */
    static long[] placeKludge(Placement p, ImageBytes img, long hdrOff, long headerAddr, long loadAddr,
                              long loadEndAddr, long bssEndAddr) throws ImageException {
        if (loadAddr > headerAddr) {
            throw img.error("load_addr 0x%x is above header_addr 0x%x", loadAddr, headerAddr);
        }
        if (headerAddr - loadAddr > hdrOff) {
            throw img.error("header_addr 0x%x - load_addr 0x%x exceeds the header's file offset 0x%x",
                    headerAddr, loadAddr, hdrOff);
        }
        long fileOff = hdrOff - (headerAddr - loadAddr);
        long len;
        if (loadEndAddr == 0) {
            len = img.size() - fileOff;
        } else {
            if (loadEndAddr <= loadAddr) {
                throw img.error("load_end_addr 0x%x is not above load_addr 0x%x", loadEndAddr, loadAddr);
            }
            len = loadEndAddr - loadAddr;
            if (!ImageBytes.inBounds(fileOff, len, img.size())) {
                throw img.error("load_end_addr 0x%x asks for 0x%x bytes from file offset 0x%x, past end of file (size %d)",
                        loadEndAddr, len, fileOff, img.size());
            }
        }
        long memsz = len;
        if (bssEndAddr != 0) {
            if (bssEndAddr < loadAddr + len) {
                throw img.error("bss_end_addr 0x%x is below the end of the loaded image 0x%x", bssEndAddr, loadAddr + len);
            }
            memsz = bssEndAddr - loadAddr;
        }
        if (loadAddr + memsz > Layout.FOUR_GIB) {
            throw img.error("image [0x%x, 0x%x) extends beyond 4 GiB", loadAddr, loadAddr + memsz);
        }
        p.place("kernel (address fields)", loadAddr, img.b, (int) fileOff, (int) len, memsz);
        return new long[] {loadAddr, loadAddr + memsz};
    }
}
