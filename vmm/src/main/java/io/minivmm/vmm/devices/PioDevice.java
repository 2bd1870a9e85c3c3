package io.minivmm.vmm.devices;

/**
 * A device on the x86 I/O port space.
 *
 * <p>{@code offset} is relative to the base port the device was registered at; {@code size} is
 * the access width in bytes (1, 2 or 4). Values are the low {@code size * 8} bits; the bus masks
 * whatever a read returns to the access width.
 */
public interface PioDevice {
    /** Returns the value read by an {@code IN} of {@code size} bytes at {@code offset}. */
    int read(int offset, int size);

    /** Handles an {@code OUT} of {@code size} bytes at {@code offset}. */
    void write(int offset, int size, int value);
}
