package io.minivmm.vmm.devices.virtio;

/**
 * What a virtio device type adds to the transport: its ID, feature bits, queues, config space,
 * and how it serves a queue. Called on the device's worker thread (process, activate, reset) or
 * a vCPU thread (config reads), never concurrently for the same queue.
 */
public interface VirtioDevice {
    /** Virtio device ID (2 block, 3 console, 4 entropy). */
    int deviceId();

    /** Device-type feature bits (the transport adds VERSION_1, INDIRECT_DESC, RING_EVENT_IDX). */
    long features();

    int queueCount();

    /** The largest queue size the device accepts (a power of 2). */
    default int queueMaxSize() { return 256; }

    /** The device-specific configuration space (little-endian), read at offset 0x100. */
    byte[] config();

    /** A driver write to the configuration space; ignored by default. */
    default void writeConfig(int offset, int size, long value) { }

    /** The driver set DRIVER_OK with these negotiated features. */
    default void activate(long features) { }

    /** Serves what the driver made available on queue {@code index}. */
    void process(int index, Virtqueue queue) throws VirtioException;

    /** The driver reset the device: forget requests, back to power-on. */
    default void reset() { }

    /** Releases host resources. */
    default void close() { }
}
