package io.minivmm.kvm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.minivmm.kvm.sys.Errno;
import io.minivmm.kvm.sys.LibcMemory;
import org.junit.jupiter.api.Test;

/** The conformance cases of SPEC-seeds.md §1 (from crosvm's own tests), one test each. */
class MemoryMappingConformanceTest {
    static final long PAGE = LibcMemory.pageSize();

    @Test
    void size1024HasSize1024() {
        try (MemoryMapping m = MemoryMapping.anonymous(1024).build()) {
            assertEquals(1024, m.size());
        }
    }

    @Test
    void size0IsEinval() {
        var e = assertThrows(MemoryMappingException.SystemError.class, () -> MemoryMapping.anonymous(0).build());
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("mmap failed: EINVAL (22)", e.getMessage());
    }

    @Test
    void fdMinus1IsEbadf() {
        var e = assertThrows(MemoryMappingException.SystemError.class, () -> MemoryMapping.fromFd(-1, 1024).build());
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("mmap", e.operation());
    }

    @Test
    void writeSliceOf6BytesIntoSize5CopiesFive() {
        try (MemoryMapping m = MemoryMapping.anonymous(5).build()) {
            assertEquals(5, m.writeSlice(new byte[] {1, 2, 3, 4, 5, 6}, 0));
            byte[] back = new byte[8];
            assertEquals(5, m.readSlice(back, 0));
            assertEquals(5, back[4]);
            assertEquals(0, back[5]);
        }
    }

    @Test
    void slice2Of3IsAtBasePlus2() {
        try (MemoryMapping m = MemoryMapping.anonymous(5).build()) {
            VolatileSlice s = m.slice(2, 3);
            assertEquals(m.hostAddress() + 2, s.address());
            assertEquals(3, s.size());
        }
    }

    @Test
    void sliceAtMaxOverflowsNamingBaseAndOffset() {
        try (MemoryMapping m = MemoryMapping.anonymous(5).build()) {
            var e = assertThrows(MemoryMappingException.Overflow.class, () -> m.slice(Long.MAX_VALUE, 3));
            assertEquals(Long.MAX_VALUE, e.base());
            assertEquals(3, e.offset());
        }
    }

    @Test
    void slice3Of3IsOutOfBoundsAt6() {
        try (MemoryMapping m = MemoryMapping.anonymous(5).build()) {
            var e = assertThrows(MemoryMappingException.OutOfBounds.class, () -> m.slice(3, 3));
            assertEquals(6, e.end());
        }
    }

    @Test
    void twoMappingsOfOneMemfdSeeEachOthersWrites() {
        try (MemoryFile fd = MemoryFile.memfd("minivmm-test", PAGE);
                MemoryMapping a = MemoryMapping.fromFd(fd.fd(), PAGE).build();
                MemoryMapping b = MemoryMapping.fromFd(fd.fd(), PAGE).build()) {
            a.writeU64(0x1122_3344_5566_7788L, 16);
            assertEquals(0x1122_3344_5566_7788L, b.readU64(16));
            b.writeSlice(new byte[] {9, 8, 7}, 100);
            byte[] got = new byte[3];
            a.readSlice(got, 100);
            assertEquals(9, got[0]);
            assertEquals(7, got[2]);
        }
    }

    @Test
    void mappingAtOffsetOnePageShowsItsWritesAtPage1OfMappingAtOffset0() {
        try (MemoryFile fd = MemoryFile.memfd("minivmm-test", 2 * PAGE);
                MemoryMapping whole = MemoryMapping.fromFd(fd.fd(), 2 * PAGE).build();
                MemoryMapping second = MemoryMapping.fromFd(fd.fd(), PAGE).offset(PAGE).build()) {
            second.writeU32(0xcafe_f00d, 8);
            assertEquals(0xcafe_f00d, whole.readU32(PAGE + 8));
            assertEquals(0, whole.readU32(8));
        }
    }

    @Test
    void arenaOf2PagesRejectsUnalignedOffset() {
        try (MemoryFile fd = MemoryFile.memfd("minivmm-test", PAGE); MemoryMappingArena arena = MemoryMappingArena.reserve(2 * PAGE)) {
            var e = assertThrows(MemoryMappingException.NotPageAligned.class,
                    () -> arena.addFdMapping(PAGE + 1, PAGE, fd.fd(), 0, Protection.READ_WRITE));
            assertEquals(PAGE + 1, e.value());
        }
    }

    @Test
    void arenaOf1PageRejectsMappingOfPagePlus1Bytes() {
        try (MemoryFile fd = MemoryFile.memfd("minivmm-test", 2 * PAGE); MemoryMappingArena arena = MemoryMappingArena.reserve(PAGE)) {
            var e = assertThrows(MemoryMappingException.InvalidAddress.class,
                    () -> arena.addFdMapping(0, PAGE + 1, fd.fd(), 0, Protection.READ_WRITE));
            assertEquals(0, e.offset());
            assertEquals(PAGE + 1, e.length());
            assertEquals(PAGE, e.size());
        }
    }

    @Test
    void msyncRanges() {
        long size = 4 * PAGE;
        try (MemoryFile fd = MemoryFile.memfd("minivmm-test", size); MemoryMapping m = MemoryMapping.fromFd(fd.fd(), size).build()) {
            m.msync();
            m.msync(0, PAGE);
            m.msync(0, size);
            m.msync(PAGE, size - PAGE);
            var e = assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.msync(PAGE, size));
            assertEquals(PAGE, e.offset());
            assertEquals(size, e.length());
            assertEquals(size, e.size());
        }
    }

    @Test
    void madviseRanges() {
        long size = 4 * PAGE;
        try (MemoryMapping m = MemoryMapping.anonymous(size).build()) {
            m.madvise(0, PAGE, Advice.WILLNEED);
            m.madvise(0, size, Advice.WILLNEED);
            m.madvise(PAGE, size - PAGE, Advice.WILLNEED);
            var e = assertThrows(MemoryMappingException.InvalidAddress.class,
                    () -> m.madvise(PAGE, size, Advice.WILLNEED));
            assertEquals(PAGE, e.offset());
            assertEquals(size, e.length());
        }
    }
}
