package io.minivmm.vmm.devices.virtio;

/** Which guest-physical ranges are RAM: every descriptor is checked against it before any access. */
@FunctionalInterface
public interface GuestRam {
    /** True when all of {@code [base, base+size)} is RAM (overflow-safe; size may be 0). */
    boolean isRam(long base, long size);
}
