package io.minivmm.vmm.paging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RangeFrameAllocatorTest {
    private final ArrayPhysMemory mem = new ArrayPhysMemory(0, 0x10000);
    private final RangeFrameAllocator frames = new RangeFrameAllocator(mem, 0x4000, 0x8000);

    @Test
    void handsOutDistinctZeroedFramesThenNoMemory() throws Exception {
        mem.fill(0, 0x10000, (byte) 0x5a);
        Set<Long> got = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            long f = frames.allocZeroed();
            assertEquals(0, f & 0xfff);
            assertEquals(0, mem.readU64(f + 0xff8));
            got.add(f);
        }
        assertEquals(Set.of(0x4000L, 0x5000L, 0x6000L, 0x7000L), got);
        assertEquals(4, frames.allocatedCount());
        PagingError e = assertThrows(PagingError.class, frames::allocZeroed);
        assertEquals(PagingError.Kind.NO_MEMORY, e.kind());
        assertEquals(0x5a5a_5a5a_5a5a_5a5aL, mem.readU64(0x8000), "outside the range is untouched");
    }

    @Test
    void freedFramesAreReusedAndRezeroed() throws Exception {
        long a = frames.allocZeroed();
        long b = frames.allocZeroed();
        mem.writeU64(a, -1);
        frames.free(a);
        assertEquals(1, frames.allocatedCount());
        assertEquals(a, frames.allocZeroed());
        assertEquals(0, mem.readU64(a));
        assertNotEquals(a, b);
        assertEquals(2, frames.allocatedCount());
    }

    @Test
    void foreignAndDoubleFreesAreBugs() throws Exception {
        long a = frames.allocZeroed();
        frames.free(a);
        assertThrows(IllegalArgumentException.class, () -> frames.free(a));
        assertThrows(IllegalArgumentException.class, () -> frames.free(0x3000));
        assertThrows(IllegalArgumentException.class, () -> frames.free(0x7000)); // never handed out
        assertThrows(IllegalArgumentException.class, () -> frames.free(0x4001));
        assertThrows(IllegalArgumentException.class, () -> new RangeFrameAllocator(mem, 0x4001, 0x8000));
        assertEquals(0, frames.allocatedCount());
    }
}
