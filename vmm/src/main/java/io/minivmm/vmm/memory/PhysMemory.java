package io.minivmm.vmm.memory;

/**
 * Guest-physical memory as the paging code sees it. Addresses are guest-physical. Out-of-range
 * access throws {@link GuestMemoryException}.
 */
public interface PhysMemory {
    long readU64(long gpa);

    void writeU64(long gpa, long value);

    void read(long gpa, byte[] dst, int off, int len);

    void write(long gpa, byte[] src, int off, int len);

    void fill(long gpa, long len, byte value);

    /** A host view of [gpa, gpa+len) (must lie in one contiguous region) — for translated buffers. */
    java.nio.ByteBuffer view(long gpa, int len);
}
