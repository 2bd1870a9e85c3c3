package io.minivmm.vmm.arch.x86;

import io.minivmm.vmm.memory.PhysMemory;
import io.minivmm.vmm.paging.AddressSpace;
import io.minivmm.vmm.paging.AddressSpaceError;
import io.minivmm.vmm.paging.Backend;
import io.minivmm.vmm.paging.ChainedFrameAllocator;
import io.minivmm.vmm.paging.FrameAllocator;
import io.minivmm.vmm.paging.MappingFlags;
import io.minivmm.vmm.paging.MemoryArea;
import io.minivmm.vmm.paging.PagingError;
import io.minivmm.vmm.paging.RangeFrameAllocator;
import java.util.List;

/**
 * The address space a long-mode guest starts in, built through the paging API before its first
 * instruction: a lower-half {@link AddressSpace} (CR3) with an identity map of guest RAM as
 * linear areas (largest pages that fit: 1 GiB where the CPU offers them, else 2 MiB), and a
 * higher-half one whose top-level entries the lower half shares ({@code copyMappingsFrom}) for
 * linear mappings such as a higher-half kernel's ({@code 0xffffffff80000000 + x -> x}). Extra
 * areas (linear, or alloc populated / lazy) come from the {@link io.minivmm.vmm.VmBuilder}; lazy
 * frames arrive through {@link #handlePageFault}.
 */
public final class GuestAddressSpace implements AutoCloseable {
    public static final long LOW_END = 0x0000_8000_0000_0000L;
    public static final long HIGH_BASE = 0xffff_8000_0000_0000L;
    /** The high space stops one page short of 2^64 (an address space cannot end at 2^64). */
    public static final long HIGH_SIZE = -HIGH_BASE - 0x1000;
    private static final MappingFlags RWX = MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE, MappingFlags.EXECUTE);
    private static final long GIB = 1L << 30;

    /** One area: {@code [va, va+size)} with flags; {@code pa >= 0} linear to pa, else alloc. */
    public record Area(long va, long size, MappingFlags flags, long pa, boolean populate) {
        public static Area linear(long va, long pa, long size, MappingFlags flags) { return new Area(va, size, flags, pa, false); }

        public static Area alloc(long va, long size, MappingFlags flags, boolean populate) {
            return new Area(va, size, flags, -1, populate);
        }
    }

    private final AddressSpace low;
    private final AddressSpace high;
    private final FrameAllocator frames;

    private GuestAddressSpace(AddressSpace low, AddressSpace high, FrameAllocator frames) {
        this.low = low;
        this.high = high;
        this.frames = frames;
    }

    /**
     * Builds it. {@code ram} are [start, end) ranges; {@code pool} is an optional [start, end)
     * range of guest RAM for frames that do not fit the vCPU area (null for none).
     */
    public static GuestAddressSpace build(PhysMemory mem, List<long[]> ram, List<Area> areas, boolean gbPages,
            long[] pool) throws PagingError, AddressSpaceError {
        return build(mem, ram, areas, gbPages, pool, BootLayout.AREA);
    }

    /** As above, with the first page-table frames from the vCPU area at {@code vcpuArea} (BootPlan.vcpuArea()). */
    public static GuestAddressSpace build(PhysMemory mem, List<long[]> ram, List<Area> areas, boolean gbPages,
            long[] pool, long vcpuArea) throws PagingError, AddressSpaceError {
        long[] tables = BootLayout.pageTables(vcpuArea);
        RangeFrameAllocator boot = new RangeFrameAllocator(mem, tables[0], tables[1]);
        FrameAllocator frames = new ChainedFrameAllocator(boot, pool == null ? null
                : new RangeFrameAllocator(mem, pool[0], pool[1]));
        AddressSpace low = AddressSpace.create(0, LOW_END, mem, frames);
        AddressSpace high = null;
        try {
            for (long[] r : ram) identity(low, r[0] & ~0xfffL, (r[1] + 0xfff) & ~0xfffL, gbPages);
            for (Area a : areas) {
                boolean inHigh = Long.compareUnsigned(a.va(), HIGH_BASE) >= 0;
                if (inHigh && high == null) high = AddressSpace.create(HIGH_BASE, HIGH_SIZE, mem, frames);
                AddressSpace s = inHigh ? high : low;
                Backend b = a.pa() >= 0 ? Backend.linear(a.va() - a.pa()) : Backend.alloc(a.populate());
                s.map(new MemoryArea(a.va(), a.size(), a.flags(), b), true);
            }
            if (high != null) low.copyMappingsFrom(high);
            return new GuestAddressSpace(low, high, frames);
        } catch (PagingError | AddressSpaceError | RuntimeException e) {
            closeQuietly(low);
            closeQuietly(high);
            throw e;
        }
    }

    /**
     * Identity-maps [start, end). Linear areas map with the largest page that fits; without
     * 1 GiB pages each GiB is mapped as two areas, so no 1 GiB leaf can be chosen.
     */
    private static void identity(AddressSpace s, long start, long end, boolean gbPages) throws AddressSpaceError {
        if (gbPages) {
            s.mapLinear(start, start, end - start, RWX);
            return;
        }
        long at = start;
        while (at < end) {
            long next = Math.min(end, (at | (GIB - 1)) + 1);
            if (next - at == GIB) {
                s.mapLinear(at, at, GIB / 2, RWX);
                s.mapLinear(at + GIB / 2, at + GIB / 2, GIB / 2, RWX);
            } else {
                s.mapLinear(at, at, next - at, RWX);
            }
            at = next;
        }
    }

    /** CR3: the lower half's root, which also holds the shared higher-half entries. */
    public long cr3() { return low.rootPaddr(); }

    /** Resolves a guest page fault at {@code va} for {@code access} (1 read, 2 write, 4 execute). */
    public boolean handlePageFault(long va, int access) {
        MappingFlags need = MappingFlags.ofBits(access);
        AddressSpace s = Long.compareUnsigned(va, HIGH_BASE) >= 0 ? high : low;
        if (s == null || !s.contains(va)) return false;
        return s.handlePageFault(va, need);
    }

    /** Frames handed out for tables and alloc areas. */
    public long framesInUse() { return frames.allocatedCount(); }

    public AddressSpace low() { return low; }

    private static void closeQuietly(AddressSpace s) {
        if (s == null) return;
        try {
            s.close();
        } catch (AddressSpaceError | RuntimeException ignored) {
            // tables live in guest RAM, which is about to go anyway
        }
    }

    /**
     * Nothing to release on the host: the tables live in guest RAM. Kept so the VMM could rebuild
     * the space; closing returns the frames to the allocators.
     */
    @Override
    public void close() {
        closeQuietly(low);
        closeQuietly(high);
    }
}
