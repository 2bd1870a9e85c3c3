package io.minivmm.vmm.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * The contents of an initrd or boot module: bytes already in memory, or a file that is copied
 * into guest RAM in {@link #CHUNK}-byte pieces when the loader commits, so that an initrd of
 * gigabytes never sits on the Java heap (and its size is checked against guest RAM before a
 * byte is read).
 */
public final class ModuleSource {
    static final int CHUNK = 1 << 20;
    private final byte[] bytes;
    private final Path path;
    private final long size;

    private ModuleSource(byte[] bytes, Path path, long size) {
        this.bytes = bytes;
        this.path = path;
        this.size = size;
    }

    /** Bytes in memory (not copied: do not change them before the load). */
    public static ModuleSource of(byte[] bytes) {
        return new ModuleSource(Objects.requireNonNull(bytes), null, bytes.length);
    }

    /** A file, read when it is written into guest RAM; its size is taken now. */
    public static ModuleSource of(Path path) throws IOException {
        return new ModuleSource(null, path, Files.size(path));
    }

    public long size() { return size; }

    /**
     * Writes the contents to guest-physical {@code gpa}.
     *
     * @throws UncheckedIOException when the file cannot be read or has shrunk since {@link #of(Path)}
     */
    void copyTo(GuestRam ram, long gpa) {
        if (bytes != null) {
            if (bytes.length > 0) ram.write(gpa, bytes, 0, bytes.length);
            return;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(size, 1))];
            ByteBuffer bb = ByteBuffer.wrap(buf);
            long done = 0;
            while (done < size) {
                int want = (int) Math.min(buf.length, size - done);
                bb.clear().limit(want);
                while (bb.hasRemaining()) {
                    if (ch.read(bb, done + bb.position()) < 0) {
                        throw new IOException(path + " shrank to " + (done + bb.position()) + " bytes while it was loaded");
                    }
                }
                ram.write(gpa + done, buf, 0, want);
                done += want;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
