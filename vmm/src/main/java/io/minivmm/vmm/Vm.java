package io.minivmm.vmm;

import io.minivmm.vmm.arch.x86.GuestAddressSpace;
import io.minivmm.vmm.loader.BootPlan;
import io.minivmm.vmm.machine.Machine;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.ResourceException;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.pc.SerialPart;
import io.minivmm.vmm.pc.VirtioMmioPart;
import io.minivmm.vmm.devices.ConsoleInput;
import io.minivmm.vmm.devices.virtio.VirtioConsole;
import io.minivmm.vmm.storage.DiskException;
import io.minivmm.vmm.storage.Disks;
import io.minivmm.vmm.snapshot.MachineConfig;
import io.minivmm.vmm.snapshot.MachineSnapshots;
import io.minivmm.vmm.snapshot.Snapshot;
import java.io.IOException;
import java.util.List;

/**
 * A virtual machine: guest RAM, devices and vCPUs on KVM. {@link #run()} builds the machine from
 * its parts ({@link PcBoard}), boots the guest, waits for the end and releases every fd, thread
 * and mapping before it returns, however the run ended.
 * <pre>{@code
 * RunResult r = Vm.builder().memory(64 << 20).timeout(Duration.ofSeconds(5)).build().run();
 * System.out.println(r.outcome() + " " + r.exitStatus() + ": " + r.serialText());
 * }</pre>
 *
 * <p>Life cycle: a {@code Vm} runs once. {@link #run()} a second time, or after {@link #close()},
 * throws {@link IllegalStateException}; build a new {@code Vm} from the same builder instead.
 * {@link #stop()} from any thread ends the run; a stop that comes before {@link #run()} starts
 * the vCPUs cancels it (run() then returns {@link Outcome#STOPPED} without running the guest), so
 * a stop never loses a race with the start.
 */
public final class Vm implements AutoCloseable {
    /** The Linux command line when none is given (CLI contract). */
    public static final String DEFAULT_LINUX_CMDLINE = "console=ttyS0 reboot=k panic=-1";
    /** The Linux command line when none is given and the console is virtio-console. */
    public static final String DEFAULT_LINUX_HVC_CMDLINE = "console=hvc0 reboot=k panic=-1";

    private final VmBuilder cfg;
    private volatile RunSession session;
    private volatile boolean stopRequested;
    private boolean started;
    private volatile boolean closed;

    Vm(VmBuilder cfg) { this.cfg = cfg; }

    public static VmBuilder builder() { return new VmBuilder(); }

    /** Ends a running {@link #run()} with {@link Outcome#STOPPED}. Any thread; never blocks. */
    public void stop() {
        stopRequested = true;
        RunSession s = session;
        if (s != null) s.stop();
    }

    /**
     * Boots the guest and runs it to its end.
     *
     * @throws io.minivmm.kvm.KvmUnavailableException when KVM cannot be used
     * @throws ImageException when the image is malformed or does not fit
     * @throws IOException when an input file cannot be read
     * @throws IllegalStateException when this Vm already ran or was closed
     */
    public RunResult run() throws IOException {
        synchronized (this) {
            if (closed) throw new IllegalStateException("this Vm is closed; build a new one");
            if (started) throw new IllegalStateException("this Vm has already run; a Vm runs once, build a new one");
            started = true;
        }
        RunSession session = new RunSession(cfg, System.nanoTime());
        this.session = session;
        if (stopRequested) session.stop(); // a stop() that came before run() wins
        if (cfg.restoreFile != null || cfg.restoreSnapshot != null) return runRestored(session);
        try (Disks disks = openDisks()) {
            Boot.Image image = Boot.readImage(cfg, disks);
            return run(session, image, disks);
        }
    }

    private Disks openDisks() throws IOException {
        try {
            return Disks.open(cfg.disks);
        } catch (DiskException e) {
            throw new ImageException(e.getMessage()); // a disk image that cannot be used is malformed input (65)
        }
    }

    private RunResult run(RunSession session, Boot.Image image, Disks disks) throws IOException {
        try (Machine m = bootMachine(cfg, session, disks, image)) {
            try (SnapshotTrigger t = SnapshotTrigger.install(cfg, session, m, null)) {
                return session.run(m, consoleInput(m), new java.util.function.Supplier<byte[]>() { // no lambda to link (docs/STARTUP.md)
                    @Override
                    public byte[] get() {
                        return image.bytes();
                    }
                });
            }
        }
    }

