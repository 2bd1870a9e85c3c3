package io.minivmm.vmm.paging;

import static io.minivmm.vmm.paging.AddressSpaceError.Kind.ALREADY_EXISTS;
import static io.minivmm.vmm.paging.AddressSpaceError.Kind.BAD_ADDRESS;
import static io.minivmm.vmm.paging.AddressSpaceError.Kind.INVALID_INPUT;
import static io.minivmm.vmm.paging.AddressSpaceError.Kind.SHARED_SLOT;

import io.minivmm.vmm.memory.PhysMemory;
import io.minivmm.kvm.memory.MemoryView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A virtual address space [base, base+size): a {@link MemorySet} over its own
 * {@link PageTable64}, plus access to the memory behind it (after axaddrspace's / axmm's
 * {@code AddrSpace}). Used to build a guest's page tables before it runs.
 *
 * <p>{@link #read}/{@link #write} are the VMM's own accesses: they follow the tables but ignore
 * the access flags. Not thread-safe.
 */
public final class AddressSpace implements AutoCloseable {
    private static final long PAGE = 4096;

    private final long base;
    private final long size;
    private final PhysMemory mem;
    private final FrameAllocator frames;
    private final PageTable64 pt;
    private final MemorySet areas;

    private AddressSpace(long base, long size, PhysMemory mem, FrameAllocator frames, PageTable64 pt) {
        this.base = base;
        this.size = size;
        this.mem = mem;
        this.frames = frames;
        this.pt = pt;
        this.areas = new MemorySet(pt, frames);
    }

    /**
     * An empty address space. Its tables and Alloc-backed frames come from {@code frames}.
     *
     * @throws PagingError NO_MEMORY for the root table, INVALID_ARGUMENT for a bad range
     */
    public static AddressSpace create(long base, long size, PhysMemory mem, FrameAllocator frames)
            throws PagingError {
        if (((base | size) & (PAGE - 1)) != 0 || size == 0 || Long.compareUnsigned(base + size, base) <= 0) {
            throw new PagingError(PagingError.Kind.INVALID_ARGUMENT,
                    String.format("bad address-space range 0x%x+0x%x", base, size));
        }
        return new AddressSpace(base, size, mem, frames, PageTable64.create(mem, frames));
    }

    public long base() {
        return base;
    }

    public long size() {
        return size;
    }

    public long end() {
        return base + size;
    }

    public PageTable64 pageTable() {
        return pt;
    }

    /** The guest-physical address of the root table (the guest's CR3). */
    public long rootPaddr() {
        return pt.rootPaddr();
    }

    public Collection<MemoryArea> areas() {
        return areas.areas();
    }

    public boolean contains(long addr) {
        return Long.compareUnsigned(addr - base, size) < 0;
    }

    public boolean containsRange(long start, long len) {
        return contains(start) && Long.compareUnsigned(len, end() - start) <= 0;
    }

    /** Maps [start, start+size) to [pa, pa+size), with huge pages where alignment allows. */
    public void mapLinear(long start, long pa, long size, MappingFlags flags) throws AddressSpaceError {
        map(new MemoryArea(start, size, flags, Backend.linear(start - pa)), false);
    }

    /** Maps [start, start+size) to fresh zeroed frames, now or on first fault. */
    public void mapAlloc(long start, long size, MappingFlags flags, boolean populate) throws AddressSpaceError {
        map(new MemoryArea(start, size, flags, Backend.alloc(populate)), false);
    }

    /** Adds an area (4 KiB aligned, inside this space); see {@link MemorySet#map}. */
    public void map(MemoryArea area, boolean overwrite) throws AddressSpaceError {
        checkPageRange(area.start(), area.size());
        areas.map(area, overwrite);
    }

    public void unmap(long start, long size) throws AddressSpaceError {
        checkPageRange(start, size);
        areas.unmap(start, size);
    }

    /** Changes the flags of [start, start+size) and records them in the areas. */
    public void protect(long start, long size, MappingFlags flags) throws AddressSpaceError {
        checkPageRange(start, size);
        areas.protect(start, size, flags);
    }

    /** A free, {@code align}-aligned place for {@code size} bytes at or after {@code hint}. */
    public OptionalLong findFreeArea(long hint, long size, long align) {
        return areas.findFreeArea(hint, size, base, end(), align);
    }

    public Optional<MemoryArea> find(long addr) {
        return areas.find(addr);
    }

    public boolean canAccessRange(long start, long size, MappingFlags access) {
        return areas.canAccessRange(start, size, access);
    }

    /**
     * Resolves a guest page fault: false if no area holds {@code addr} or its flags lack
     * {@code access}, else whatever the backend manages (a lazy Alloc area maps a zeroed frame;
     * a page already mapped needs nothing).
     */
    public boolean handlePageFault(long addr, MappingFlags access) {
        Optional<MemoryArea> a = areas.find(addr);
        if (a.isEmpty() || !a.get().flags().contains(access)) {
            return false;
        }
        return a.get().backend().handlePageFault(addr, a.get().flags(), pt, frames);
    }

    /** The guest-physical address {@code addr} maps to, if it is in this space and mapped. */
    public OptionalLong translate(long addr) {
        if (!contains(addr)) {
            return OptionalLong.empty();
        }
        Translation t = pt.find(addr);
        return t == null ? OptionalLong.empty() : OptionalLong.of(t.paddr());
    }

    /** Reads {@code buf.length} bytes at {@code addr}, across pages, through the tables. */
    public void read(long addr, byte[] buf) throws AddressSpaceError {
        access(addr, buf, false);
    }

    /** Writes {@code buf} at {@code addr}, across pages, through the tables. */
    public void write(long addr, byte[] buf) throws AddressSpaceError {
        access(addr, buf, true);
    }

    private void access(long addr, byte[] buf, boolean write) throws AddressSpaceError {
        if (buf.length == 0) {
            return;
        }
        if (!containsRange(addr, buf.length)) {
            throw new AddressSpaceError(INVALID_INPUT, String.format("0x%x+%d is outside the address space", addr, buf.length));
        }
        int done = 0;
        while (done < buf.length) {
            long va = addr + done;
            Translation t = pt.find(va);
            if (t == null) {
                throw new AddressSpaceError(BAD_ADDRESS, String.format("0x%x is not mapped", va));
            }
            long inPage = t.size().bytes() - (va & (t.size().bytes() - 1));
            int n = (int) Math.min(inPage, buf.length - done);
            if (write) {
                mem.write(t.paddr(), buf, done, n);
            } else {
                mem.read(t.paddr(), buf, done, n);
            }
            done += n;
        }
    }

    /**
     * Host views of [addr, addr+len): one per page, a huge page as one view. The range must lie
     * inside one area and be mapped (BAD_ADDRESS otherwise). The views are checked: used after
     * the memory is closed they throw rather than touch unmapped memory.
     */
    public List<MemoryView> translatedBuffers(long addr, int len) throws AddressSpaceError {
        if (len < 0) {
            throw new AddressSpaceError(INVALID_INPUT, "negative length " + len);
        }
        Optional<MemoryArea> a = areas.find(addr);
        if (a.isEmpty()) {
            throw new AddressSpaceError(BAD_ADDRESS, String.format("no area at 0x%x", addr));
        }
        if (Long.compareUnsigned(len, a.get().end() - addr) > 0) {
            throw new AddressSpaceError(BAD_ADDRESS, String.format("0x%x+%d runs past the end of %s", addr, len, a.get()));
        }
        List<MemoryView> out = new ArrayList<>();
        int done = 0;
        while (done < len) {
            long va = addr + done;
            Translation t = pt.find(va);
            if (t == null) {
                throw new AddressSpaceError(BAD_ADDRESS, String.format("0x%x is not mapped", va));
            }
            long inPage = t.size().bytes() - (va & (t.size().bytes() - 1));
            int n = (int) Math.min(inPage, len - done);
            out.add(mem.view(t.paddr(), n));
            done += n;
        }
        return out;
    }

    /**
     * Shares {@code other}'s mappings (typically the kernel half) by pointing this table's
     * top-level entries for other's range at other's tables. {@code other} must outlive this
     * space's use of them. The areas are not copied.
     *
     * <p>Sharing works on whole top-level entries (512 GiB each), so the two ranges may not reach
     * into a common top-level slot (SHARED_SLOT): were they to, pages this space maps later in
     * that slot would land in other's tables, and other's in this space's view.
     */
    public void copyMappingsFrom(AddressSpace other) throws AddressSpaceError {
        long[] ours = topLevelSlotSet();
        long[] theirs = other.topLevelSlotSet();
        for (int i = 0; i < ours.length; i++) {
            if ((ours[i] & theirs[i]) != 0) {
                int slot = 64 * i + Long.numberOfTrailingZeros(ours[i] & theirs[i]);
                throw new AddressSpaceError(SHARED_SLOT, String.format(
                        "address spaces 0x%x..0x%x and 0x%x..0x%x both reach into top-level page-table slot %d",
                        base, end(), other.base, other.end(), slot));
            }
        }
        try {
            pt.copyFrom(other.pt, other.base, other.size);
        } catch (PagingError e) {
            throw new AddressSpaceError(e.kind() == PagingError.Kind.ALREADY_MAPPED ? ALREADY_EXISTS : INVALID_INPUT,
                    "sharing mappings failed", e);
        }
    }

    /** Unmaps every area (returning Alloc frames) and frees the page table. */
    @Override
    public void close() throws AddressSpaceError {
        areas.clear();
        pt.close();
    }

    /**
     * The top-level table slots (bits 47..39 of the address) this space's range reaches into, as
     * a 512-bit set. Slot indices wrap like the hardware's (the upper half starts again at 256).
     */
    private long[] topLevelSlotSet() {
        long[] set = new long[8];
        long first = base >>> 39;
        long count = ((end() - 1) >>> 39) - first + 1;
        for (long k = 0; k < Math.min(count, 512); k++) {
            int slot = (int) ((first + k) & 511);
            set[slot >>> 6] |= 1L << (slot & 63);
        }
        return set;
    }

    private void checkPageRange(long start, long len) throws AddressSpaceError {
        if (((start | len) & (PAGE - 1)) != 0) {
            throw new AddressSpaceError(INVALID_INPUT, String.format("0x%x+0x%x is not 4 KiB aligned", start, len));
        }
        if (len != 0 && !containsRange(start, len)) {
            throw new AddressSpaceError(INVALID_INPUT, String.format(
                    "0x%x+0x%x is outside the address space 0x%x..0x%x", start, len, base, end()));
        }
    }
}
