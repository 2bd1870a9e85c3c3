package io.minivmm.vmm.paging;

import io.minivmm.kvm.memory.MemoryView;
import io.minivmm.vmm.memory.GuestMemoryException;
import io.minivmm.vmm.memory.PhysMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * {@link PhysMemory} over one Java byte array placed at guest-physical {@code base}: for tests,
 * benchmarks and tools that need page tables without a real guest.
 */
public final class ArrayPhysMemory implements PhysMemory {
    private static final VarHandle U64 =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long base;
    private final byte[] bytes;

    /** {@code size} bytes of zeroed memory at guest-physical {@code base}. */
    public ArrayPhysMemory(long base, int size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        if (base < 0 || base > Long.MAX_VALUE - size) {
            throw new IllegalArgumentException(String.format("base 0x%x+%d overflows", base, size));
        }
        this.base = base;
        this.bytes = new byte[size];
    }

    public long base() {
        return base;
    }

    public long size() {
        return bytes.length;
    }

    /** The offset of [gpa, gpa+len) in the array; the house overflow-safe check. */
    private int offset(long gpa, long len) {
        long off = gpa - base; // if this wraps, off is huge and fails the last test
        if (off < 0 || len < 0 || off > bytes.length - len) {
            throw new GuestMemoryException(gpa, len);
        }
        return (int) off;
    }

    @Override
    public long readU64(long gpa) {
        return (long) U64.get(bytes, offset(gpa, 8));
    }

    @Override
    public void writeU64(long gpa, long value) {
        U64.set(bytes, offset(gpa, 8), value);
    }

    @Override
    public void read(long gpa, byte[] dst, int off, int len) {
        System.arraycopy(bytes, offset(gpa, len), dst, off, len);
    }

    @Override
    public void write(long gpa, byte[] src, int off, int len) {
        System.arraycopy(src, off, bytes, offset(gpa, len), len);
    }

    @Override
    public void fill(long gpa, long len, byte value) {
        int off = offset(gpa, len);
        Arrays.fill(bytes, off, off + (int) len, value);
    }

    @Override
    public MemoryView view(long gpa, int len) {
        return MemoryView.of(bytes, offset(gpa, len), len);
    }
}
