package io.minivmm.vmm.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A raw disk image file that one controller (IDE, virtio-blk, the BIOS's int 13h) reads and
 * writes: bounds-checked sector I/O, a real {@code fdatasync} for flushes, and a lock so that no
 * second VM writes the same file. Guest-supplied offsets and lengths are checked here, before
 * any file access, and a request past the end is a {@link DiskException}, which the controller
 * turns into the error its guest expects.
 * <pre>{@code
 * try (DiskImage d = DiskImage.open(Path.of("os.img"), false)) {
 *     byte[] mbr = new byte[512];
 *     d.read(0, mbr, 0, 512);
 * }
 * }</pre>
 * Thread-safe: positional reads and writes on one {@link FileChannel}.
 */
public final class DiskImage implements AutoCloseable {
    public static final int SECTOR = 512;

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean readOnly;
    private final long size;
    private volatile boolean closed;

    private DiskImage(Path path, FileChannel channel, FileLock lock, boolean readOnly, long size) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.readOnly = readOnly;
        this.size = size;
    }

    /**
     * Opens {@code path}. A writable image is locked exclusively (a read-only one shared), so a
     * second VM cannot write a disk that another VM uses.
     *
     * @throws java.nio.file.NoSuchFileException or java.nio.file.AccessDeniedException when the file cannot be opened
     * @throws DiskException when the file is not a usable image (size, lock held elsewhere)
     */
    public static DiskImage open(Path path, boolean readOnly) throws IOException {
        if (Files.isDirectory(path)) throw new DiskException(path + ": is a directory, not a disk image");
        FileChannel ch = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long size = ch.size();
            if (size == 0) throw new DiskException(path + ": the disk image is empty");
            if (size % SECTOR != 0) {
                throw new DiskException(String.format("%s: the disk image is %d bytes, not a multiple of %d", path, size, SECTOR));
            }
            FileLock lock;
            try {
                lock = ch.tryLock(0, Long.MAX_VALUE, readOnly);
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new DiskException(path + (readOnly ? ": the disk image is being written by another VM (locked); stop it or use a copy"
                        : ": the disk image is in use by another VM (locked); stop it, use a copy, or attach both ,ro"));
            }
            return new DiskImage(path, ch, lock, readOnly, size);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public Path path() { return path; }

    public boolean readOnly() { return readOnly; }

    /** Size in bytes (a multiple of {@link #SECTOR}). */
    public long size() { return size; }

    /** Size in 512-byte sectors. */
    public long sectors() { return size / SECTOR; }

    /** Whether {@code [offset, offset+len)} lies inside the image (overflow-safe). */
    public boolean inBounds(long offset, long len) {
        return offset >= 0 && len >= 0 && offset <= size - len;
    }

    /** Reads {@code len} bytes at {@code offset} into {@code dst[off..]}. */
    public void read(long offset, byte[] dst, int off, int len) throws IOException {
        if (off < 0 || len < 0 || off > dst.length - len) throw new IndexOutOfBoundsException("buffer " + off + "+" + len);
        read(offset, ByteBuffer.wrap(dst, off, len));
    }

    /** Fills {@code dst}'s remaining bytes from {@code offset}. */
    public void read(long offset, ByteBuffer dst) throws IOException {
        check(offset, dst.remaining());
        long at = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) throw new DiskException(path + ": the image shrank under the VM at offset " + at);
            at += n;
        }
    }

    /** Writes {@code src[off..off+len)} at {@code offset}. */
    public void write(long offset, byte[] src, int off, int len) throws IOException {
        if (off < 0 || len < 0 || off > src.length - len) throw new IndexOutOfBoundsException("buffer " + off + "+" + len);
        write(offset, ByteBuffer.wrap(src, off, len));
    }

    /** Writes {@code src}'s remaining bytes at {@code offset}. */
    public void write(long offset, ByteBuffer src) throws IOException {
        if (readOnly) throw new DiskException(path + ": the disk is read-only");
        check(offset, src.remaining());
        long at = offset;
        while (src.hasRemaining()) at += channel.write(src, at);
    }

    /** Writes {@code len} zero bytes at {@code offset} (WRITE ZEROES, DISCARD). */
    public void writeZeroes(long offset, long len) throws IOException {
        if (readOnly) throw new DiskException(path + ": the disk is read-only");
        check(offset, len);
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(len, 1 << 16));
        long done = 0;
        while (done < len) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), len - done));
            write(offset + done, zeros);
            done += zeros.limit();
        }
    }

    /** Makes every completed write durable: {@code fdatasync(2)}. */
    public void flush() throws IOException {
        if (closed) throw new DiskException(path + ": closed");
        if (!readOnly) channel.force(false);
    }

    /**
     * A stable serial number for the guest (virtio GET_ID, ATA IDENTIFY): derived from the
     * file's real path, so the same file shows the same serial in every run. At most 20 ASCII
     * characters.
     */
    public String serial() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(path.toRealPath().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "MV" + HexFormat.of().formatHex(h, 0, 9).toUpperCase(java.util.Locale.ROOT);
        } catch (IOException | NoSuchAlgorithmException e) {
            return "MV0000000000000000";
        }
    }

    private void check(long offset, long len) throws DiskException {
        if (closed) throw new DiskException(path + ": closed");
        if (!inBounds(offset, len)) {
            throw new DiskException(String.format("%s: request 0x%x+0x%x is past the end of the %d-byte disk", path, offset, len, size));
        }
    }

    /** Releases the lock and the file. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (lock.isValid()) lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
