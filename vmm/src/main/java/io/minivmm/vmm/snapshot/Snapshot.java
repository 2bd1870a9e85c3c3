package io.minivmm.vmm.snapshot;

import io.minivmm.kvm.x86.StateFormatException;
import io.minivmm.kvm.x86.VcpuState;
import io.minivmm.kvm.x86.VmState;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A snapshot file, opened and verified: the machine configuration, the VM and vCPU state, every
 * part's state record and where guest RAM lies in the file (docs/SNAPSHOT.md). {@link #open}
 * reads and checks all of it (header, checksums of the metadata and of every stored page, bounds
 * of every count and offset) before anything is mapped, so a restore never starts from a file
 * that would fail half-way. Guest RAM is not read into memory: a restore maps it copy-on-write.
 *
 * <p>A diff snapshot ({@link #parent()} non-null) stores only the pages that changed since its
 * parent; the parent must be the exact snapshot it was taken against (checked by id).
 *
 * <p>{@link #close()} deletes the file if this snapshot was made as a temporary one
 * ({@code VmSession.snapshot()}); restored machines keep their own mapping of it.
 */
public final class Snapshot implements AutoCloseable {
    /** The file format version this build writes and reads. */
    public static final int FORMAT_VERSION = 1;
    static final byte[] MAGIC = {'M', 'V', 'M', 'S', 'N', 'A', 'P', '\n'};
    static final int HEADER_SIZE = 64;
    static final long PAGE = 4096;
    /** Guest RAM starts at this file offset (page aligned, so it can be mapped). */
    static final long MEMORY_OFFSET = PAGE;
    static final long MAX_MEMORY = 1L << 40;
    static final int MAX_METADATA = 64 << 20;

    /** A part's state: its name and the bytes its {@code saveState} wrote. */
    public record PartState(String name, byte[] data) { }

    private final Path path;
    private final long id;
    private final MachineConfig config;
    private final VmState vmState;
    private final List<VcpuState> vcpus;
    private final List<PartState> parts;
    private final long memoryOffset;
    private final long memoryLength;
    /** Stored page runs of the memory image: {first page, page count} pairs, ascending. */
    private final long[] extents;
    private final Snapshot parent;
    private final boolean temporary;
    private final String parentName;

    private Snapshot(Path path, long id, MachineConfig config, VmState vmState, List<VcpuState> vcpus, List<PartState> parts,
                     long memoryOffset, long memoryLength, long[] extents, Snapshot parent, String parentName, boolean temporary) {
        this.path = path;
        this.id = id;
        this.config = config;
        this.vmState = vmState;
        this.vcpus = Collections.unmodifiableList(vcpus);
        this.parts = Collections.unmodifiableList(parts);
        this.memoryOffset = memoryOffset;
        this.memoryLength = memoryLength;
        this.extents = extents;
        this.parent = parent;
        this.parentName = parentName;
        this.temporary = temporary;
    }

    public Path path() { return path; }

    /** A random id written into the file: a diff snapshot names its parent by it. */
    public long id() { return id; }

    public MachineConfig config() { return config; }

    public VmState vmState() { return vmState; }

    public List<VcpuState> vcpus() { return vcpus; }

    public List<PartState> parts() { return parts; }

    /** The snapshot this diff was taken against, or null for a full snapshot. */
    public Snapshot parent() { return parent; }

    /** The oldest ancestor: the full snapshot whose file guest RAM is mapped from. */
    public Snapshot base() { return parent == null ? this : parent.base(); }

    /** File offset of the memory image. */
    public long memoryOffset() { return memoryOffset; }

    /** Bytes of guest RAM the image covers (= the configuration's RAM size). */
    public long memoryLength() { return memoryLength; }

    /** The stored page runs: {first page, count} pairs (a copy). */
    public long[] extents() { return extents.clone(); }

    /** Bytes of guest RAM stored in this file (the rest is zero, or the parent's for a diff). */
    public long storedBytes() {
        long n = 0;
        for (int i = 1; i < extents.length; i += 2) n += extents[i] * PAGE;
        return n;
    }

    /** Whether {@code page} of the memory image is stored in this file. */
    boolean stores(long page) {
        int lo = 0, hi = extents.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long first = extents[2 * mid], count = extents[2 * mid + 1];
            if (page < first) hi = mid - 1;
            else if (page >= first + count) lo = mid + 1;
            else return true;
        }
        return false;
    }

    /** Opens and verifies {@code file} (and a diff's parents, found by the name it records next to it). */
    public static Snapshot open(Path file) {
        return open(file, false, 0);
    }

    static Snapshot openTemporary(Path file) { return open(file, true, 0); }

    private static Snapshot open(Path file, boolean temporary, int depth) {
        String where = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, ch, temporary, depth);
        } catch (NoSuchFileException e) {
            throw new SnapshotException(where + ": no such snapshot file");
        } catch (EOFException e) {
            throw new SnapshotException(where + ": not a usable snapshot: truncated metadata");
        } catch (StateFormatException e) {
            throw new SnapshotException(where + ": not a usable snapshot: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            if (e instanceof SnapshotException s) throw s;
            throw new SnapshotException(where + ": not a usable snapshot: " + e.getMessage());
        }
    }

    private static SnapshotException bad(Path file, String why) {
        return new SnapshotException(file + ": not a usable snapshot: " + why);
    }

    private static Snapshot read(Path file, FileChannel ch, boolean temporary, int depth) throws IOException {
        long fileSize = ch.size();
        if (fileSize < HEADER_SIZE) throw bad(file, "truncated (" + fileSize + " bytes, no header)");
        ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE);
        readFully(ch, h, 0);
        byte[] magic = new byte[MAGIC.length];
        h.get(0, magic);
        if (!Arrays.equals(magic, MAGIC)) throw bad(file, "not a minivmm snapshot (bad magic)");
        int version = h.getInt(8);
        if (version != FORMAT_VERSION) {
            throw bad(file, "format version " + version + "; this minivmm reads version " + FORMAT_VERSION);
        }
        int headerCrc = h.getInt(12);
        h.putInt(12, 0);
        if (crc(h.array(), 0, HEADER_SIZE) != headerCrc) throw bad(file, "header checksum mismatch (corrupt)");
        long id = h.getLong(16);
        long memOff = h.getLong(24), memLen = h.getLong(32), metaOff = h.getLong(40);
        int metaLen = h.getInt(48), metaCrc = h.getInt(52), memCrc = h.getInt(56);
        if (memOff != MEMORY_OFFSET || memLen <= 0 || memLen % PAGE != 0 || memLen > MAX_MEMORY) {
            throw bad(file, "bad memory section " + memOff + "+" + memLen);
        }
        if (metaOff != memOff + memLen || metaLen <= 0 || metaLen > MAX_METADATA) {
            throw bad(file, "bad metadata section " + metaOff + "+" + metaLen);
        }
        if (fileSize != metaOff + metaLen) {
            throw bad(file, (fileSize < metaOff + metaLen ? "truncated" : "trailing bytes") + " (" + fileSize
                    + " bytes, expected " + (metaOff + metaLen) + ")");
        }
        ByteBuffer meta = ByteBuffer.allocate(metaLen);
        readFully(ch, meta, metaOff);
        if (crc(meta.array(), 0, metaLen) != metaCrc) throw bad(file, "metadata checksum mismatch (corrupt)");

        DataInputStream in = new DataInputStream(new ByteArrayInputStream(meta.array()));
        MachineConfig config = MachineConfig.readFrom(in);
        if (config.memory() != memLen) throw bad(file, "memory section " + memLen + " bytes for " + config.memory() + " of RAM");
        long pages = memLen / PAGE;
        int nExt = in.readInt();
        if (nExt < 0 || nExt > pages) throw bad(file, "bad extent count " + nExt);
        long[] extents = new long[2 * nExt];
        long next = 0;
        for (int i = 0; i < nExt; i++) {
            long first = in.readLong(), count = in.readLong();
            if (first < next || count <= 0 || count > pages - first) throw bad(file, "bad memory extent " + first + "+" + count);
            extents[2 * i] = first;
            extents[2 * i + 1] = count;
            next = first + count;
        }
        VmState vm = VmState.fromBytes(readBlob(in, 1 << 20, file, "VM state"));
        int nv = in.readInt();
        if (nv != config.cpus()) throw bad(file, nv + " vCPU states for " + config.cpus() + " vCPUs");
        List<VcpuState> vcpus = new ArrayList<>();
        for (int i = 0; i < nv; i++) {
            VcpuState v = VcpuState.fromBytes(readBlob(in, 4 << 20, file, "vCPU state"));
            if (v.vcpuId() != i) throw bad(file, "vCPU state " + i + " is for vCPU " + v.vcpuId());
            vcpus.add(v);
        }
        int np = in.readInt();
        if (np != config.parts().size()) throw bad(file, np + " part records for " + config.parts().size() + " parts");
        List<PartState> parts = new ArrayList<>();
        for (int i = 0; i < np; i++) {
            String name = in.readUTF();
            if (!name.equals(config.parts().get(i))) throw bad(file, "part record " + i + " is '" + name + "', expected '"
                    + config.parts().get(i) + "'");
            parts.add(new PartState(name, readBlob(in, 16 << 20, file, "part '" + name + "' state")));
        }
        String parentName = in.readUTF();
        long parentId = in.readLong();
        if (in.available() != 0) throw bad(file, in.available() + " unexpected bytes after the metadata");
        if (memCrc != memoryCrc(ch, memOff, extents)) throw bad(file, "guest memory checksum mismatch (corrupt)");
        Snapshot parent = null;
        if (!parentName.isEmpty()) {
            if (depth >= 16) throw bad(file, "diff snapshot chain longer than 16");
            Path pp = file.toAbsolutePath().resolveSibling(parentName);
            parent = open(pp, false, depth + 1);
            if (parent.id() != parentId) throw bad(file, "its parent " + pp + " is not the snapshot it was taken against");
            String why = parent.config().mismatch(config);
            if (why != null) throw bad(file, "its parent does not match: " + why);
        }
        return new Snapshot(file, id, config, vm, vcpus, parts, memOff, memLen, extents, parent, parentName, temporary);
    }

    private static byte[] readBlob(DataInputStream in, int max, Path file, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max || n > in.available()) throw bad(file, what + ": bad length " + n);
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) throw new EOFException();
        }
    }

    static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    /** CRC32C over the stored pages, in file order. */
    static int memoryCrc(FileChannel ch, long memOff, long[] extents) throws IOException {
        CRC32C c = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        for (int i = 0; i < extents.length; i += 2) {
            long pos = memOff + extents[i] * PAGE, left = extents[i + 1] * PAGE;
            while (left > 0) {
                buf.clear().limit((int) Math.min(left, buf.capacity()));
                readFully(ch, buf, pos);
                buf.flip();
                c.update(buf);
                pos += buf.limit();
                left -= buf.limit();
            }
        }
        return (int) c.getValue();
    }

    /** A snapshot just written by {@link SnapshotWriter} (its content is known: no re-read). */
    static Snapshot written(Path path, long id, MachineConfig config, VmState vmState, List<VcpuState> vcpus,
                            List<PartState> parts, long memoryLength, long[] extents, Snapshot parent, boolean temporary) {
        return new Snapshot(path, id, config, vmState, vcpus, parts, MEMORY_OFFSET, memoryLength, extents, parent,
                parent == null ? "" : parent.fileName(), temporary);
    }

    /** The file name a diff of this snapshot records (its parent lies in the same directory). */
    String fileName() { return path.getFileName().toString(); }

    /** Deletes the file if it was a temporary snapshot; otherwise nothing. Idempotent. */
    @Override
    public void close() {
        if (temporary) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // a temp file that cannot be deleted is left for the OS's tmp cleaning
            }
        }
    }

    @Override
    public String toString() {
        return "Snapshot[" + path + ", " + config.memory() / (1 << 20) + " MiB, " + config.cpus() + " vCPUs, "
                + storedBytes() / 1024 + " KiB stored" + (parent == null ? "" : ", diff of " + parentName) + "]";
    }
}
