package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Linux bzImage, boot protocol 2.06 or later (Documentation/arch/x86/boot.rst). Loads the
 * protected-mode kernel, builds the zero page (boot_params) at {@link Layout#BOOT_INFO}, places the
 * command line at {@link Layout#CMDLINE} and the initrd as high as the header allows, and enters
 * startup_64 (load address + 0x200) in long mode when the kernel says XLF_KERNEL_64, else the
 * 32-bit entry at the load address; RSI/ESI = zero page.
 */
final class BzImageLoader {
    private BzImageLoader() {
    }

    // Offsets in the file and in boot_params (the setup header sits at the same offset in both).
    /** boot.rst: setup_sects, size of the setup in 512-byte sectors (0 means 4). */
    static final int SETUP_SECTS = 0x1f1;
    /** boot.rst: syssize, 32-bit code size in 16-byte paragraphs (2.04+). */
    static final int SYSSIZE = 0x1f4;
    /** boot.rst: boot_flag, 0xAA55. */
    static final int BOOT_FLAG = 0x1fe;
    /** boot.rst: jump instruction; the end of the setup header is 0x202 + the byte at 0x201. */
    static final int JUMP = 0x200;
    /** boot.rst: header magic "HdrS". */
    static final int HEADER = 0x202;
    static final long HDRS = 0x53726448L;
    static final int VERSION = 0x206;
    static final int TYPE_OF_LOADER = 0x210;
    static final int LOADFLAGS = 0x211;
    /** boot.rst: code32_start, the 32-bit entry of a kernel loaded at 1 MiB (0 in real-mode-only images). */
    static final int CODE32_START = 0x214;
    static final int RAMDISK_IMAGE = 0x218;
    static final int RAMDISK_SIZE = 0x21c;
    static final int HEAP_END_PTR = 0x224;
    static final int CMD_LINE_PTR = 0x228;
    static final int INITRD_ADDR_MAX = 0x22c;
    static final int KERNEL_ALIGNMENT = 0x230;
    static final int RELOCATABLE_KERNEL = 0x234;
    static final int XLOADFLAGS = 0x236;
    static final int CMDLINE_SIZE = 0x238;
    static final int PREF_ADDRESS = 0x258;
    static final int INIT_SIZE = 0x260;
    /** zero-page.rst: ext_ramdisk_image, ext_ramdisk_size, ext_cmd_line_ptr (upper 32 bits). */
    static final int EXT_RAMDISK_IMAGE = 0x0c0;
    static final int EXT_RAMDISK_SIZE = 0x0c4;
    /** zero-page.rst: e820_entries (u8) and e820_table[E820_MAX_ENTRIES_ZEROPAGE = 128] of 20 bytes. */
    static final int E820_ENTRIES = 0x1e8;
    static final int E820_TABLE = 0x2d0;
    static final int E820_MAX = 128;
    /** zero-page.rst: the setup header area ends before edd_mbr_sig_buffer at 0x290. */
    static final int HEADER_LIMIT = 0x290;
    static final int ZERO_PAGE_SIZE = 0x1000;

    /** loadflags: LOADED_HIGH (bit 0), CAN_USE_HEAP (bit 7). */
    static final int LOADED_HIGH = 0x01;
    static final int CAN_USE_HEAP = 0x80;
    /** xloadflags: XLF_KERNEL_64 (bit 0), XLF_CAN_BE_LOADED_ABOVE_4G (bit 1). */
    static final int XLF_KERNEL_64 = 0x1;
    static final int XLF_CAN_BE_LOADED_ABOVE_4G = 0x2;
    /** boot.rst: type_of_loader 0xFF = undefined / unregistered boot loader. */
    static final int LOADER_TYPE_UNDEFINED = 0xff;
    /** boot.rst: heap_end_ptr is the end of the setup heap minus 0x200 (setup stack/heap end at 0x10000). */
    static final int HEAP_END = 0xfe00;
    static final int MIN_VERSION = 0x206;

    static boolean looksLike(byte[] b) {
        return b.length >= HEADER + 4 && ImageBytes.le16(b, BOOT_FLAG) == 0xaa55 && ImageBytes.le32(b, HEADER) == HDRS;
    }

    static BootPlan load(byte[] image, GuestRam ram, LoadOptions opts) throws ImageException {
        ImageBytes img = new ImageBytes(image, "bzImage");
        if (img.u16(BOOT_FLAG, "boot_flag") != 0xaa55) {
            throw img.error("boot_flag is 0x%x, not 0xaa55", img.u16(BOOT_FLAG, "boot_flag"));
        }
        if (img.u32(HEADER, "header") != HDRS) {
            throw img.error("no \"HdrS\" magic at 0x202: not a bzImage (boot protocol < 2.00)");
        }
        int version = img.u16(VERSION, "version");
        if (version < MIN_VERSION) {
            throw img.error("boot protocol %d.%02d is too old (minivmm needs 2.06 or later)", version >> 8, version & 0xff);
        }
        int headerEnd = 0x202 + img.u8(JUMP + 1, "jump");
        int needEnd = version >= 0x20a ? INIT_SIZE + 4 : CMDLINE_SIZE + 4;
        if (headerEnd < needEnd || headerEnd > HEADER_LIMIT) {
            throw img.error("setup header end 0x%x (0x202 + jump byte at 0x201) is outside [0x%x, 0x%x] for protocol %d.%02d",
                    headerEnd, needEnd, HEADER_LIMIT, version >> 8, version & 0xff);
        }
        int setupSects = img.u8(SETUP_SECTS, "setup_sects");
        int sects = setupSects == 0 ? 4 : setupSects;
        long setupBytes = (sects + 1L) * 512;
        if (setupBytes >= image.length) {
            throw img.error("setup_sects %d extends past end of file (size %d)", setupSects, image.length);
        }
        if (headerEnd > setupBytes) {
            throw img.error("setup header end 0x%x lies beyond the setup code (setup_sects %d)", headerEnd, setupSects);
        }
        int kernelBytes = (int) (image.length - setupBytes);
        long syssize = img.u32(SYSSIZE, "syssize") * 16;
        if (syssize == 0 || syssize > kernelBytes + 16L) {
            throw img.error("syssize 0x%x paragraphs (%d bytes) disagrees with the %d bytes after the setup (setup_sects %d)",
                    syssize / 16, syssize, kernelBytes, setupSects);
        }
        int loadflags = img.u8(LOADFLAGS, "loadflags");
        if ((loadflags & LOADED_HIGH) == 0) {
            throw img.error("loadflags 0x%x lacks LOADED_HIGH: a zImage loaded at 0x10000 is not supported", loadflags);
        }
        int xloadflags0 = version >= 0x20c ? img.u16(XLOADFLAGS, "xloadflags") : 0;
        if ((xloadflags0 & XLF_KERNEL_64) == 0 && img.u32(CODE32_START, "code32_start") == 0) {
            // Linux sets code32_start (0x100000); an image whose only entry is its real-mode setup
            // (iPXE's .lkrn: protocol 2.07, a compressed payload after the setup) would be entered
            // at 1 MiB on compressed bytes.
            throw img.error("no protected-mode entry (code32_start is 0, no 64-bit entry, protocol %d.%02d): "
                    + "a real-mode-only image such as iPXE's .lkrn; minivmm enters a bzImage in 32- or 64-bit mode only",
                    version >> 8, version & 0xff);
        }
        long initrdAddrMax = img.u32(INITRD_ADDR_MAX, "initrd_addr_max");
        long kernelAlignment = img.u32(KERNEL_ALIGNMENT, "kernel_alignment");
        boolean relocatable = img.u8(RELOCATABLE_KERNEL, "relocatable_kernel") != 0;
        int xloadflags = version >= 0x20c ? img.u16(XLOADFLAGS, "xloadflags") : 0;
        long cmdlineSize = img.u32(CMDLINE_SIZE, "cmdline_size");
        long prefAddress = version >= 0x20a ? img.u64(PREF_ADDRESS, "pref_address") : 0;
        long initSize = version >= 0x20a ? img.u32(INIT_SIZE, "init_size") : 0;

        if (prefAddress != 0 && (Long.compareUnsigned(prefAddress, Layout.HIGH_MEMORY) < 0
                || Long.compareUnsigned(prefAddress, Layout.FOUR_GIB) >= 0)) {
            throw img.error("pref_address 0x%x is not between 1 MiB and 4 GiB", prefAddress);
        }
        // A relocatable kernel goes to pref_address (2.10+) or 1 MiB, rounded up to kernel_alignment;
        // any other kernel to 1 MiB (a non-relocatable kernel then moves itself to pref_address).
        long loadAddr = Layout.HIGH_MEMORY;
        if (relocatable) {
            if (kernelAlignment == 0 || Long.bitCount(kernelAlignment) != 1 || kernelAlignment > 0x4000_0000L) {
                throw img.error("kernel_alignment 0x%x is not a power of two up to 1 GiB", kernelAlignment);
            }
            long base = prefAddress != 0 ? prefAddress : Layout.HIGH_MEMORY;
            loadAddr = ImageBytes.alignUp(base, kernelAlignment);
            if (Long.compareUnsigned(loadAddr, Layout.FOUR_GIB) >= 0) {
                throw img.error("pref_address 0x%x aligned to kernel_alignment 0x%x is not below 4 GiB", prefAddress, kernelAlignment);
            }
        }

        Placement p = new Placement("bzImage", ram);
        reserveCommon(p, true);
        p.place("kernel", loadAddr, image, (int) setupBytes, kernelBytes, kernelBytes);
        // The kernel needs init_size bytes at its run address (the load address if it relocates
        // itself, else pref_address, where a non-relocatable kernel moves itself): keep them free.
        long runAddr = relocatable || prefAddress == 0 ? loadAddr : prefAddress;
        if (initSize != 0) {
            long rEnd = runAddr + initSize;
            long kEnd = loadAddr + kernelBytes;
            if (Long.compareUnsigned(runAddr, loadAddr) < 0) {
                long e = Long.compareUnsigned(rEnd, loadAddr) < 0 ? rEnd : loadAddr;
                p.reserve("kernel init_size", runAddr, e - runAddr, true);
            }
            if (Long.compareUnsigned(rEnd, kEnd) > 0) {
                long s = Long.compareUnsigned(runAddr, kEnd) > 0 ? runAddr : kEnd;
                p.reserve("kernel init_size", s, rEnd - s, true);
            }
        }

        byte[] zp = new byte[ZERO_PAGE_SIZE];
        System.arraycopy(image, SETUP_SECTS, zp, SETUP_SECTS, headerEnd - SETUP_SECTS);
        zp[TYPE_OF_LOADER] = (byte) LOADER_TYPE_UNDEFINED;
        zp[LOADFLAGS] = (byte) (loadflags | CAN_USE_HEAP);
        ImageBytes.put16(zp, HEAP_END_PTR, HEAP_END);

        if (opts.cmdline() != null) {
            byte[] cl = (opts.cmdline() + "\0").getBytes(StandardCharsets.UTF_8);
            if (cl.length - 1 > cmdlineSize) {
                throw img.error("command line is %d bytes, the kernel accepts at most cmdline_size %d", cl.length - 1, cmdlineSize);
            }
            if (cl.length > Layout.CMDLINE_SIZE) {
                throw img.error("command line is %d bytes, minivmm allows at most %d", cl.length - 1, Layout.CMDLINE_SIZE - 1);
            }
            p.place("command line", Layout.CMDLINE, cl);
            ImageBytes.put32(zp, CMD_LINE_PTR, Layout.CMDLINE);
        } else {
            ImageBytes.put32(zp, CMD_LINE_PTR, 0);
        }

        ImageBytes.put32(zp, RAMDISK_IMAGE, 0);
        ImageBytes.put32(zp, RAMDISK_SIZE, 0);
        if (opts.hasInitrd()) {
            boolean above4g = (xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) != 0;
            long limit = above4g ? -1L : Math.min(initrdAddrMax + 1, Layout.FOUR_GIB);
            long size = opts.initrd().size();
            long at = p.highest("initrd", size, 0x1000, limit);
            p.place("initrd", at, opts.initrd());
            ImageBytes.put32(zp, RAMDISK_IMAGE, at);
            ImageBytes.put32(zp, RAMDISK_SIZE, size);
            ImageBytes.put32(zp, EXT_RAMDISK_IMAGE, at >>> 32);
            ImageBytes.put32(zp, EXT_RAMDISK_SIZE, size >>> 32);
        }

        List<BootPlan.E820Entry> e820 = Layout.e820(ram);
        if (e820.size() > E820_MAX) {
            throw img.error("memory map has %d entries, the zero page holds %d", e820.size(), E820_MAX);
        }
        zp[E820_ENTRIES] = (byte) e820.size();
        for (int i = 0; i < e820.size(); i++) {
            BootPlan.E820Entry e = e820.get(i);
            int o = E820_TABLE + 20 * i;
            ImageBytes.put64(zp, o, e.addr());
            ImageBytes.put64(zp, o + 8, e.size());
            ImageBytes.put32(zp, o + 16, e.type());
        }
        p.place("zero page", Layout.BOOT_INFO, zp);

        boolean long64 = (xloadflags & XLF_KERNEL_64) != 0;
        long entry = long64 ? loadAddr + 0x200 : loadAddr;
        BootPlan.BootRegisters regs = new BootPlan.BootRegisters(entry, 0, 0, 0, Layout.BOOT_INFO, 0);
        return new BootPlan(ImageFormat.BZIMAGE, entry, long64 ? CpuMode.LONG : CpuMode.PROTECTED, regs,
                p.commit(), List.of(), e820);
    }

    /**
     * For loaders that place boot structures around the image (Multiboot): reserves the vCPU
     * area at {@link Layout#VCPU_AREA} if the image left it free, else below the EBDA where it
     * is free. Call after the image is placed. Returns its address.
     */
    static long reserveVcpuAreaAround(Placement p) throws ImageException {
        // below the page under the initial stack (0x9f000, see arch.x86.BootLayout): pushes stay out of it
        long at = p.around("vCPU boot area (GDT/IDT/page tables)", Layout.VCPU_AREA, Layout.VCPU_AREA_SIZE, 0x1000,
                Layout.BOOT_STACK_PAGE);
        p.reserve("vCPU boot area (GDT/IDT/page tables)", at, Layout.VCPU_AREA_SIZE, true);
        return at;
    }

    /** Reservations common to every loader: page 0, the EBDA, and (paged/protected modes) the vCPU area. */
    static void reserveCommon(Placement p, boolean vcpuArea) throws ImageException {
        p.reserve("real-mode IVT/BDA", Layout.IVT_BDA, Layout.IVT_BDA_SIZE, false);
        if (vcpuArea) {
            p.reserve("vCPU boot area (GDT/IDT/page tables)", Layout.VCPU_AREA, Layout.VCPU_AREA_SIZE, false);
        }
        // Only what the platform keeps (the EBDA with its MP/ACPI tables, firmware data) is kept
        // free. The VGA/ROM window above it is plain RAM in minivmm (reserved in the memory map):
        // GNU ld's default layout puts an ELF's headers in a PT_LOAD just below 1 MiB, and such
        // kernels load as they would in QEMU.
        p.reservePlatform();
    }
}
