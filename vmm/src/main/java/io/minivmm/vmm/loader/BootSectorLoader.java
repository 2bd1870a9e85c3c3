package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import java.util.List;

/**
 * A boot sector (loaded at 0x7C00, real mode, DL = 0x80 "first hard disk", CS:IP = 0000:7C00)
 * and raw images ({@code --format raw --load-addr A [--entry E] --mode M}).
 */
final class BootSectorLoader {
    private BootSectorLoader() {
    }

    static final int SECTOR = 512;
    static final long BOOT_DRIVE = 0x80;

    /**
     * A boot sector, or a disk image of whole sectors that starts with one (its other sectors are
     * what the boot sector reads through the BIOS's int 13h).
     */
    static boolean looksLike(byte[] b) {
        return b.length >= SECTOR && b.length % SECTOR == 0 && (b[510] & 0xff) == 0x55 && (b[511] & 0xff) == 0xaa;
    }

    /** Loads sector 0 of {@code image} (512 bytes, or a multi-sector disk image) at 0x7C00. */
    static BootPlan loadBootSector(byte[] image, GuestRam ram, LoadOptions opts) throws ImageException {
        if (image.length < SECTOR || image.length % SECTOR != 0) {
            throw new ImageException(String.format("boot sector: size %d is not a multiple of 512 bytes", image.length));
        }
        if (!looksLike(image)) {
            throw new ImageException(String.format("boot sector: signature at 0x1fe is 0x%02x%02x, not 0x55aa",
                    image[510] & 0xff, image[511] & 0xff));
        }
        Placement p = new Placement("boot sector", ram);
        BzImageLoader.reserveCommon(p, false);
        p.place("boot sector", Layout.BOOT_SECTOR, java.util.Arrays.copyOf(image, SECTOR));
        BootPlan.BootRegisters regs = new BootPlan.BootRegisters(Layout.BOOT_SECTOR, 0, 0, BOOT_DRIVE, 0, 0);
        return new BootPlan(ImageFormat.BOOTSECTOR, Layout.BOOT_SECTOR, CpuMode.REAL, regs, p.commit(), List.of(), Layout.e820(ram));
    }

    static BootPlan loadRaw(byte[] image, GuestRam ram, LoadOptions opts) throws ImageException {
        if (opts.rawLoadAddr() == null) {
            throw new ImageException("raw: --load-addr is required with --format raw");
        }
        if (opts.rawMode() == null) {
            throw new ImageException("raw: --mode real|protected|long is required with --format raw");
        }
        if (image.length == 0) {
            throw new ImageException("raw: the image is empty");
        }
        long load = opts.rawLoadAddr();
        long entry = opts.rawEntry() == null ? load : opts.rawEntry();
        CpuMode mode = opts.rawMode();
        if (Long.compareUnsigned(entry - load, image.length) >= 0) {
            throw new ImageException(String.format("raw: --entry 0x%x is outside the loaded image [0x%x, 0x%x)", entry, load, load + image.length));
        }
        long limit = mode == CpuMode.REAL ? Layout.HIGH_MEMORY : mode == CpuMode.PROTECTED ? Layout.FOUR_GIB : 0;
        if (limit != 0 && (Long.compareUnsigned(load, limit) >= 0 || Long.compareUnsigned(limit - load, image.length) < 0)) {
            throw new ImageException(String.format("raw: image [0x%x, 0x%x) is not below 0x%x as --mode %s requires",
                    load, load + image.length, limit, mode));
        }
        Placement p = new Placement("raw", ram);
        BzImageLoader.reserveCommon(p, mode != CpuMode.REAL);
        p.place("raw image", load, image);
        int cs = 0;
        long ip = entry;
        if (mode == CpuMode.REAL) {
            cs = (int) ((entry >>> 4) & 0xf000);
            ip = entry - ((long) cs << 4);
        }
        BootPlan.BootRegisters regs = new BootPlan.BootRegisters(ip, 0, 0, 0, 0, cs);
        return new BootPlan(ImageFormat.RAW, entry, mode, regs, p.commit(), List.of(), Layout.e820(ram));
    }
}
