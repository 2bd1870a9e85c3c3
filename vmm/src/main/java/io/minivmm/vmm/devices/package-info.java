/**
 * Emulated devices as pure state machines.
 *
 * <p>Every device is keyed by register offset (relative to where it is registered on a
 * {@link io.minivmm.vmm.devices.PioBus} or {@link io.minivmm.vmm.devices.MmioBus}) and receives
 * its effects injected: an {@link io.minivmm.vmm.devices.IrqLine} for its interrupt output, a
 * {@link io.minivmm.vmm.devices.MachineControl} for exit/reset, an {@code OutputStream} for
 * console output, a {@code java.time.Clock} for time. Nothing here touches KVM, so every device
 * is tested without {@code /dev/kvm}.
 *
 * <p>Threading: devices are called from vCPU threads (one at a time per access, but several
 * vCPUs may access concurrently) and, for the UART, from the console thread. Each device guards
 * its state with its own lock and calls its effects while holding it, so effects must not call
 * back into the same device.
 */
package io.minivmm.vmm.devices;
