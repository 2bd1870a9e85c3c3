package io.minivmm.vmm.loader;

import java.util.Locale;

/**
 * Guest image formats, and detection from content ({@code --format auto}).
 *
 * <p>Detection order, and why:
 * <ol>
 * <li>{@link #BZIMAGE}: {@code 0xAA55} at 0x1FE and {@code "HdrS"} at 0x202. Fixed offsets, the
 *     most specific test; it must precede the boot-sector test because every bzImage also ends its
 *     first sector with 0x55AA.</li>
 * <li>{@link #MULTIBOOT} version 2: magic 0xE85250D6, 8-aligned in the first 32 KiB, checksum.</li>
 * <li>{@link #MULTIBOOT} version 1: magic 0x1BADB002, 4-aligned in the first 8 KiB, checksum.
 *     Multiboot headers usually live inside ELF files, so both are tested before any ELF test;
 *     they are an explicit statement of the boot protocol by the image's author. Version 2 comes
 *     first because images carrying both headers (as GRUB-bootable kernels often do) get the
 *     richer protocol.</li>
 * <li>{@link #PVH}: an ELF with a {@code Xen} note of type 18 (XEN_ELFNOTE_PHYS32_ENTRY) in a
 *     PT_NOTE segment. Before plain ELF because a Linux vmlinux is an ELF64 whose e_entry expects
 *     the Linux 64-bit boot protocol; its PVH note is the way to boot it without a bzImage.</li>
 * <li>{@link #ELF}: any other ELF64 (or ELF32) x86 executable.</li>
 * <li>{@link #BOOTSECTOR}: whole 512-byte sectors, the first ending 0x55AA (a boot sector or a disk image). Last: a two-byte signature is weak.</li>
 * </ol>
 * {@link #RAW} is never detected; it needs {@code --format raw}. {@link #MULTIBOOT1} and
 * {@link #MULTIBOOT2} are never detected either: they pick one header of an image carrying both
 * (Xen does), where {@link #MULTIBOOT} takes version 2.
 */
public enum ImageFormat {
    AUTO, BZIMAGE, PVH, ELF, MULTIBOOT, BOOTSECTOR, RAW,
    /** Multiboot, using its version 1 header even when the image also carries a version 2 one (never detected). */
    MULTIBOOT1,
    /** Multiboot, using its version 2 header (never detected; {@link #MULTIBOOT} prefers it too). */
    MULTIBOOT2;

    /** Parses a {@code --format} value. */
    public static ImageFormat parse(String s) throws IllegalArgumentException {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    /**
     * The format of {@code image}, by content. Never returns AUTO or RAW.
     *
     * @throws ImageException if nothing matches (the message lists what was tried), or if the
     *                        image has ELF magic but a malformed ELF header
     */
    public static ImageFormat detect(byte[] image) throws ImageException {
        if (BzImageLoader.looksLike(image)) {
            return BZIMAGE;
        }
        if (Multiboot2Loader.findHeader(image) >= 0 || MultibootLoader.findHeader(image) >= 0) {
            return MULTIBOOT;
        }
        if (ElfFile.hasMagic(image)) {
            ElfFile elf = ElfFile.parse(image, "ELF");
            return elf.pvhEntry() >= 0 ? PVH : ELF;
        }
        if (BootSectorLoader.looksLike(image)) {
            return BOOTSECTOR;
        }
        throw new ImageException(String.format("unrecognised image format (size %d): tried bzImage (\"HdrS\" at 0x202 and 0x55AA at 0x1fe), "
                + "Multiboot 2 (magic 0xe85250d6 in the first 32 KiB), Multiboot 1 (magic 0x1badb002 in the first 8 KiB), "
                + "ELF (\\x7fELF: PVH note, ELF64), boot sector (whole 512-byte sectors, 0x55AA at 0x1fe); use --format raw with --load-addr", image.length));
    }
}
