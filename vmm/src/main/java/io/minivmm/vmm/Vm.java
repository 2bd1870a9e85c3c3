package io.minivmm.vmm;

import io.minivmm.vmm.arch.x86.GuestAddressSpace;
import io.minivmm.vmm.loader.BootPlan;
import io.minivmm.vmm.machine.Machine;
import io.minivmm.vmm.machine.ResourceException;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.pc.SerialPart;
import io.minivmm.vmm.pc.VirtioMmioPart;
import io.minivmm.vmm.devices.ConsoleInput;
import io.minivmm.vmm.devices.virtio.VirtioConsole;
import io.minivmm.vmm.storage.DiskException;
import io.minivmm.vmm.storage.Disks;
import java.io.IOException;

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
        GuestAddressSpace[] space = new GuestAddressSpace[1];
        GuestMemory memory = GuestMemory.create(cfg.memory, cfg.ramBacking());
        Machine m;
        try {
            m = Machine.create(new Machine.Config(cfg.cpus, cfg.cpuModel), memory,
                    PcBoard.parts(cfg, disks, session, (va, access) -> {
                        GuestAddressSpace gs = space[0];
                        boolean ok = gs != null && gs.handlePageFault(va, access);
                        Log.debug("guest #PF at 0x{} access {}: {}", Long.toHexString(va), access, ok ? "resolved" : "not resolvable");
                        return ok;
                    }, image), session.control);
        } catch (ResourceException e) {
            throw new ImageException("the machine does not fit together: " + e.getMessage());
        }
        try (m) {
            BootPlan plan = Boot.load(cfg, image, m);
            space[0] = Boot.bootCpu(cfg, m, plan, image.name());
            Boot.enterThroughBios(m, plan);
            VirtioMmioPart hvc = virtioConsole(m);
            ConsoleInput input = hvc != null ? (VirtioConsole) hvc.device() : m.part(SerialPart.class).uart();
            return session.run(m, input, image::bytes);
        }
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

    /** The session of the run in progress (null before {@link #run()}): pausing, gdb, snapshots. */
    RunSession session() { return session; }

    /** Stops a run in progress (same as {@link #stop()}); a Vm that has not run can no longer run. */
    @Override
    public void close() {
        closed = true;
        stop();
    }
}
