package io.minivmm.vmm.memory;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Guest RAM over real mmap'd regions (no KVM needed: slots are registered elsewhere). */
class GuestMemoryTest {
    static final long MIB = 1 << 20, GIB = 1L << 30;

    @Test
    void ramAboveThreeGibMovesAboveFourGib() {
        try (GuestMemory m = GuestMemory.create(5 * GIB, GuestMemory.Backing.LAZY, false)) {
            assertEquals(5 * GIB, m.size());
            assertEquals(2, m.regions().size());
            assertEquals(0, m.regions().get(0).base());
            assertEquals(3 * GIB, m.regions().get(0).end());
            assertEquals(4 * GIB, m.regions().get(1).base());
            assertEquals(6 * GIB, m.regions().get(1).end());
            assertTrue(m.isRam(3 * GIB - 8, 8));
            assertFalse(m.isRam(3 * GIB, 1), "the MMIO hole is not RAM");
            assertFalse(m.isRam(0xfee00000L, 4), "LAPIC page");
            assertEquals(1, m.regionOf(4 * GIB + 5).slot());
            assertNull(m.regionOf(6 * GIB));
            m.writeU64(6 * GIB - 8, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, m.readU64(6 * GIB - 8));
        }
    }

    /** Issue 15, defect 4: a view used after close() throws; it used to be a raw buffer and crash the JVM. */
    @Test
    void viewUsedAfterCloseThrowsInsteadOfCrashing() {
        GuestMemory m = GuestMemory.create(4 * MIB, GuestMemory.Backing.LAZY, false);
        io.minivmm.kvm.memory.MemoryView v = m.view(0x2000, 0x1000);
        v.writeU64(0x55aa, 8);
        assertEquals(0x55aa, m.readU64(0x2008));
        assertThrows(GuestMemoryException.class, () -> m.view(4 * MIB - 8, 16));
        m.close();
        for (org.junit.jupiter.api.function.Executable use : List.<org.junit.jupiter.api.function.Executable>of(
                () -> v.readU64(8), () -> v.writeU64(1, 0), () -> v.read(0, new byte[64], 0, 64),
                () -> v.write(0, new byte[64], 0, 64), () -> m.view(0, 8))) {
            assertThrows(IllegalStateException.class, use);
        }
    }

    @Test
    void noPublicMethodHandsOutARawBuffer() {
        for (Class<?> c : List.of(GuestMemory.class, PhysMemory.class, io.minivmm.vmm.paging.AddressSpace.class)) {
            for (java.lang.reflect.Method meth : c.getMethods()) {
                assertFalse(java.nio.Buffer.class.isAssignableFrom(meth.getReturnType()), c.getSimpleName() + "." + meth.getName());
                assertFalse(meth.getGenericReturnType().getTypeName().contains("java.nio."), c.getSimpleName() + "." + meth.getName());
            }
        }
    }

