package io.minivmm.vmm.devices.virtio;

/**
 * The driver broke the virtqueue protocol (a bad index, a loop, an address outside RAM...): the
 * device stops using the queue and sets DEVICE_NEEDS_RESET. Checked, so that every caller on the
 * device thread decides what to do with it.
 */
public final class VirtioException extends Exception {
    public VirtioException(String message) { super(message, null, false, false); }
}
