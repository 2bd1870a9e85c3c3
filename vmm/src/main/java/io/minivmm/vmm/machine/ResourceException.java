package io.minivmm.vmm.machine;

/**
 * A part of the machine could not get the address range or interrupt line it asked for: the
 * configuration does not fit (too many CPUs for the tables' room, too many devices for the MMIO
 * window or the interrupt lines) or two parts collide. The message names the parts involved.
 */
public final class ResourceException extends RuntimeException {
    public ResourceException(String message) { super(message); }
}