    @Test
    void fileBackingErrorsAreTypedAndLeakNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path missingDir = dir.resolve("no/such/ram.img");
        assertThrows(java.nio.file.NoSuchFileException.class, () -> GuestMemory.create(4 * MIB,
                new RamBacking(GuestMemory.Backing.LAZY, false, RamBacking.Source.FILE_SHARED, missingDir)));
        java.nio.file.Path shortFile = dir.resolve("short.img");
        java.nio.file.Files.write(shortFile, new byte[4096]);
        assertThrows(io.minivmm.kvm.memory.MemoryMappingException.InvalidRange.class, () -> GuestMemory.create(4 * MIB,
                new RamBacking(GuestMemory.Backing.LAZY, false, RamBacking.Source.FILE_PRIVATE, shortFile)));
        assertEquals(4096, java.nio.file.Files.size(shortFile), "copy-on-write never grows the file");
        assertThrows(IllegalArgumentException.class,
                () -> new RamBacking(GuestMemory.Backing.LAZY, false, RamBacking.Source.MEMFD, shortFile));
        // a new file is created at the RAM size, and what is written lands in it
        java.nio.file.Path fresh = dir.resolve("fresh.img");
        try (GuestMemory m = GuestMemory.create(4 * MIB,
                new RamBacking(GuestMemory.Backing.PREFAULT, false, RamBacking.Source.FILE_SHARED, fresh))) {
            m.writeU64(0x3000, 0x0102030405060708L);
        }
        byte[] b = java.nio.file.Files.readAllBytes(fresh);
        assertEquals(4 * MIB, b.length);
        assertEquals(8, b[0x3000]);
    }

    @Test
    void smallRamIsOneRegion() {
        try (GuestMemory m = GuestMemory.create(256 * MIB, GuestMemory.Backing.LAZY, false)) {
            assertEquals(1, m.regions().size());
            assertFalse(m.isRam(256 * MIB, 1));
        }
    }

    @Test
    void accessesOutsideRamAreTypedErrorsAndWriteNothing() {
        try (GuestMemory m = GuestMemory.create(4 * MIB, GuestMemory.Backing.LAZY, false)) {
            long end = 4 * MIB;
            m.writeU64(end - 8, 42);
            GuestMemoryException e = assertThrows(GuestMemoryException.class, () -> m.write(end - 4, new byte[8]));
            assertEquals(end - 4, e.address());
            assertEquals(8, e.length());
            assertTrue(e.getMessage().contains("0x3ffffc"), e.getMessage());
            assertEquals(42, m.readU64(end - 8), "a failed write changes nothing");
            assertThrows(GuestMemoryException.class, () -> m.readU64(end));
            assertThrows(GuestMemoryException.class, () -> m.readU64(-8));
            assertThrows(GuestMemoryException.class, () -> m.read(Long.MAX_VALUE, new byte[16], 0, 16));
            assertThrows(GuestMemoryException.class, () -> m.fill(end - 1, 2, (byte) 1));
            assertThrows(IndexOutOfBoundsException.class, () -> m.read(0, new byte[4], 2, 4), "host-side overrun is a bug");
        }
    }

    @Test
    void readsAndWritesCrossTouchingRegions() {
        List<long[]> layout = List.of(new long[] {0, MIB}, new long[] {MIB, MIB}, new long[] {4 * MIB, MIB});
        try (GuestMemory m = GuestMemory.withLayout(layout, GuestMemory.Backing.LAZY, false)) {
            byte[] data = new byte[100];
            for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
            m.write(MIB - 50, data);
            assertArrayEquals(data, m.read(MIB - 50, 100));
            assertNotEquals(m.regionOf(MIB - 1).slot(), m.regionOf(MIB).slot(), "two slots");
            m.writeU64(MIB - 4, 0x0102030405060708L);
            assertEquals(0x0102030405060708L, m.readU64(MIB - 4), "u64 straddling the boundary");
            assertThrows(GuestMemoryException.class, () -> m.write(2 * MIB - 4, new byte[8]), "hole after region 2");
            m.fill(MIB - 10, 20, (byte) 0x5a);
            for (byte b : m.read(MIB - 10, 20)) assertEquals(0x5a, b);
        }
    }

    @Test
    void badLayoutsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> GuestMemory.withLayout(List.of(new long[] {0, 2 * MIB}, new long[] {MIB, MIB}), GuestMemory.Backing.LAZY, false));
        assertThrows(IllegalArgumentException.class,
                () -> GuestMemory.withLayout(List.of(new long[] {0x800, MIB}), GuestMemory.Backing.LAZY, false));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.create(1000, GuestMemory.Backing.LAZY, false));
    }

    @Test
    void lazyRamIsFaultedInOnTouchAndPrefaultedRamIsAllThere() {
        try (GuestMemory lazy = GuestMemory.create(64 * MIB, GuestMemory.Backing.LAZY, false)) {
            assertTrue(lazy.residentBytes() < MIB, "nothing touched yet: " + lazy.residentBytes());
            lazy.writeU64(32 * MIB, 1);
            long r = lazy.residentBytes();
            assertTrue(r >= 4096 && r < 4 * MIB, "one page touched: " + r);
        }
        try (GuestMemory pre = GuestMemory.create(64 * MIB, GuestMemory.Backing.PREFAULT, false)) {
            assertEquals(64 * MIB, pre.residentBytes());
        }
    }

    @Test
    void hugepageBackingIsTwoMibAligned() {
        try (GuestMemory m = GuestMemory.create(64 * MIB, GuestMemory.Backing.LAZY, true)) {
            assertEquals(0, m.regions().get(0).mapping().hostAddress() % (2 * MIB));
        }
    }

    @Test
    void useAfterCloseIsAnError() {
        GuestMemory m = GuestMemory.create(4 * MIB, GuestMemory.Backing.LAZY, false);
        m.close();
        m.close();
        assertThrows(IllegalStateException.class, () -> m.readU64(0));
    }
}