    /**
     * Builds the machine for {@code cfg} from its parts, loads {@code image} and sets up the boot
     * vCPU: ready to run. On any failure everything made so far is closed (not {@code disks}).
     */
    static Machine bootMachine(VmBuilder cfg, RunSession session, Disks disks, Boot.Image image) throws IOException {
        GuestAddressSpace[] space = new GuestAddressSpace[1];
        // The parts first: they are plain objects (no fd, thread or mapping until they attach), so
        // the CLI builds them while JNA still loads on the other thread (NativeWarmUp); guest
        // memory is the first thing that needs native code.
        // (an anonymous class, not a lambda: one call site less to link at start, docs/STARTUP.md)
        List<Part> parts = PcBoard.parts(cfg, disks, session, new io.minivmm.vmm.devices.PageFaultPort.Resolver() {
            @Override
            public boolean resolve(long va, int access) {
                GuestAddressSpace gs = space[0];
                boolean ok = gs != null && gs.handlePageFault(va, access);
                Log.debug("guest #PF at 0x{} access {}: {}", Long.toHexString(va), access, ok ? "resolved" : "not resolvable");
                return ok;
            }
        }, image);
        GuestMemory memory = GuestMemory.create(cfg.memory, cfg.ramBacking());
        Machine m;
        try {
            m = Machine.create(new Machine.Config(cfg.cpus, cfg.cpuModel), memory, parts, session.control);
        } catch (ResourceException e) {
            throw new ImageException("the machine does not fit together: " + e.getMessage());
        }
        try {
            BootPlan plan = Boot.load(cfg, image, m);
            space[0] = Boot.bootCpu(cfg, m, plan, image.name());
            Boot.enterThroughBios(m, plan);
            return m;
        } catch (IOException | RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    /** Where standard input goes: the virtio-console port if the machine has one, else COM1. */
    static ConsoleInput consoleInput(Machine m) {
        VirtioMmioPart hvc = virtioConsole(m);
        return hvc != null ? (VirtioConsole) hvc.device() : m.part(SerialPart.class).uart();
    }

    /** The virtio-console part, or null. */
    private static VirtioMmioPart virtioConsole(Machine m) {
        for (var p : m.parts()) {
            if (p instanceof VirtioMmioPart v && v.device() instanceof VirtioConsole c) {
                c.setWake(v::wake);
                return v;
            }
        }
        return null;
    }

    /** --restore: the machine from the snapshot, run from where it was saved. */
    private RunResult runRestored(RunSession session) throws IOException {
        Snapshot snap = cfg.restoreSnapshot != null ? cfg.restoreSnapshot : Snapshot.open(cfg.restoreFile);
        VmBuilder c = cfg.copy();
        c.adopt(snap.config());
        try (Disks disks = openDisks(); Machine m = restoreMachine(c, snap, session, disks)) {
            try (SnapshotTrigger t = SnapshotTrigger.install(c, session, m, snap)) {
                return session.run(m, consoleInput(m), () -> new byte[0]);
            }
        }
    }

    /**
     * A machine built for {@code c} (which adopted the snapshot's configuration) with RAM mapped
     * copy-on-write from the snapshot and every vCPU, the VM and every part restored. Nothing runs yet.
     */
    static Machine restoreMachine(VmBuilder c, Snapshot snap, RunSession session, Disks disks) {
        GuestMemory memory = MachineSnapshots.mappedMemory(snap);
        Machine m;
        try {
            m = Machine.create(new Machine.Config(c.cpus, c.cpuModel), memory, PcBoard.parts(c, disks, session, (va, access) -> false, null),
                    session.control);
        } catch (ResourceException e) {
            throw new ImageException("the machine does not fit together: " + e.getMessage());
        }
        try {
            // The parts' finish() wrote their tables into RAM again: drop those private copies.
            MachineSnapshots.resetMemory(m.memory(), snap, true);
            MachineSnapshots.apply(m, machineConfig(c, m), snap, false);
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The configuration record a snapshot of machine {@code m}, built from {@code c}, carries. */
    static MachineConfig machineConfig(VmBuilder c, Machine m) {
        return MachineSnapshots.configOf(m, c.memory, c.cpuModel, c.debugExit.name());
    }

    /**
     * A running session continuing from {@code snapshot}, with the snapshot's machine options
     * and default session options (serial output captured only).
     */
    public static VmSession restore(Snapshot snapshot) throws IOException {
        return VmSession.restore(new VmBuilder(), snapshot);
    }

    /** The session of the run in progress (null before {@link #run()}): pausing, gdb, snapshots. */
    RunSession session() { return session; }

    /** Stops a run in progress (same as {@link #stop()}); a Vm that has not run can no longer run. */
    @Override
    public void close() {
        closed = true;
        stop();
    }
}
