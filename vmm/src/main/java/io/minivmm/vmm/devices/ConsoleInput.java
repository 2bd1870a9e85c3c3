package io.minivmm.vmm.devices;

import java.util.concurrent.TimeUnit;

/** Where the host's console input goes: the UART's receiver or a virtio-console port. */
public interface ConsoleInput {
    /** Accepts up to {@code len} bytes; returns how many were taken (0 when full). */
    int receive(byte[] buf, int off, int len);

    /** Waits until there is room for input, at most {@code timeout}; returns whether there is. */
    boolean awaitSpace(long timeout, TimeUnit unit) throws InterruptedException;
}
