package io.minivmm.vmm.memory;

/**
 * A guest-physical access outside guest RAM. Expected input when the address came from the
 * guest or an image (a checked condition the caller turns into a clear error), not a VMM bug.
 */
public class GuestMemoryException extends RuntimeException {
    private final long address;
    private final long length;

    public GuestMemoryException(long address, long length) {
        super(String.format("guest address 0x%x+%d is outside guest RAM", address, length));
        this.address = address;
        this.length = length;
    }

    public long address() { return address; }

    public long length() { return length; }
}
