package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Multiboot 2 (Multiboot2 Specification version 2.0). Parses the header tags, honouring or refusing
 * each (a tag without the "optional" flag that minivmm cannot honour is refused by name), loads an
 * ELF32/ELF64 by physical address or uses the address tag, and builds the boot information at
 * {@link Layout#BOOT_INFO}: command line (1), boot loader name (2), modules (3), basic memory
 * information (4), memory map (6), end tag. EAX = 0x36d76289, EBX = info, flat 32-bit protected mode.
 */
final class Multiboot2Loader {
    private Multiboot2Loader() {
    }

    /** Spec 3.1.2: header magic. */
    static final long MAGIC = 0xE85250D6L;
    /** Spec 3.3: EAX at entry. */
    static final long BOOTLOADER_MAGIC = 0x36d76289L;
    /** Spec 3.1.1: within the first 32768 bytes, 64-bit aligned. */
    static final int SEARCH = 32768;
    /** Header tag flag bit 0: optional. */
    static final int TAG_OPTIONAL = 1;

    static final int HT_END = 0;
    static final int HT_INFO_REQUEST = 1;
    static final int HT_ADDRESS = 2;
    static final int HT_ENTRY = 3;
    static final int HT_CONSOLE_FLAGS = 4;
    static final int HT_FRAMEBUFFER = 5;
    static final int HT_MODULE_ALIGN = 6;
    static final int HT_EFI_BS = 7;
    static final int HT_ENTRY_EFI32 = 8;
    static final int HT_ENTRY_EFI64 = 9;
    static final int HT_RELOCATABLE = 10;

    static final Map<Integer, String> HEADER_TAG_NAMES = Map.ofEntries(
            Map.entry(HT_INFO_REQUEST, "information request"), Map.entry(HT_ADDRESS, "address"),
            Map.entry(HT_ENTRY, "entry address"), Map.entry(HT_CONSOLE_FLAGS, "console flags"),
            Map.entry(HT_FRAMEBUFFER, "framebuffer"), Map.entry(HT_MODULE_ALIGN, "module alignment"),
            Map.entry(HT_EFI_BS, "EFI boot services"), Map.entry(HT_ENTRY_EFI32, "EFI i386 entry address"),
            Map.entry(HT_ENTRY_EFI64, "EFI amd64 entry address"), Map.entry(HT_RELOCATABLE, "relocatable"));

    static final Map<Integer, String> INFO_TAG_NAMES = Map.ofEntries(
            Map.entry(1, "boot command line"), Map.entry(2, "boot loader name"), Map.entry(3, "modules"),
            Map.entry(4, "basic memory information"), Map.entry(5, "BIOS boot device"), Map.entry(6, "memory map"),
            Map.entry(7, "VBE info"), Map.entry(8, "framebuffer info"), Map.entry(9, "ELF symbols"),
            Map.entry(10, "APM table"), Map.entry(11, "EFI 32-bit system table"), Map.entry(12, "EFI 64-bit system table"),
            Map.entry(13, "SMBIOS tables"), Map.entry(14, "ACPI old RSDP"), Map.entry(15, "ACPI new RSDP"),
            Map.entry(16, "networking information"), Map.entry(17, "EFI memory map"),
            Map.entry(18, "EFI boot services not terminated"), Map.entry(19, "EFI 32-bit image handle"),
            Map.entry(20, "EFI 64-bit image handle"), Map.entry(21, "image load base physical address"));

    /** Information tags minivmm provides. */
    static final Set<Integer> PROVIDED = Set.of(1, 2, 3, 4, 6);

    /** Offset of a valid Multiboot 2 header (magic + architecture + header_length + checksum == 0), or -1. */
    static int findHeader(byte[] b) {
        int lim = Math.min(b.length, SEARCH);
        for (int off = 0; off <= lim - 16; off += 8) {
            // the magic's low byte first: this loop runs interpreted at start-up, a call per offset costs
            if (b[off] == (byte) MAGIC && ImageBytes.le32(b, off) == MAGIC && ((MAGIC + ImageBytes.le32(b, off + 4) + ImageBytes.le32(b, off + 8)
                    + ImageBytes.le32(b, off + 12)) & 0xffff_ffffL) == 0) {
                return off;
            }
        }
        return -1;
    }

    static BootPlan load(byte[] image, GuestRam ram, LoadOptions opts) throws ImageException {
        ImageBytes img = new ImageBytes(image, "multiboot2");
        int hdr = findHeader(image);
        if (hdr < 0) {
            throw img.error("no Multiboot 2 header (magic 0xe85250d6 with a valid checksum, 8-aligned) in the first 32768 bytes");
        }
        long arch = img.u32(hdr + 4, "architecture");
        if (arch != 0) {
            throw img.error("architecture %d is not i386 (0)", arch);
        }
        long headerLength = img.u32(hdr + 8, "header_length");
        if (headerLength < 24 || !ImageBytes.inBounds(hdr, headerLength, Math.min(image.length, SEARCH))) {
            throw img.error("header_length %d at offset 0x%x is below 24 or extends past the first 32768 bytes / end of file (size %d)",
                    headerLength, hdr, image.length);
        }
        long end = hdr + headerLength;
        long[] address = null;
        long entryTag = -1;
        boolean sawEnd = false;
        long pos = hdr + 16;
        while (pos < end) {
            if (end - pos < 8) {
                throw img.error("header tag at offset 0x%x is truncated by header_length %d", pos, headerLength);
            }
            int type = img.u16(pos, "header tag type");
            int flags = img.u16(pos + 2, "header tag flags");
            long size = img.u32(pos + 4, "header tag size");
            String name = "header tag " + type + " (" + HEADER_TAG_NAMES.getOrDefault(type, "unknown") + ")";
            if (size < 8 || size > end - pos) {
                throw img.error("%s at offset 0x%x: size %d is below 8 or beyond header_length", name, pos, size);
            }
            boolean optional = (flags & TAG_OPTIONAL) != 0;
            if (type == HT_END) {
                if (size != 8) {
                    throw img.error("end tag size %d is not 8", size);
                }
                sawEnd = true;
                break;
            }
            switch (type) {
                case HT_INFO_REQUEST -> {
                    if ((size - 8) % 4 != 0) {
                        throw img.error("%s: size %d is not 8 + a multiple of 4", name, size);
                    }
                    for (long o = pos + 8; o < pos + size; o += 4) {
                        int req = (int) img.u32(o, "mbi_tag_types");
                        if (!PROVIDED.contains(req) && !optional) {
                            throw img.error("%s asks for information tag %d (%s), which minivmm does not provide",
                                    name, req, INFO_TAG_NAMES.getOrDefault(req, "unknown"));
                        }
                    }
                }
                case HT_ADDRESS -> {
                    needSize(img, name, size, 24);
                    address = new long[] {img.u32(pos + 8, "header_addr"), img.u32(pos + 12, "load_addr"),
                            img.u32(pos + 16, "load_end_addr"), img.u32(pos + 20, "bss_end_addr")};
                }
                case HT_ENTRY -> {
                    needSize(img, name, size, 12);
                    entryTag = img.u32(pos + 8, "entry_addr");
                }
                case HT_CONSOLE_FLAGS -> {
                    needSize(img, name, size, 12);
                    long cf = img.u32(pos + 8, "console_flags");
                    if ((cf & 1) != 0 && !optional) {
                        throw img.error("%s: console_flags 0x%x require a console (EGA text), minivmm has only a serial port", name, cf);
                    }
                }
                case HT_FRAMEBUFFER -> {
                    needSize(img, name, size, 20);
                    refuseUnlessOptional(img, name, optional, "minivmm has no framebuffer");
                }
                case HT_MODULE_ALIGN -> {
                    // Honoured: modules are always page aligned.
                }
                case HT_EFI_BS, HT_ENTRY_EFI32, HT_ENTRY_EFI64 -> refuseUnlessOptional(img, name, optional, "minivmm boots without EFI");
                case HT_RELOCATABLE -> {
                    // Honoured trivially: the image is loaded at its link address, which relocation permits.
                    needSize(img, name, size, 24);
                    long min = img.u32(pos + 8, "min_addr");
                    long max = img.u32(pos + 12, "max_addr");
                    if (min > max) {
                        throw img.error("%s: min_addr 0x%x is above max_addr 0x%x", name, min, max);
                    }
                }
                default -> refuseUnlessOptional(img, name, optional, "minivmm does not know it");
            }
            pos += ImageBytes.alignUp(size, 8);
        }
        if (!sawEnd) {
            throw img.error("header has no end tag within header_length %d", headerLength);
        }

        Placement p = new Placement("multiboot2", ram);
        BzImageLoader.reserveCommon(p, false); // the vCPU area goes around the image, placed first

        long entry;
        if (address != null) {
            long loadAddr = address[1];
            long headerAddr = address[0];
            if (loadAddr == 0xffff_ffffL) { // -1: load from the start of the file
                if (headerAddr < hdr) {
                    throw img.error("header_addr 0x%x is below the header's file offset 0x%x (load_addr -1)", headerAddr, hdr);
                }
                loadAddr = headerAddr - hdr;
            }
            if (entryTag < 0) {
                throw img.error("address tag without an entry address tag");
            }
            long[] range = MultibootLoader.placeKludge(p, img, hdr, headerAddr, loadAddr, address[2], address[3]);
            entry = entryTag;
            if (Long.compareUnsigned(entry - range[0], range[1] - range[0]) >= 0) {
                throw img.error("entry_addr 0x%x is outside the loaded image [0x%x, 0x%x)", entry, range[0], range[1]);
            }
        } else {
            if (!ElfFile.hasMagic(image)) {
                throw img.error("no address tag and the image is not ELF");
            }
            ElfFile elf = ElfFile.parse(image, "multiboot2");
            MultibootLoader.requireBelow4G(elf);
            elf.placeByPaddr(p, "kernel ");
            if (entryTag >= 0) {
                entry = entryTag;
                final long e = entry;
                if (elf.loads().stream().noneMatch(s -> s.containsPaddr(e))) {
                    throw img.error("entry_addr 0x%x is not inside any PT_LOAD", entry);
                }
            } else {
                entry = MultibootLoader.elfEntry(elf);
            }
        }

        long vcpuArea = BzImageLoader.reserveVcpuAreaAround(p);
        Info mbi = new Info();
        mbi.u32(0); // total_size, patched below
        mbi.u32(0);
        if (opts.cmdline() != null) {
            mbi.stringTag(1, opts.cmdline());
        }
        mbi.stringTag(2, MultibootLoader.LOADER_NAME);
        if (opts.hasInitrd()) {
            long size = opts.initrd().size();
            long at = p.highest("module 0 (initrd)", size, 0x1000, Layout.FOUR_GIB);
            p.place("module 0 (initrd)", at, opts.initrd());
            byte[] s = (opts.initrdString() + "\0").getBytes(StandardCharsets.UTF_8);
            mbi.u32(3);
            mbi.u32(16 + s.length);
            mbi.u32(at);
            mbi.u32(at + size);
            mbi.out.write(s, 0, s.length);
            mbi.align();
        }
        mbi.u32(4);
        mbi.u32(16);
        mbi.u32(Layout.lowerMemoryKib(ram));
        mbi.u32(Layout.contiguousKib(ram, Layout.HIGH_MEMORY, -1L));
        List<BootPlan.E820Entry> e820 = Layout.e820(ram);
        mbi.u32(6);
        mbi.u32(16 + 24L * e820.size());
        mbi.u32(24); // entry_size
        mbi.u32(0); // entry_version
        for (BootPlan.E820Entry e : e820) {
            mbi.u64(e.addr());
            mbi.u64(e.size());
            mbi.u32(e.type());
            mbi.u32(0);
        }
        mbi.u32(0);
        mbi.u32(8);
        byte[] info = mbi.out.toByteArray();
        if (info.length > Layout.BOOT_INFO_SIZE) {
            throw img.error("boot information is %d bytes, minivmm's area holds %d (command line too long?)",
                    info.length, Layout.BOOT_INFO_SIZE);
        }
        ImageBytes.put32(info, 0, info.length);
        // position-independent (no pointers into itself): at BOOT_INFO, or around the image
        long infoAt = p.around("multiboot2 information", Layout.BOOT_INFO, info.length, 8);
        p.place("multiboot2 information", infoAt, info);

        BootPlan.BootRegisters regs = new BootPlan.BootRegisters(entry, BOOTLOADER_MAGIC, infoAt, 0, 0, 0);
        return new BootPlan(ImageFormat.MULTIBOOT, entry, CpuMode.PROTECTED, regs, p.commit(), List.of(), e820, vcpuArea);
    }

    private static void needSize(ImageBytes img, String name, long size, int need) throws ImageException {
        if (size < need) {
            throw img.error("%s: size %d is below the %d bytes it needs", name, size, need);
        }
    }

    private static void refuseUnlessOptional(ImageBytes img, String name, boolean optional, String why) throws ImageException {
        if (!optional) {
            throw img.error("%s is not optional and %s", name, why);
        }
    }

    /** Little-endian builder for the boot information, tags 8-byte aligned. */
    private static final class Info {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void u32(long v) {
            for (int i = 0; i < 4; i++) {
                out.write((int) (v >>> (8 * i)));
            }
        }

        void u64(long v) {
            u32(v);
            u32(v >>> 32);
        }

        void align() {
            while (out.size() % 8 != 0) {
                out.write(0);
            }
        }

        void stringTag(int type, String s) {
            byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_8);
            u32(type);
            u32(8 + b.length);
            out.write(b, 0, b.length);
            align();
        }
    }
}
