package io.minivmm.vmm.loader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Entry point of the loader package: detects (or takes) the format, validates the image, writes it
 * and its boot structures into guest RAM and returns the {@link BootPlan}.
 *
 * <pre>{@code
 * BootPlan plan = KernelLoader.load(ImageFormat.AUTO, Path.of("linux-tiny.bzImage"), ram,
 *         LoadOptions.cmdline("console=ttyS0").withInitrd(initrd, "initramfs.cpio"));
 * }</pre>
 */
public final class KernelLoader {
    private KernelLoader() {
    }

    /** Largest image minivmm reads (Java arrays are int-indexed). */
    public static final long MAX_IMAGE = Integer.MAX_VALUE - 8;

    /**
     * Loads {@code image} into {@code ram}. On failure nothing has been written.
     *
     * @throws ImageException the image is malformed, needs something minivmm cannot do, or does not fit
     */
    public static BootPlan load(ImageFormat format, byte[] image, GuestRam ram, LoadOptions opts) throws ImageException {
        LoadOptions o = opts == null ? LoadOptions.none() : opts;
        ImageFormat f = format == null || format == ImageFormat.AUTO ? ImageFormat.detect(image) : format;
        return switch (f) {
            case BZIMAGE -> BzImageLoader.load(image, ram, o);
            case PVH -> PvhLoader.load(image, ram, o);
            case ELF -> ElfLoader.load(image, ram, o);
            case MULTIBOOT -> MultibootLoader.load(image, ram, o);
            case MULTIBOOT1 -> MultibootLoader.loadVersion1(image, ram, o);
            case MULTIBOOT2 -> Multiboot2Loader.load(image, ram, o);
            case BOOTSECTOR -> BootSectorLoader.loadBootSector(image, ram, o);
            case RAW -> BootSectorLoader.loadRaw(image, ram, o);
            case AUTO -> throw new IllegalStateException("unreachable");
        };
    }

    /** Reads {@code path} and loads it; an unreadable file is an {@link IOException} (exit 66). */
    public static BootPlan load(ImageFormat format, Path path, GuestRam ram, LoadOptions opts) throws ImageException, IOException {
        return load(format, readImage(path), ram, opts);
    }

    /** Loads an image read from {@code channel} (from its position 0); {@code name} labels errors. */
    public static BootPlan load(ImageFormat format, FileChannel channel, String name, GuestRam ram, LoadOptions opts)
            throws ImageException, IOException {
        return load(format, readImage(channel, name), ram, opts);
    }

    /** Reads a whole image or initrd; over {@link #MAX_IMAGE} bytes is an ImageException. */
    public static byte[] readImage(Path path) throws IOException, ImageException {
        // java.io rather than a FileChannel: on the CLI's start path this is the first channel,
        // and the first one loads and initialises libnet (socket probes, /proc/net/if_inet6;
        // ~2 ms) for nothing. The exceptions stay NIO's, as callers map them to exit statuses.
        java.io.File file = path.toFile();
        java.io.FileInputStream in;
        try {
            in = new java.io.FileInputStream(file);
        } catch (java.io.FileNotFoundException e) {
            if (!java.nio.file.Files.exists(path)) throw new java.nio.file.NoSuchFileException(path.toString());
            if (!java.nio.file.Files.isReadable(path)) throw new java.nio.file.AccessDeniedException(path.toString());
            throw e;
        }
        try (in) {
            long size = file.length();
            if (size > MAX_IMAGE) {
                throw new ImageException(String.format("%s: size %d exceeds the %d bytes minivmm can load", path, size, MAX_IMAGE));
            }
            byte[] b = new byte[(int) size];
            if (in.readNBytes(b, 0, b.length) < b.length) throw new IOException(path + ": file shrank while reading");
            return b;
        }
    }

    /** Reads all of {@code channel} from position 0; over {@link #MAX_IMAGE} bytes is an ImageException. */
    public static byte[] readImage(FileChannel channel, String name) throws IOException, ImageException {
        long size = channel.size();
        if (size > MAX_IMAGE) {
            throw new ImageException(String.format("%s: size %d exceeds the %d bytes minivmm can load", name, size, MAX_IMAGE));
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining()) {
            if (channel.read(buf, buf.position()) < 0) {
                throw new IOException(name + ": file shrank while reading");
            }
        }
        return buf.array();
    }
}
