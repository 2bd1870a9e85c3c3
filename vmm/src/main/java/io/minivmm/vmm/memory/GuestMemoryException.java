package io.minivmm.vmm.memory;

/**
<<<<<<< HEAD
 * A guest-physical access outside guest RAM. Expected input when the address came from the
 * guest or an image (a checked condition the caller turns into a clear error), not a VMM bug.
 */
public class GuestMemoryException extends RuntimeException {
=======
 * A guest-physical access fell outside guest RAM. Unchecked: code that accepts addresses from
 * the guest checks them first and reports its own typed error; reaching this is a host bug.
 */
public final class GuestMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

>>>>>>> paging
    private final long address;
    private final long length;

    public GuestMemoryException(long address, long length) {
        super(String.format("guest address 0x%x+%d is outside guest RAM", address, length));
        this.address = address;
        this.length = length;
    }

<<<<<<< HEAD
    public long address() { return address; }

    public long length() { return length; }
=======
    public long address() {
        return address;
    }

    public long length() {
        return length;
    }
>>>>>>> paging
}
