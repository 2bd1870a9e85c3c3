package io.minivmm.vmm.vcpu;

import static io.minivmm.kvm.sys.Uapi.*;

import io.minivmm.kvm.VcpuExit;
import io.minivmm.kvm.VcpuFd;
import io.minivmm.vmm.devices.MmioBus;
import io.minivmm.vmm.devices.PioBus;
import io.minivmm.vmm.devices.PioTrap;

/**
 * The run loop of one vCPU: KVM_RUN, dispatch port I/O to the {@link PioBus} and MMIO to the
 * {@link MmioBus}, record the exit, repeat until the machine stops. The I/O path allocates
 * nothing (the exit is read through {@link VcpuFd}'s accessors, not decoded into a record).
 */
public final class VcpuRunner implements Runnable {
    private final VcpuFd vcpu;
    private final PioBus pio;
    private final MmioBus mmio;
    private final VcpuHost host;
    private final ExitLog log = new ExitLog();
    private final EmulationFailureHandler emulation;
    private final PauseGate gate;
    private final java.util.function.BooleanSupplier stopping;
    private volatile DebugHandler debug;

    /** Completes some instructions the host's emulator refuses (e.g. int3 at CPL0). May be null. */
    public interface EmulationFailureHandler {
        /** Returns true when it handled the failure and the vCPU may resume. */
        boolean handle(VcpuFd vcpu, VcpuExit.InternalError error);
    }

    /**
     * A debugger attached to the run (the gdb stub). Called on the vCPU thread; the vCPU resumes
     * after the call, or parks at the gate's checkpoint if the handler paused it.
     */
    public interface DebugHandler {
        /** KVM_EXIT_DEBUG: a breakpoint, single-step or data breakpoint armed with KVM_SET_GUEST_DEBUG. */
        void debugExit(VcpuFd vcpu, VcpuExit.Debug exit);

        /**
         * An emulation failure, seen before the {@link EmulationFailureHandler}: true when it was
         * the debugger's own software breakpoint (an {@code int3} it wrote), which this host's
         * emulator refuses instead of raising a debug exit.
         */
        boolean emulationFailure(VcpuFd vcpu, VcpuExit.InternalError error);
    }

    /** Attaches (or with null detaches) a debugger; KVM_EXIT_DEBUG without one is fatal. */
    public void setDebugHandler(DebugHandler handler) { this.debug = handler; }

    public VcpuRunner(VcpuFd vcpu, PioBus pio, MmioBus mmio, VcpuHost host, EmulationFailureHandler emulation) {
        this(vcpu, pio, mmio, host, emulation, new PauseGate(vcpu.id() + 1));
    }

    /** A runner whose vCPU parks at {@code gate}'s checkpoint before every KVM_RUN while the gate is paused. */
    public VcpuRunner(VcpuFd vcpu, PioBus pio, MmioBus mmio, VcpuHost host, EmulationFailureHandler emulation, PauseGate gate) {
        this.gate = gate;
        // made once: the per-exit path allocates nothing (a class, not host::stopping: docs/STARTUP.md)
        java.util.Objects.requireNonNull(host, "host");
        this.stopping = new java.util.function.BooleanSupplier() {
            @Override
            public boolean getAsBoolean() {
                return host.stopping();
            }
        };
        this.vcpu = vcpu;
        this.pio = pio;
        this.mmio = mmio;
        this.host = host;
        this.emulation = emulation;
    }

    public ExitLog log() { return log; }

    public VcpuFd vcpu() { return vcpu; }

    @Override
    public void run() {
        vcpu.bindToCurrentThread();
        try {
            loop();
        } finally {
            gate.ended(vcpu.id());
            vcpu.unbindThread();
        }
    }

    private void loop() {
        while (!host.stopping()) {
            gate.checkpoint(vcpu.id(), stopping);
            if (host.stopping()) return;
            int reason = vcpu.runRaw();
            switch (reason) {
                case KVM_EXIT_IO -> handleIo();
                case KVM_EXIT_MMIO -> handleMmio();
                case KVM_EXIT_INTR -> {
                    log.byReason[KVM_EXIT_INTR]++;
                    vcpu.clearImmediateExit();
                }
                case KVM_EXIT_SYSTEM_EVENT -> {
                    VcpuExit.SystemEvent ev = (VcpuExit.SystemEvent) vcpu.decodeExit(reason);
                    log.record(reason, ev.type(), false, vcpu.exitRip());
                    host.systemEvent(vcpu, ev.type());
                    return;
                }
                case KVM_EXIT_DEBUG -> {
                    VcpuExit exit = vcpu.decodeExit(reason);
                    log.record(reason, 0, false, vcpu.exitRip());
                    DebugHandler d = debug;
                    if (d == null || !(exit instanceof VcpuExit.Debug dbg)) {
                        host.fatal(vcpu, exit, log);
                        return;
                    }
                    d.debugExit(vcpu, dbg);
                }
                case KVM_EXIT_INTERNAL_ERROR -> {
                    VcpuExit.InternalError err = (VcpuExit.InternalError) vcpu.decodeExit(reason);
                    log.record(reason, err.suberror(), false, vcpu.exitRip());
                    DebugHandler d = debug;
                    if (d != null && err.isEmulationFailure() && d.emulationFailure(vcpu, err)) continue;
                    if (emulation != null && err.isEmulationFailure() && emulation.handle(vcpu, err)) continue;
                    host.fatal(vcpu, err, log);
                    return;
                }
                default -> {
                    VcpuExit exit = vcpu.decodeExit(reason);
                    log.record(reason, 0, false, vcpu.exitRip());
                    host.fatal(vcpu, exit, log);
                    return;
                }
            }
        }
    }

    private void handleIo() {
        int port = vcpu.ioPort();
        int size = vcpu.ioSize();
        int count = vcpu.ioCount();
        boolean out = vcpu.ioDirection() == KVM_EXIT_IO_OUT;
        log.record(KVM_EXIT_IO, port, out, vcpu.exitRip());
        log.countPort(port);
        if (out && count == 1) {
            PioTrap trap = pio.trapAt(port);
            if (trap != null) {
                // A firmware call gate: the service reads and sets this vCPU's registers.
                VcpuRegisters regs = new VcpuRegisters(vcpu);
                trap.trap(pio.offsetOf(port), size, vcpu.ioData(0) & (size == 4 ? -1 : (1 << (8 * size)) - 1), regs);
                regs.commit();
                return;
            }
        }
        for (int i = 0; i < count; i++) {
            if (out) pio.write(port, size, vcpu.ioData(i));
            else vcpu.setIoData(i, pio.read(port, size));
        }
    }

    private void handleMmio() {
        long addr = vcpu.mmioAddress();
        // KVM delivers 1..8 bytes (odd lengths included); clamp so a bogus length cannot throw.
        int len = Math.max(1, Math.min(8, vcpu.mmioLength()));
        boolean write = vcpu.mmioIsWrite();
        log.record(KVM_EXIT_MMIO, addr, write, vcpu.exitRip());
        if (write) mmio.write(addr, len, vcpu.mmioData());
        else vcpu.setMmioData(mmio.read(addr, len));
    }
}
