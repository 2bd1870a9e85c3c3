package io.minivmm.kvm.memory;

import io.minivmm.kvm.sys.LibcMemory;

/**
 * Page protection of a mapping (the {@code PROT_*} bits of mmap).
 *
 * <pre>{@code
 * MemoryMapping rom = MemoryMapping.fromFd(fd, 4096).protection(Protection.READ).build();
 * }</pre>
 */
public enum Protection {
    NONE(LibcMemory.PROT_NONE),
    READ(LibcMemory.PROT_READ),
    READ_WRITE(LibcMemory.PROT_READ | LibcMemory.PROT_WRITE),
    READ_EXEC(LibcMemory.PROT_READ | LibcMemory.PROT_EXEC),
    READ_WRITE_EXEC(LibcMemory.PROT_READ | LibcMemory.PROT_WRITE | LibcMemory.PROT_EXEC);

    private final int bits;

    Protection(int bits) {
        this.bits = bits;
    }

    /** The {@code PROT_*} bits. */
    public int bits() {
        return bits;
    }

    public boolean readable() {
        return (bits & LibcMemory.PROT_READ) != 0;
    }

    public boolean writable() {
        return (bits & LibcMemory.PROT_WRITE) != 0;
    }
}
