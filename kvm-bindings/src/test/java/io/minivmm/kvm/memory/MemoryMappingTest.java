package io.minivmm.kvm.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.sys.Errno;
import io.minivmm.kvm.sys.LibcMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MemoryMappingTest {
    static final long PAGE = LibcMemory.pageSize();

    /** A 20-byte little-endian struct, like a boot-protocol e820 entry. */
    record E820(long addr, long size, int type) {}

    static final ByteCodec<E820> E820_CODEC = new ByteCodec<>() {
        @Override
        public int size() {
            return 20;
        }

        @Override
        public void encode(E820 e, ByteBuffer b) {
            b.putLong(e.addr()).putLong(e.size()).putInt(e.type());
        }

        @Override
        public E820 decode(ByteBuffer b) {
            return new E820(b.getLong(), b.getLong(), b.getInt());
        }
    };

    // ------------------------------------------------------------ objects

    @Test
    void primitivesRoundTripAlignedAndUnaligned() {
        try (MemoryMapping m = MemoryMapping.anonymous(PAGE).build()) {
            for (long off : new long[] {0, 1, 3, 7, 13, PAGE - 8}) {
                m.writeU64(0x0102_0304_0506_0708L, off);
                assertEquals(0x0102_0304_0506_0708L, m.readU64(off));
                assertEquals(0x08, m.readU8(off), "little-endian low byte first");
                m.writeU32(0xdead_beef, off);
                assertEquals(0xdead_beef, m.readU32(off));
                m.writeU16((short) 0xabcd, off);
                assertEquals((short) 0xabcd, m.readU16(off));
                m.writeU8((byte) 0xfe, off);
                assertEquals((byte) 0xfe, m.readU8(off));
            }
        }
    }

    @Test
    void primitiveCodecsRoundTrip() {
        try (MemoryMapping m = MemoryMapping.anonymous(PAGE).build()) {
            m.writeObj(0x1122_3344_5566_7788L, ByteCodec.U64, 5);
            assertEquals(0x1122_3344_5566_7788L, m.readObj(ByteCodec.U64, 5));
            assertEquals(0x5566_7788, m.readObj(ByteCodec.U32, 5));
            assertEquals((short) 0x7788, m.readObj(ByteCodec.U16, 5));
            assertEquals((byte) 0x88, m.readObj(ByteCodec.U8, 5));
            m.writeObj(0x0bad_f00d, ByteCodec.U32, 100);
            assertEquals(0x0bad_f00d, m.readU32(100));
        }
    }

    @Test
    void structCodecRoundTripsUnalignedAndIsLittleEndian() {
        try (MemoryMapping m = MemoryMapping.anonymous(PAGE).build()) {
            E820 e = new E820(0x10_0000, 0x7ff0_0000L, 1);
            m.writeObj(e, E820_CODEC, 0x2d3);
            assertEquals(e, m.readObj(E820_CODEC, 0x2d3));
            assertEquals(0x10_0000L, m.readU64(0x2d3));
            assertEquals(1, m.readU32(0x2d3 + 16));
        }
    }

    @Test
    void objectThatDoesNotFitWholeIsAnErrorAndWritesNothing() {
        try (MemoryMapping m = MemoryMapping.anonymous(64).build()) {
            var e = assertThrows(MemoryMappingException.InvalidAddress.class,
                    () -> m.writeObj(new E820(1, 2, 3), E820_CODEC, 50));
            assertEquals(50, e.offset());
            assertEquals(20, e.length());
            assertEquals(64, e.size());
            assertEquals(0, m.readU64(56));
            m.writeObj(new E820(1, 2, 3), E820_CODEC, 44); // ends exactly at size
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.readObj(E820_CODEC, 45));
        }
    }

    @Test
    void boundsAtTheExactEdges() {
        long size = 1024;
        try (MemoryMapping m = MemoryMapping.anonymous(size).build()) {
            m.writeU64(-1L, size - 8);
            assertEquals(-1L, m.readU64(size - 8));
            m.writeU8((byte) 1, size - 1);
            var e = assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.readU64(size - 7));
            assertEquals(size - 7, e.offset());
            assertEquals(8, e.length());
            assertEquals(size, e.size());
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.readU8(size));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.writeU8((byte) 0, -1));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.readU64(Long.MAX_VALUE));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.readU64(Long.MIN_VALUE));

            // slices: off == size copies 0, off == size + 1 is an error
            assertEquals(0, m.writeSlice(new byte[4], size));
            assertEquals(0, m.readSlice(new byte[4], size));
            assertEquals(4, m.readSlice(new byte[4], size - 4));
            var s = assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.readSlice(new byte[4], size + 1));
            assertEquals(size + 1, s.offset());
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.writeSlice(new byte[4], -1));

            // ranges: off + len == size is fine, len overflow is an error, never a wrap-around
            m.msync(0, size);
            m.madvise(0, size, Advice.NORMAL);
            m.flushRegion(size, 0);
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.msync(0, Long.MAX_VALUE));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.madvise(0, Long.MAX_VALUE, Advice.NORMAL));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.flushRegion(1, Long.MAX_VALUE));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.msync(0, -1));
            var r = assertThrows(MemoryMappingException.InvalidRange.class, () -> m.removeRange(0, Long.MAX_VALUE));
            assertEquals(0, r.offset());
            assertEquals(Long.MAX_VALUE, r.length());
            assertEquals(size, r.size());
            assertThrows(MemoryMappingException.InvalidRange.class, () -> m.asyncPrefetch(0, size + 1));
            assertThrows(MemoryMappingException.InvalidRange.class, () -> m.lockOnFault(PAGE, 1));

            // slices
            assertEquals(0, m.slice(size, 0).size());
            assertEquals(size, m.slice(0, size).size());
            assertEquals(size + 1, assertThrows(MemoryMappingException.OutOfBounds.class, () -> m.slice(size, 1)).end());
            assertThrows(MemoryMappingException.Overflow.class, () -> m.slice(1, Long.MAX_VALUE));
            assertThrows(MemoryMappingException.Overflow.class, () -> m.slice(-1, 1));
        }
    }

    @Test
    void unalignedMadviseOffsetIsNotPageAligned() {
        try (MemoryMapping m = MemoryMapping.anonymous(2 * PAGE).build()) {
            var e = assertThrows(MemoryMappingException.NotPageAligned.class, () -> m.madvise(1, 1, Advice.NORMAL));
            assertEquals(1, e.value());
            assertThrows(MemoryMappingException.NotPageAligned.class, () -> m.msync(8, 8));
        }
    }

    @Test
    void byteBufferSlicesAdvancePositionAndCopyPartially() {
        try (MemoryMapping m = MemoryMapping.anonymous(16).build()) {
            ByteBuffer src = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            src.position(2);
            assertEquals(4, m.writeSlice(src, 12)); // 6 remaining, 4 fit
            assertEquals(6, src.position());
            ByteBuffer dst = ByteBuffer.allocateDirect(10);
            dst.position(1);
            assertEquals(4, m.readSlice(dst, 12));
            assertEquals(5, dst.position());
            assertEquals(3, dst.get(1));
            assertEquals(6, dst.get(4));
            assertEquals(0, m.readSlice(dst, 16));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.readSlice(dst, 17));
        }
    }

    @Test
    void byteBufferSlicesHandleDirectSourcesHeapSlicesAndReadOnlyTargets() {
        try (MemoryMapping m = MemoryMapping.anonymous(32).build()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(8);
            direct.putLong(0, 0x0807_0605_0403_0201L).position(0);
            assertEquals(8, m.writeSlice(direct, 4));
            assertEquals(8, direct.position());
            assertEquals((byte) 0x08, m.readU8(4)); // big-endian buffer: byte order as stored

            ByteBuffer heapSlice = ByteBuffer.wrap(new byte[16]).position(4).slice(); // arrayOffset 4
            assertEquals(12, m.readSlice(heapSlice, 0));
            assertEquals((byte) 0x08, heapSlice.get(4));
            assertEquals((byte) 0x01, heapSlice.get(11));

            assertThrows(java.nio.ReadOnlyBufferException.class,
                    () -> m.readSlice(ByteBuffer.allocate(4).asReadOnlyBuffer(), 0));
            ByteBuffer readOnlySrc = ByteBuffer.wrap(new byte[] {42}).asReadOnlyBuffer();
            assertEquals(1, m.writeSlice(readOnlySrc, 31));
            assertEquals(42, m.readU8(31));
        }
    }

    // ------------------------------------------------------------ volatile

    @Test
    void volatileAccessesRoundTripWhenAligned() {
        try (MemoryMapping m = MemoryMapping.anonymous(PAGE).build()) {
            m.writeU64Volatile(0x0102_0304_0506_0708L, 8);
            assertEquals(0x0102_0304_0506_0708L, m.readU64Volatile(8));
            assertEquals(0x0102_0304_0506_0708L, m.readU64(8));
            m.writeU32Volatile(0xfeed_face, 4);
            assertEquals(0xfeed_face, m.readU32Volatile(4));
            m.writeU16Volatile((short) 0x1234, 2);
            assertEquals((short) 0x1234, m.readU16Volatile(2));
            m.writeU8Volatile((byte) 0x55, 1);
            assertEquals((byte) 0x55, m.readU8Volatile(1));
            m.writeU64Volatile(7, PAGE - 8);
            assertEquals(7, m.readU64Volatile(PAGE - 8));
        }
    }

    @Test
    void volatileAccessesCheckNaturalAlignment() {
        try (MemoryMapping m = MemoryMapping.anonymous(PAGE).build()) {
            var e = assertThrows(MemoryMappingException.Misaligned.class, () -> m.readU64Volatile(4));
            assertEquals(4, e.offset());
            assertEquals(8, e.alignment());
            assertThrows(MemoryMappingException.Misaligned.class, () -> m.writeU64Volatile(1, 12));
            assertThrows(MemoryMappingException.Misaligned.class, () -> m.readU32Volatile(2));
            assertThrows(MemoryMappingException.Misaligned.class, () -> m.writeU32Volatile(1, 6));
            assertThrows(MemoryMappingException.Misaligned.class, () -> m.readU16Volatile(1));
            assertThrows(MemoryMappingException.Misaligned.class, () -> m.writeU16Volatile((short) 1, 3));
            m.readU8Volatile(3); // any offset is aligned for a byte
            // bounds before alignment: an aligned offset past the end is an address error
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> m.readU64Volatile(PAGE));
        }
    }

    @Test
    void volatileSliceIsBoundedAndVolatile() {
        try (MemoryMapping m = MemoryMapping.anonymous(PAGE).build()) {
            VolatileSlice s = m.slice(64, 32);
            s.writeU64(0x1111_2222_3333_4444L, 8);
            assertEquals(0x1111_2222_3333_4444L, m.readU64(72));
            assertEquals(0x3333_4444, s.readU32(8));
            assertEquals(0x1111_2222_3333_4444L, s.readU64(8));
            s.writeU16((short) 7, 30);
            assertEquals((short) 7, s.readU16(30));
            s.writeU8((byte) 9, 31);
            assertEquals((byte) 9, s.readU8(31));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> s.readU64(25));
            assertThrows(MemoryMappingException.Misaligned.class, () -> s.readU64(4));

            VolatileSlice sub = s.subSlice(8, 8);
            assertEquals(m.hostAddress() + 72, sub.address());
            assertEquals(0x1111_2222_3333_4444L, sub.readU64(0));
            assertEquals(9, assertThrows(MemoryMappingException.OutOfBounds.class, () -> s.subSlice(16, 8).subSlice(1, 8)).end());
            assertThrows(MemoryMappingException.Overflow.class, () -> s.subSlice(Long.MAX_VALUE, 1));

            byte[] out = new byte[40];
            assertEquals(32, s.copyTo(out));
            assertEquals(0x44, out[8]);
            assertEquals(2, s.copyFrom(new byte[] {5, 6}));
            assertEquals((short) 0x0605, m.readU16(64));
        }
    }

    @Test
    void viewIsBoundedPlainAndLittleEndian() {
        try (MemoryMapping m = MemoryMapping.anonymous(PAGE).build()) {
            MemoryView v = m.view(64, 32);
            assertEquals(32, v.size());
            v.writeU64(0x1111_2222_3333_4444L, 3); // unaligned is fine: plain accesses
            assertEquals(0x1111_2222_3333_4444L, m.readU64(67));
            assertEquals(0x44, v.readU8(3));
            assertEquals(0x3344, v.readU16(4) & 0xffff);
            v.writeU32(0xa0b0c0d0, 28);
            assertEquals(0xa0b0c0d0, m.readU32(92));
            v.write(30, new byte[] {1, 2}, 0, 2);
            byte[] out = new byte[4];
            v.read(28, out, 0, 4);
            assertArrayEquals(new byte[] {(byte) 0xd0, (byte) 0xc0, 1, 2}, out);
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> v.readU64(25));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> v.readU8(-1));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> v.writeU8((byte) 0, 32));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> v.read(Long.MAX_VALUE, out, 0, 4));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> v.write(0, out, 0, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> v.read(0, out, 2, 4), "host-side overrun");
            MemoryView sub = v.subView(24, 8);
            assertEquals(0x0201_c0d0L, sub.readU64(0) >>> 32);
            assertThrows(MemoryMappingException.OutOfBounds.class, () -> v.subView(24, 9));
            assertThrows(MemoryMappingException.Overflow.class, () -> v.subView(Long.MAX_VALUE, 1));
            assertThrows(MemoryMappingException.OutOfBounds.class, () -> m.view(PAGE - 4, 8));
            assertEquals(0, m.view(PAGE, 0).size());

            byte[] arr = new byte[16];
            MemoryView a = MemoryView.of(arr, 4, 8);
            a.writeU64(0x0102_0304_0506_0708L, 0);
            assertEquals(8, arr[4]);
            assertEquals(0x0506_0708, a.subView(0, 4).readU32(0));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> a.readU8(8));
            assertThrows(IndexOutOfBoundsException.class, () -> MemoryView.of(arr, 12, 8));
        }
    }

    /**
     * Issue 15, defect 4: a direct ByteBuffer over a mapping cannot be revoked, so one used after
     * close() touched unmapped memory and killed the JVM. No public method may hand one out.
     */
    @Test
    void noPublicMethodHandsOutARawBufferOverAMapping() {
        for (Class<?> c : List.of(MemoryMapping.class, VolatileSlice.class, MemoryView.class,
                MemoryView.OfMapping.class, MemoryMappingArena.class)) {
            for (java.lang.reflect.Method meth : c.getMethods()) {
                assertTrue(!java.nio.Buffer.class.isAssignableFrom(meth.getReturnType())
                        && !com.sun.jna.Pointer.class.isAssignableFrom(meth.getReturnType()), c.getSimpleName() + "." + meth.getName());
            }
        }
    }

    // ------------------------------------------------------------ creation

    @Test
    void alignmentBuilderReturnsAnAlignedAddress() {
        for (long align : new long[] {2L << 20, 1L << 30}) {
            try (MemoryMapping m = MemoryMapping.anonymous(3 * PAGE + 5).alignment(align).build()) {
                assertEquals(0, m.hostAddress() & (align - 1), "aligned to " + align);
                m.writeU64(42, 3 * PAGE - 3);
                assertEquals(42, m.readU64(3 * PAGE - 3));
            }
        }
        try (MemoryFile fd = MemoryFile.memfd("minivmm-test", 4 * PAGE);
                MemoryMapping m = MemoryMapping.fromFd(fd.fd(), 2 * PAGE).offset(2 * PAGE).alignment(4L << 20).build()) {
            assertEquals(0, m.hostAddress() & ((4L << 20) - 1));
        }
        assertThrows(IllegalArgumentException.class, () -> MemoryMapping.anonymous(PAGE).alignment(3 * PAGE));
    }

    @Test
    void populateIsAllowedForAnonymousMappings() {
        try (MemoryMapping m = MemoryMapping.anonymous(4 * PAGE).populate(true).build()) {
            assertEquals(0, m.readU64(3 * PAGE));
        }
    }

    @Test
    void badFileOffsetsAreRefused() {
        try (MemoryFile fd = MemoryFile.memfd("minivmm-test", 2 * PAGE)) {
            var neg = assertThrows(MemoryMappingException.InvalidOffset.class,
                    () -> MemoryMapping.fromFd(fd.fd(), PAGE).offset(-PAGE).build());
            assertEquals(-PAGE, neg.fileOffset());
            assertThrows(MemoryMappingException.InvalidOffset.class,
                    () -> MemoryMapping.fromFd(fd.fd(), PAGE).offset(Long.MAX_VALUE - PAGE + 1).build());
            assertThrows(MemoryMappingException.NotPageAligned.class,
                    () -> MemoryMapping.fromFd(fd.fd(), PAGE).offset(1).build());
            // a file mapping past the end of a regular file would SIGBUS on access: refused
            var past = assertThrows(MemoryMappingException.InvalidRange.class,
                    () -> MemoryMapping.fromFd(fd.fd(), 2 * PAGE).offset(PAGE).build());
            assertEquals(PAGE, past.offset());
            assertEquals(2 * PAGE, past.length());
            assertEquals(2 * PAGE, past.size());
        }
        assertThrows(IllegalStateException.class, () -> MemoryMapping.anonymous(PAGE).offset(PAGE));
    }

    @Test
    void negativeSizeIsEinval() {
        assertEquals(Errno.EINVAL, assertThrows(MemoryMappingException.SystemError.class,
                () -> MemoryMapping.anonymous(-1).build()).errno());
    }

    @Test
    void protectionIsEnforcedBeforeTouchingMemory() {
        try (MemoryFile fd = MemoryFile.memfd("minivmm-test", PAGE)) {
            try (MemoryMapping rw = MemoryMapping.fromFd(fd.fd(), PAGE).build()) {
                rw.writeU32(77, 0);
            }
            try (MemoryMapping ro = MemoryMapping.fromFd(fd.fd(), PAGE).protection(Protection.READ).build()) {
                assertEquals(77, ro.readU32(0));
                assertThrows(MemoryMappingException.AccessDenied.class, () -> ro.writeU32(1, 0));
                assertThrows(MemoryMappingException.AccessDenied.class, () -> ro.writeSlice(new byte[1], 0));
                assertThrows(MemoryMappingException.AccessDenied.class, () -> ro.slice(0, 8).writeU64(1, 0));
            }
            try (MemoryMapping none = MemoryMapping.fromFd(fd.fd(), PAGE).protection(Protection.NONE).build()) {
                assertThrows(MemoryMappingException.AccessDenied.class, () -> none.readU8(0));
                assertThrows(MemoryMappingException.AccessDenied.class, () -> none.readSlice(new byte[1], 0));
                assertThrows(MemoryMappingException.AccessDenied.class, () -> none.readObj(ByteCodec.U64, 0));
            }
        }
    }

    // ------------------------------------------------------------ Linux extras

    @Test
    void removeRangeZeroes() {
        try (MemoryMapping m = MemoryMapping.anonymous(4 * PAGE).build()) {
            m.writeU64(0x5555, PAGE);
            m.writeU64(0x6666, 2 * PAGE);
            m.removeRange(PAGE, PAGE);
            assertEquals(0, m.readU64(PAGE));
            assertEquals(0x6666, m.readU64(2 * PAGE));
        }
        try (MemoryFile fd = MemoryFile.memfd("minivmm-test", 2 * PAGE); MemoryMapping m = MemoryMapping.fromFd(fd.fd(), 2 * PAGE).build()) {
            m.writeU64(-1, 8);
            m.removeRange(0, 2 * PAGE);
            assertEquals(0, m.readU64(8));
        }
    }

    @Test
    void dropPageCacheOfAPrivateMappingZeroesAndPrefetchSucceeds() {
        try (MemoryMapping m = MemoryMapping.anonymous(2 * PAGE).shared(false).build()) {
            m.writeU64(1, 0);
            m.asyncPrefetch(0, 2 * PAGE);
            m.dropPageCache(0, PAGE);
            assertEquals(0, m.readU64(0));
        }
    }

    /** Issue 15: flushRegion really clflushes every cache line the range touches (counted by the C side). */
    @Test
    void flushRegionClflushesEveryLineOfTheRangeAndKeepsTheData() {
        int line = MemoryMapping.cacheLineSize();
        try (MemoryMapping m = MemoryMapping.anonymous(4 * PAGE).build()) {
            for (long off = 0; off < 4 * PAGE; off += 8) {
                m.writeU64(off * 31, off);
            }
            assertEquals(4 * PAGE / line, m.flushLines(0, 4 * PAGE));
            assertEquals(1, m.flushLines(line, 1));
            assertEquals(2, m.flushLines(line - 4, 8), "a range across a line boundary touches two lines");
            assertEquals(2, m.flushLines(1, line));
            assertEquals(0, m.flushLines(PAGE, 0));
            for (long off = 0; off < 4 * PAGE; off += 8) {
                assertEquals(off * 31, m.readU64(off), "data survives the flush at " + off);
            }
        }
        try (MemoryMapping none = MemoryMapping.anonymous(PAGE).protection(Protection.NONE).build()) {
            assertThrows(MemoryMappingException.AccessDenied.class, none::flushAll, "clflush would fault");
        }
    }

    @Test
    void hugepagesDontforkAndFlushSucceed() {
        try (MemoryMapping small = MemoryMapping.anonymous(PAGE).build()) {
            small.useHugepages(); // below 2 MiB: no-op
            small.useDontfork();
            small.flushAll();
            small.flushRegion(0, PAGE);
        }
        try (MemoryMapping big = MemoryMapping.anonymous(4L << 20).alignment(2L << 20).build()) {
            big.useHugepages();
        }
        int line = MemoryMapping.cacheLineSize();
        assertTrue(line >= 16 && Integer.bitCount(line) == 1, "cache line " + line);
    }

    @Test
    void lockOnFaultAndUnlockSucceedOrFailPreciselyUnderRlimitMemlock() throws IOException {
        long limit = memlockLimit();
        boolean privileged = hasCapIpcLock();
        // Within the limit (or privileged, or unlimited): must succeed.
        try (MemoryMapping m = MemoryMapping.anonymous(16 * PAGE).build()) {
            m.lockOnFault(0, 16 * PAGE);
            m.unlock(0, 16 * PAGE);
            m.lockAll();
            m.unlock(0, 16 * PAGE);
        }
        // Beyond the limit: must fail with ENOMEM (or EPERM for a zero limit) unless privileged.
        if (limit >= 0 && limit < (1L << 40)) {
            long size = limit + (1L << 20);
            try (MemoryMapping m = MemoryMapping.anonymous(size).build()) {
                Executable lock = () -> m.lockOnFault(0, size);
                if (privileged) {
                    lock.execute();
                    m.unlock(0, size);
                } else {
                    var e = assertThrows(MemoryMappingException.SystemError.class, lock);
                    assertTrue(e.errno() == Errno.ENOMEM || e.errno() == Errno.EPERM, e.getMessage());
                    assertEquals("mlock2(MLOCK_ONFAULT)", e.operation());
                }
            } catch (Throwable t) {
                if (t instanceof RuntimeException re) {
                    throw re;
                }
                throw new AssertionError(t);
            }
        }
    }

    /** Soft RLIMIT_MEMLOCK in bytes from /proc/self/limits, -1 for unlimited. */
    static long memlockLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max locked memory")) {
                String soft = line.substring("Max locked memory".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
            }
        }
        throw new IllegalStateException("no Max locked memory line");
    }

    /** Whether CAP_IPC_LOCK (bit 14) is in the effective set: then RLIMIT_MEMLOCK does not apply. */
    static boolean hasCapIpcLock() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 14)) != 0;
            }
        }
        return false;
    }

    // ------------------------------------------------------------ chunks

    @Test
    void accessesAroundTheOneGibBoundaryOfALargeMappingWork() {
        long boundary = 1L << 30;
        // NORESERVE shmem: only the touched pages are ever allocated.
        try (MemoryMapping m = MemoryMapping.anonymous(boundary + PAGE).build()) {
            for (long off = boundary - 8; off <= boundary; off++) {
                m.writeU64(0x0807_0605_0403_0201L + off, off);
                assertEquals(0x0807_0605_0403_0201L + off, m.readU64(off));
            }
            m.writeU64Volatile(3, boundary - 8);
            assertEquals(3, m.readU64Volatile(boundary - 8));
            byte[] data = new byte[100];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            assertEquals(100, m.writeSlice(data, boundary - 50));
            byte[] back = new byte[100];
            assertEquals(100, m.readSlice(back, boundary - 50));
            assertArrayEquals(data, back);
            ByteBuffer bb = ByteBuffer.allocate(100);
            m.readSlice(bb, boundary - 50);
            assertArrayEquals(data, bb.array());
            E820 e = new E820(1, 2, 3);
            m.writeObj(e, E820_CODEC, boundary - 10);
            assertEquals(e, m.readObj(E820_CODEC, boundary - 10));
            m.removeRange(boundary - PAGE, 2 * PAGE);
            assertEquals(0, m.readU64(boundary - 4));
        }
    }

    // ------------------------------------------------------------ close

    @Test
    void useAfterCloseThrowsAndCloseIsIdempotent() {
        MemoryMapping m = MemoryMapping.anonymous(PAGE).build();
        VolatileSlice s = m.slice(0, 16);
        MemoryView v = m.view(0, 16);
        m.close();
        m.close();
        assertTrue(m.isClosed());
        List<Executable> uses = List.of(
                () -> m.readU64(0), () -> m.writeU64(1, 0), () -> m.readU8(0), () -> m.writeU32(1, 0),
                () -> m.readU64Volatile(0), () -> m.writeU64Volatile(1, 0), () -> m.readU8Volatile(0),
                () -> m.readSlice(new byte[4], 0), () -> m.writeSlice(new byte[4], 0),
                () -> m.readSlice(ByteBuffer.allocate(4), 0), () -> m.readObj(ByteCodec.U32, 0),
                () -> m.writeObj(1L, ByteCodec.U64, 0), () -> m.hostAddress(), () -> m.msync(),
                () -> m.msync(0, PAGE), () -> m.madvise(0, PAGE, Advice.NORMAL), () -> m.removeRange(0, PAGE),
                () -> m.lockOnFault(0, PAGE), () -> m.lockAll(), () -> m.useHugepages(), () -> m.flushAll(),
                () -> m.slice(0, 1), () -> s.readU64(0), () -> s.writeU64(1, 0), () -> s.address(),
                () -> s.copyTo(new byte[4]), () -> s.subSlice(0, 1), () -> m.view(0, 1),
                () -> v.readU64(0), () -> v.writeU64(1, 0), () -> v.readU8(0), () -> v.writeU16((short) 1, 0),
                () -> v.read(0, new byte[4], 0, 4), () -> v.write(0, new byte[4], 0, 4),
                () -> v.subView(0, 8).readU32(0));
        for (Executable use : uses) {
            var e = assertThrows(IllegalStateException.class, use);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
        assertEquals(PAGE, m.size());
    }

    @Test
    void arenaMapsRemovesAndCloses() throws IOException {
        try (MemoryFile fd = MemoryFile.memfd("minivmm-test", 4 * PAGE)) {
            MemoryMappingArena arena = MemoryMappingArena.reserve(8 * PAGE + 1);
            assertEquals(9 * PAGE, arena.size());
            assertEquals(0, arena.hostAddress() % PAGE);
            long base = arena.hostAddress();
            assertEquals("---p", mapsLineAt(base).split(" ")[1], "reservation is PROT_NONE");
            arena.addFdMapping(PAGE, 2 * PAGE, fd.fd(), 0, Protection.READ_WRITE);
            String added = mapsLineAt(base + PAGE);
            assertTrue(added.contains("rw-s") && added.contains("memfd:minivmm-test"), added);
            arena.addFdMapping(2 * PAGE, 2 * PAGE, fd.fd(), 2 * PAGE, Protection.READ); // overlaps: allowed
            String overlapped = mapsLineAt(base + 2 * PAGE);
            assertTrue(overlapped.contains("r--s") && overlapped.contains(Long.toHexString(2 * PAGE)), overlapped);
            arena.removeMapping(PAGE, PAGE);
            String removed = mapsLineAt(base + PAGE);
            assertTrue(removed.contains("r--p") && !removed.contains("memfd"), removed);
            arena.addFdMapping(8 * PAGE, PAGE, fd.fd(), 0, Protection.READ_WRITE); // ends exactly at size
            assertThrows(MemoryMappingException.InvalidAddress.class,
                    () -> arena.addFdMapping(8 * PAGE, 2 * PAGE, fd.fd(), 0, Protection.READ_WRITE));
            assertThrows(MemoryMappingException.InvalidAddress.class,
                    () -> arena.addFdMapping(0, Long.MAX_VALUE, fd.fd(), 0, Protection.READ_WRITE));
            assertThrows(MemoryMappingException.InvalidAddress.class, () -> arena.removeMapping(0, 0));
            assertThrows(MemoryMappingException.InvalidOffset.class,
                    () -> arena.addFdMapping(0, PAGE, fd.fd(), -PAGE, Protection.READ_WRITE));
            assertEquals(Errno.EBADF, assertThrows(MemoryMappingException.SystemError.class,
                    () -> arena.addFdMapping(0, PAGE, -1, 0, Protection.READ_WRITE)).errno());
            arena.close();
            arena.close();
            assertThrows(IllegalStateException.class, arena::hostAddress);
            assertThrows(IllegalStateException.class, () -> arena.removeMapping(0, PAGE));
        }
        assertEquals(Errno.EINVAL, assertThrows(MemoryMappingException.SystemError.class,
                () -> MemoryMappingArena.reserve(0)).errno());
    }

    // ------------------------------------------------------------ leaks

    @Test
    void creatingAndClosing1000MappingsLeavesProcMapsAsItWas() throws IOException {
        try (MemoryFile fd = MemoryFile.memfd("minivmm-test", 2 * PAGE)) {
            churn(fd, 30); // warm up: classes loaded, JIT threads started
            Maps before = Maps.read();
            churn(fd, 1000);
            Maps after = Maps.read();
            // The JVM itself may split or merge a region meanwhile (code cache commits, GC), which
            // changes the line count without any leak: then measure again, a few times.
            for (int i = 0; i < 5 && after.lines != before.lines; i++) {
                before = Maps.read();
                churn(fd, 1000);
                after = Maps.read();
            }
            assertEquals(before.lines, after.lines, "/proc/self/maps line count");
            // Line counts alone can hide a leak (adjacent leaked PROT_NONE slack merges into one
            // line), so also check the lines that are ours by name and the total mapped size: a
            // leaked mapping or slack per iteration would add megabytes.
            assertEquals(before.ours, after.ours, "memfd and shared-anonymous lines");
            assertTrue(after.bytes - before.bytes < (32L << 20),
                    "mapped bytes grew by " + (after.bytes - before.bytes));
        }
    }

    /** The /proc/self/maps line of the mapping that starts at {@code addr}. */
    static String mapsLineAt(long addr) throws IOException {
        String prefix = String.format("%08x-", addr);
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no mapping starts at 0x" + Long.toHexString(addr)));
    }

    /** A summary of /proc/self/maps. */
    record Maps(long lines, long ours, long bytes) {
        static Maps read() throws IOException {
            long lines = 0, ours = 0, bytes = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                lines++;
                if (line.contains("minivmm-test") || line.contains("/dev/zero")) {
                    ours++;
                }
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                bytes += Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
            }
            return new Maps(lines, ours, bytes);
        }
    }

    private static void churn(MemoryFile fd, int n) {
        for (int i = 0; i < n; i++) {
            MemoryMapping m = switch (i % 3) {
                case 0 -> MemoryMapping.anonymous(PAGE).build();
                case 1 -> MemoryMapping.anonymous(3 * PAGE).alignment(2L << 20).build();
                default -> MemoryMapping.fromFd(fd.fd(), PAGE).offset(PAGE).build();
            };
            m.writeU64(i, 0);
            m.close();
            if (i % 50 == 0) {
                MemoryMappingArena a = MemoryMappingArena.reserve(4 * PAGE);
                a.addFdMapping(PAGE, PAGE, fd.fd(), 0, Protection.READ_WRITE);
                a.close();
            }
        }
    }
}
