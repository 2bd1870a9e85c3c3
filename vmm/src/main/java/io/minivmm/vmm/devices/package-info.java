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
 * <p>Wiring, as the run loop might do it ({@code irqLine(n)} wraps {@code KVM_IRQ_LINE}):
 * <pre>{@code
 * PioBus pio = new PioBus();
 * pio.setUnclaimedListener((write, port, size, value, count) -> {
 *     if (count == 1) log.debug("unclaimed {} port {}", write ? "OUT" : "IN", port);
 * });
 * Serial16550 com1 = new Serial16550(irqLine(Serial16550.COM1_IRQ), stdoutStream);
 * pio.register(Serial16550.COM1_BASE, Serial16550.PORT_COUNT, com1, "com1");
 * DebugExit.register(pio, DebugExit.PORT, DebugExit.Mode.parse(opt), machine);
 * new I8042(machine, irqLine(I8042.KBD_IRQ), irqLine(I8042.AUX_IRQ)).register(pio);
 * pio.register(ResetControl.PORT, 1, new ResetControl(machine), "reset-control");
 * pio.register(CmosRtc.INDEX_PORT, CmosRtc.PORT_COUNT, new CmosRtc(Clock.systemUTC(), ramBytes), "cmos");
 * // vCPU thread, on KVM_EXIT_IO: for IN  data = pio.read(port, size)
 * //                              for OUT pio.write(port, size, data)
 * // console thread: n = com1.receive(buf, off, len); if (n < len) com1.awaitSpace(100, MILLISECONDS)
 * }</pre>
 *
 * <p>Threading: devices are called from vCPU threads (one at a time per access, but several
 * vCPUs may access concurrently) and, for the UART, from the console thread. Each device guards
 * its state with its own lock and calls its effects while holding it, so effects must not call
 * back into the same device.
 */
package io.minivmm.vmm.devices;
