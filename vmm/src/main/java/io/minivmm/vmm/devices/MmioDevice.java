package io.minivmm.vmm.devices;

/**
 * A device in guest-physical memory space, reached through MMIO exits.
 *
 * <p>{@code offset} is relative to the base address the device was registered at; {@code size}
 * is the access width in bytes (1, 2, 4 or 8).
 */
public interface MmioDevice {
    /** Returns the value of a {@code size}-byte read at {@code offset}. */
    long read(long offset, int size);

    /** Handles a {@code size}-byte write at {@code offset}. */
    void write(long offset, int size, long value);
}
