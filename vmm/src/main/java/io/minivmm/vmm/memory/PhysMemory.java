package io.minivmm.vmm.memory;

import io.minivmm.kvm.memory.MemoryView;

/**
 * Guest-physical memory as the paging code sees it. Addresses are guest-physical. Out-of-range
 * access throws {@link GuestMemoryException} (unchecked), with the address and length in the
 * message, e.g. {@code "guest address 0x123000+8 is outside guest RAM"}.
 *
 * <p>Multi-byte values are little-endian (x86 byte order).
 */
public interface PhysMemory {
    long readU64(long gpa);

    void writeU64(long gpa, long value);

    void read(long gpa, byte[] dst, int off, int len);

    void write(long gpa, byte[] src, int off, int len);

    void fill(long gpa, long len, byte value);

    /**
     * A checked view of [gpa, gpa+len) (must lie in one contiguous region), for translated
     * buffers. Never a raw buffer: once the memory is closed the view throws instead of crashing.
     */
    MemoryView view(long gpa, int len);
}
