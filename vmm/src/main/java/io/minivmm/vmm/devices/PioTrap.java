package io.minivmm.vmm.devices;

/**
 * A port device that needs the registers of the vCPU writing to it: a firmware call gate (the
 * BIOS's interrupt stubs do {@code out} to such a port, and the service reads and sets the
 * caller's registers). Registered on the {@link PioBus} like any device; the vCPU run loop calls
 * {@link #trap} instead of {@link #write} for a single {@code out} to it. Accesses that do not
 * come from a vCPU (or {@code in}) use the plain {@link PioDevice} methods.
 */
public interface PioTrap extends PioDevice {
    /** An {@code out} of {@code value} to {@code offset}, with the writing vCPU's registers. */
    void trap(int offset, int size, int value, CpuRegisters cpu);
}
