package io.minivmm.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.vmm.machine.ResourceAllocator.Use;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResourceAllocatorTest {
    private static ResourceAllocator mib(long mib) { return new ResourceAllocator(List.of(new long[] {0, mib << 20})); }

    @Test
    void overlappingClaimsAreRefusedNamingBothOwners() {
        ResourceAllocator r = mib(16);
        r.claim("a", 0x9000, 0x1000, Use.FIRMWARE);
        ResourceException e = assertThrows(ResourceException.class, () -> r.claim("b", 0x9800, 0x1000, Use.FIRMWARE));
        assertTrue(e.getMessage().contains("b") && e.getMessage().contains("a [0x9000, 0xa000)"), e.getMessage());
        r.claim("c", 0xa000, 0x1000, Use.FIRMWARE); // touching is fine
    }

    @Test
    void firmwareMustBeRamAndMmioMustNotBe() {
        ResourceAllocator r = mib(16);
        assertThrows(ResourceException.class, () -> r.claim("t", (16 << 20) - 0x800, 0x1000, Use.FIRMWARE));
        assertThrows(ResourceException.class, () -> r.claim("dev", 0x100000, 0x1000, Use.MMIO));
        r.claim("dev", 0xd000_0000L, 0x1000, Use.MMIO);
        assertThrows(ResourceException.class, () -> r.claim("wrap", -0x1000L, 0x2000, Use.MMIO));
    }

    @Test
    void allocateDownTakesTheHighestFreeRangeBelowTheLimit() {
        ResourceAllocator r = mib(1);
        long a = r.allocateDown("mp", 0xf0, 16, 0xa0000, Use.FIRMWARE);
        assertEquals(0x9ff10, a);
        long b = r.allocateDown("rsdp", 0x24, 16, 0xa0000, Use.FIRMWARE);
        assertEquals(0x9fee0, b); // below the first, 16-aligned
        r.claim("hole", 0x9f000, 0xee0, Use.FIRMWARE);
        long c = r.allocateDown("big", 0x2000, 0x1000, 0xa0000, Use.FIRMWARE);
        assertEquals(0x9d000, c);
        assertThrows(ResourceException.class, () -> r.allocateDown("huge", 2 << 20, 16, 0xa0000, Use.FIRMWARE));
    }

    @Test
    void mmioWindowsAreDisjointAlignedAndInsideTheWindow() {
        ResourceAllocator r = mib(64);
        Set<Long> seen = new HashSet<>();
        long prevEnd = 0;
        for (int i = 0; i < 20; i++) {
            long a = r.allocateMmio("virtio" + i, 0x200, 0x1000);
            assertEquals(0, a & 0xfff);
            assertTrue(a >= ResourceAllocator.MMIO_WINDOW && a + 0x200 <= ResourceAllocator.MMIO_WINDOW_END);
            assertTrue(a >= prevEnd);
            prevEnd = a + 0x200;
            assertTrue(seen.add(a));
        }
        // A fixed claim in the way is skipped over.
        r.claim("fixed", prevEnd + 0x1000 - (prevEnd & 0xfff), 0x3000, Use.MMIO);
        long next = r.allocateMmio("after", 0x1000, 0x1000);
        assertTrue(r.claims().stream().filter(c -> c.owner().equals("after")).count() == 1);
        assertNotEquals(prevEnd + 0x1000 - (prevEnd & 0xfff), next);
    }

    @Test
    void irqsAreExclusiveAndDynamicOnesAvoidIsaLines() {
        ResourceAllocator r = mib(16);
        r.claimIrq("com1", 4);
        assertThrows(ResourceException.class, () -> r.claimIrq("other", 4));
        assertThrows(ResourceException.class, () -> r.claimIrq("bad", 24));
        List<Integer> got = new ArrayList<>();
        while (true) {
            try {
                got.add(r.allocateIrq("d"));
            } catch (ResourceException e) {
                break;
            }
        }
        assertEquals(List.of(5, 6, 7, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23), got);
        assertEquals("com1", r.irqOwner(4));
    }

    @Test
    void memoryMapCutsFirmwareAndReservedOutOfRam() {
        ResourceAllocator r = mib(2);
        r.claim("ebda", 0x9fc00, 0x400, Use.FIRMWARE);
        r.claim("legacy", 0xa0000, 0x60000, Use.RESERVED);
        r.claim("dev", 0xd000_0000L, 0x1000, Use.MMIO);
        List<long[]> map = r.memoryMap();
        assertEquals(3, map.size());
        assertArrayEquals(new long[] {0, 0x9fc00, 1}, map.get(0));
        assertArrayEquals(new long[] {0x9fc00, 0x60400, 2}, map.get(1)); // firmware + legacy, merged
        assertArrayEquals(new long[] {0x100000, 0x100000, 1}, map.get(2));
    }

    /** Random claims and allocations never overlap, and the memory map covers RAM exactly once. */
    @Test
    void seededModelNeverOverlaps() {
        for (long seed = 1; seed <= 200; seed++) {
            Random rnd = new Random(seed);
            ResourceAllocator r = mib(4);
            for (int i = 0; i < 30; i++) {
                long size = (1 + rnd.nextInt(64)) * 16L;
                try {
                    switch (rnd.nextInt(3)) {
                        case 0 -> r.claim("c" + i, (rnd.nextInt(4 << 16)) * 16L, size, Use.FIRMWARE);
                        case 1 -> r.allocateDown("d" + i, size, 1L << rnd.nextInt(13), 1 + rnd.nextInt(4 << 20), Use.FIRMWARE);
                        default -> r.allocateMmio("m" + i, size, 1L << rnd.nextInt(13));
                    }
                } catch (ResourceException expected) {
                    // refusals are fine; overlaps are not
                }
            }
            List<ResourceAllocator.Range> cs = r.claims();
            for (int i = 1; i < cs.size(); i++) {
                assertTrue(Long.compareUnsigned(cs.get(i - 1).end(), cs.get(i).base()) <= 0, "seed " + seed + ": " + cs);
            }
            long covered = 0;
            long at = 0;
            for (long[] e : r.memoryMap()) {
                assertEquals(at, e[0], "seed " + seed + ": gap or overlap in the memory map");
                at = e[0] + e[1];
                covered += e[1];
            }
            assertEquals(4 << 20, covered, "seed " + seed);
        }
    }
}
