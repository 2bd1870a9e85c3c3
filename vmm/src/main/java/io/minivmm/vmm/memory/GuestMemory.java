package io.minivmm.vmm.memory;

import io.minivmm.kvm.VmFd;
import io.minivmm.kvm.memory.MemoryFile;
import io.minivmm.kvm.memory.MemoryMapping;
import io.minivmm.kvm.memory.MemoryView;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Guest RAM: regions, each a {@link MemoryMapping} at a guest-physical base and one KVM memory
 * slot; anonymous memory, or a file or memfd ({@link RamBacking}). RAM above {@link #LOW_RAM_LIMIT} (3 GiB) moves above 4 GiB, leaving the x86
 * hole below 4 GiB for MMIO (LAPIC, IOAPIC, firmware addresses).
 * <pre>{@code
 * try (GuestMemory mem = GuestMemory.create(256 << 20, GuestMemory.Backing.LAZY, false)) {
 *     mem.registerSlots(vm);
 *     mem.write(0x100000, code, 0, code.length);
 * }
 * }</pre>
 * Reads and writes may cross region boundaries only where the regions are contiguous; a range
 * that touches a hole or lies outside RAM throws {@link GuestMemoryException}.
 */
public final class GuestMemory implements PhysMemory, AutoCloseable {
    /** RAM up to here stays below the 32-bit MMIO hole; the rest starts at {@link #HIGH_RAM_BASE}. */
    public static final long LOW_RAM_LIMIT = 0xC000_0000L;
    public static final long HIGH_RAM_BASE = 0x1_0000_0000L;
    private static final long HUGE_PAGE = 2 << 20;

    /** How the host backs guest RAM (SPEC-seeds §3, "two levels": alloc populate vs alloc lazy). */
    public enum Backing {
        /** MAP_POPULATE: every host page exists before the guest starts. */
        PREFAULT,
        /** Host pages are faulted in on the guest's first touch. */
        LAZY
    }

    private final List<GuestRegion> regions;
    private final long size;
    /** The memfd behind RAM when it is shared with the host, else null; closed with this. */
    private final MemoryFile sharedFile;
    private volatile boolean closed;
    private boolean filePrivate;

    private GuestMemory(List<GuestRegion> regions, MemoryFile sharedFile) {
        this.regions = Collections.unmodifiableList(regions);
        long total = 0;
        for (GuestRegion r : regions) total += r.size();
        this.size = total;
        this.sharedFile = sharedFile;
    }

    /**
     * {@code size} bytes of guest RAM (a multiple of 4 KiB, laid out as {@link #create(long,
     * Backing, boolean)} does) backed as {@code how} says: anonymous memory, a file (shared or
     * copy-on-write) or a memfd shared with the host.
     *
     * @throws java.nio.file.NoSuchFileException, java.nio.file.AccessDeniedException or another
     *     IOException when the file cannot be opened, created or grown; a
     *     {@link io.minivmm.kvm.memory.MemoryMappingException} when a copy-on-write file is
     *     shorter than the RAM
     */
    public static GuestMemory create(long size, RamBacking how) throws java.io.IOException {
        if (how.source() == RamBacking.Source.ANONYMOUS) return create(size, how.backing(), how.hugepages());
        List<long[]> layout = layout(size);
        MemoryFile file = switch (how.source()) {
            case MEMFD -> MemoryFile.memfd("minivmm-guest-ram", size);
            case FILE_SHARED -> openGrown(how.file(), size);
            default -> MemoryFile.open(how.file(), false);
        };
        List<GuestRegion> regions = new ArrayList<>();
        try {
            long fileOffset = 0;
            for (long[] r : layout) {
                MemoryMapping m = MemoryMapping.fromFd(file.fd(), r[1]).offset(fileOffset)
                        .shared(how.source() != RamBacking.Source.FILE_PRIVATE)
                        .populate(how.backing() == Backing.PREFAULT).build();
                regions.add(new GuestRegion(regions.size(), r[0], m));
                m.useDontfork();
                fileOffset += r[1];
            }
        } catch (RuntimeException e) {
            for (GuestRegion g : regions) g.mapping().close();
            file.close();
            throw e;
        }
        // The mappings keep a user's file alive on their own; only a memfd stays open, for the host.
        if (how.source() != RamBacking.Source.MEMFD) {
            file.close();
            file = null;
        }
        return new GuestMemory(regions, file);
    }

    /** Opens (creating it if missing) a user's file read-write, grown to at least {@code size}. */
    private static MemoryFile openGrown(java.nio.file.Path path, long size) throws java.io.IOException {
        try {
            java.nio.file.Files.createFile(path);
        } catch (java.nio.file.FileAlreadyExistsException exists) {
            // use it as it is, grown below if short
        }
        MemoryFile f = MemoryFile.open(path, true);
        try {
            if (f.size() < size) f.setSize(size);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /** The memfd behind RAM backed by {@link RamBacking.Source#MEMFD}: the host may map it again. */
    public java.util.Optional<MemoryFile> sharedFile() {
        return java.util.Optional.ofNullable(sharedFile);
    }

    private static List<long[]> layout(long size) {
        if (size <= 0 || (size & 0xfff) != 0) {
            throw new IllegalArgumentException("guest RAM size must be a positive multiple of 4 KiB: " + size);
        }
        List<long[]> layout = new ArrayList<>();
        layout.add(new long[] {0, Math.min(size, LOW_RAM_LIMIT)});
        if (size > LOW_RAM_LIMIT) layout.add(new long[] {HIGH_RAM_BASE, size - LOW_RAM_LIMIT});
        return layout;
    }

    /**
     * Allocates {@code size} bytes of guest RAM (a multiple of 4 KiB). {@code hugepages} asks for
     * transparent huge pages (MADV_HUGEPAGE, 2 MiB-aligned mappings).
     */
    public static GuestMemory create(long size, Backing backing, boolean hugepages) {
        return withLayout(layout(size), backing, hugepages);
    }

    /**
     * Guest RAM with an explicit layout: {@code {base, size}} pairs in ascending, non-overlapping
     * order, each page aligned (regions may touch: accesses then cross from one to the next).
     */
    public static GuestMemory withLayout(List<long[]> layout, Backing backing, boolean hugepages) {
        long prevEnd = 0;
        for (long[] r : layout) {
            if (r[1] <= 0 || ((r[0] | r[1]) & 0xfff) != 0 || Long.compareUnsigned(r[0], prevEnd) < 0
                    || Long.compareUnsigned(r[0] + r[1], r[0]) < 0) {
                throw new IllegalArgumentException(String.format("bad guest RAM region 0x%x+0x%x", r[0], r[1]));
            }
            prevEnd = r[0] + r[1];
        }
        List<GuestRegion> regions = new ArrayList<>();
        try {
            for (long[] r : layout) {
                MemoryMapping.Builder b = MemoryMapping.anonymous(r[1]).shared(false).populate(backing == Backing.PREFAULT);
                if (hugepages) b.alignment(HUGE_PAGE);
                MemoryMapping m = b.build();
                regions.add(new GuestRegion(regions.size(), r[0], m));
                if (hugepages) m.useHugepages();
                m.useDontfork();
            }
        } catch (RuntimeException e) {
            for (GuestRegion g : regions) g.mapping().close();
            throw e;
        }
        return new GuestMemory(regions, null);
    }

    /**
     * Guest RAM of {@code size} bytes mapped copy-on-write (MAP_PRIVATE) from {@code file}: the
     * regions' bytes lie back to back in the file from {@code fileOffset} (page aligned), in the
     * layout {@link #create} uses. The guest's writes go to private pages; the file never changes,
     * and {@link #dropPrivatePages} returns RAM to the file's content (snapshot restore and reset).
     */
    public static GuestMemory privateFile(java.nio.file.Path file, long fileOffset, long size) {
        if (size <= 0 || (size & 0xfff) != 0 || (fileOffset & 0xfff) != 0 || fileOffset < 0) {
            throw new IllegalArgumentException("bad file-backed guest RAM " + size + " at file offset " + fileOffset);
        }
        List<long[]> layout = new ArrayList<>();
        layout.add(new long[] {0, Math.min(size, LOW_RAM_LIMIT)});
        if (size > LOW_RAM_LIMIT) layout.add(new long[] {HIGH_RAM_BASE, size - LOW_RAM_LIMIT});
        List<GuestRegion> regions = new ArrayList<>();
        long off = fileOffset;
        try {
            for (long[] r : layout) {
                MemoryMapping m = MemoryMapping.privateFile(file, off, r[1]);
                regions.add(new GuestRegion(regions.size(), r[0], m));
                m.useDontfork();
                off += r[1];
            }
        } catch (RuntimeException e) {
            for (GuestRegion g : regions) g.mapping().close();
            throw e;
        }
        GuestMemory g = new GuestMemory(regions, null);
        g.filePrivate = true;
        return g;
    }

    /** Whether this RAM is a private (copy-on-write) mapping of a file ({@link #privateFile}). */
    public boolean filePrivate() { return filePrivate; }

    /**
     * MADV_DONTNEED on {@code [offset, offset+len)} of region {@code index}: for {@link #privateFile}
     * RAM the guest's private copies are dropped and the range reads the file's bytes again; for
     * anonymous RAM it reads zeros. No mapping or KVM slot changes.
     */
    public void dropPrivatePages(int index, long offset, long len) {
        regions.get(index).mapping().dropPageCache(offset, len);
    }

    /** {@link #dropPrivatePages(int, long, long)} over all of RAM. */
    public void dropPrivatePages() {
        for (GuestRegion r : regions) r.mapping().dropPageCache(0, r.size());
    }

    /**
     * Registers every region again with KVM's dirty-page logging on (KVM_MEM_LOG_DIRTY_PAGES); a
     * flags-only change of the existing slots, so the guest keeps running on the same memory.
     */
    public void enableDirtyLog(VmFd vm) {
        for (GuestRegion r : regions) {
            vm.setUserMemoryRegion(r.slot(), io.minivmm.kvm.sys.Uapi.KVM_MEM_LOG_DIRTY_PAGES, r.base(), r.size(),
                    r.mapping().hostAddress());
        }
    }

    /** Registers every region as a KVM memory slot of {@code vm}. */
    public void registerSlots(VmFd vm) {
        for (GuestRegion r : regions) vm.setUserMemoryRegion(r.slot(), 0, r.base(), r.size(), r.mapping().hostAddress());
    }

    /** Total bytes of RAM. */
    public long size() { return size; }

    public List<GuestRegion> regions() { return regions; }

    /** The region holding {@code gpa}, or null. */
    public GuestRegion regionOf(long gpa) {
        for (GuestRegion r : regions) if (r.contains(gpa)) return r;
        return null;
    }

    /** True when all of [gpa, gpa+len) is RAM. */
    public boolean isRam(long gpa, long len) {
        if (len < 0) return false;
        long at = gpa;
        long left = len;
        while (left > 0) {
            GuestRegion r = regionOf(at);
            if (r == null) return false;
            long n = Math.min(left, r.end() - at);
            at += n;
            left -= n;
        }
        return len > 0 || regionOf(gpa) != null || gpa == regions.get(regions.size() - 1).end();
    }

    private GuestRegion require(long gpa, long len) {
        if (closed) throw new IllegalStateException("guest memory is closed");
        GuestRegion r = regionOf(gpa);
        if (r == null) throw new GuestMemoryException(gpa, len);
        return r;
    }

    @Override
    public long readU64(long gpa) {
        GuestRegion r = require(gpa, 8);
        long off = gpa - r.base();
        if (off <= r.size() - 8) return r.mapping().readU64(off);
        byte[] b = new byte[8];
        read(gpa, b, 0, 8);
        return ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Override
    public void writeU64(long gpa, long value) {
        GuestRegion r = require(gpa, 8);
        long off = gpa - r.base();
        if (off <= r.size() - 8) {
            r.mapping().writeU64(value, off);
            return;
        }
        byte[] b = new byte[8];
        ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(value);
        write(gpa, b, 0, 8);
    }

    public int readU32(long gpa) {
        GuestRegion r = require(gpa, 4);
        long off = gpa - r.base();
        if (off <= r.size() - 4) return r.mapping().readU32(off);
        byte[] b = new byte[4];
        read(gpa, b, 0, 4);
        return ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    }

    @Override
    public void read(long gpa, byte[] dst, int off, int len) { transfer(gpa, dst, off, len, false); }

    @Override
    public void write(long gpa, byte[] src, int off, int len) { transfer(gpa, src, off, len, true); }

    /** Copies between guest RAM and an array, region by region; the whole range is checked first. */
    private void transfer(long gpa, byte[] array, int off, int len, boolean toGuest) {
        checkArray(array.length, off, len);
        checkRange(gpa, len);
        long at = gpa;
        int done = 0;
        while (done < len) {
            GuestRegion r = require(at, len - done);
            long regionOff = at - r.base();
            int n = (int) Math.min(len - done, r.size() - regionOff);
            ByteBuffer chunk = ByteBuffer.wrap(array, off + done, n);
            if (toGuest) r.mapping().writeSlice(chunk, regionOff);
            else r.mapping().readSlice(chunk, regionOff);
            done += n;
            at += n;
        }
    }

    /** Writes all of {@code src} at {@code gpa}. */
    public void write(long gpa, byte[] src) { write(gpa, src, 0, src.length); }

    /** Reads {@code len} bytes at {@code gpa}. */
    public byte[] read(long gpa, int len) {
        byte[] b = new byte[len];
        read(gpa, b, 0, len);
        return b;
    }

    @Override
    public void fill(long gpa, long len, byte value) {
        checkRange(gpa, len);
        byte[] chunk = new byte[(int) Math.min(len, 1 << 16)];
        if (value != 0) java.util.Arrays.fill(chunk, value);
        long done = 0;
        while (done < len) {
            int n = (int) Math.min(chunk.length, len - done);
            write(gpa + done, chunk, 0, n);
            done += n;
        }
    }

    @Override
    public MemoryView view(long gpa, int len) {
        GuestRegion r = require(gpa, len);
        long off = gpa - r.base();
        if (len < 0 || off > r.size() - len) throw new GuestMemoryException(gpa, len);
        return r.mapping().view(off, len);
    }

    /** The whole range must be RAM; checked before any byte is copied, so a failed write changes nothing. */
    private void checkRange(long gpa, long len) {
        if (len < 0 || !isRam(gpa, len)) throw new GuestMemoryException(gpa, len);
    }

    private static void checkArray(int size, int off, int len) {
        if (off < 0 || len < 0 || off > size - len) {
            throw new IndexOutOfBoundsException("array range " + off + "+" + len + " of " + size);
        }
    }

    /** Bytes of guest RAM backed by host memory now: what the guest touched (or was prefaulted). */
    public long residentBytes() {
        long n = 0;
        for (GuestRegion r : regions) n += r.mapping().residentBytes();
        return n;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (GuestRegion r : regions) r.mapping().close();
        if (sharedFile != null) sharedFile.close();
    }
}
