package io.minivmm.vmm;

import io.minivmm.vmm.devices.StreamMatcher;
import io.minivmm.vmm.machine.Machine;
import io.minivmm.vmm.snapshot.MachineSnapshots;
import io.minivmm.vmm.snapshot.Snapshot;
import java.time.Duration;

/**
 * --snapshot-on: watches the serial output and, at the first match, parks every vCPU, writes the
 * snapshot and lets the guest continue (or ends the run with --snapshot-and-exit). The match is
 * seen on the vCPU thread that wrote the byte, which cannot wait for itself to park, so the
 * snapshot is taken on a thread of its own; {@link #close} waits for it, before the machine closes.
 */
final class SnapshotTrigger implements AutoCloseable {
    private static final Duration PARK_TIMEOUT = Duration.ofSeconds(10);
    private final VmBuilder cfg;
    private final RunSession session;
    private final Machine machine;
    private final Snapshot memBase;
    private volatile Thread worker;

    private SnapshotTrigger(VmBuilder cfg, RunSession session, Machine machine, Snapshot memBase) {
        this.cfg = cfg;
        this.session = session;
        this.machine = machine;
        this.memBase = memBase;
    }

    /** Installs the trigger when the configuration asks for one; otherwise returns an inert one. */
    static SnapshotTrigger install(VmBuilder cfg, RunSession session, Machine machine, Snapshot memBase) {
        SnapshotTrigger t = new SnapshotTrigger(cfg, session, machine, memBase);
        if (cfg.snapshotOn == null) return t;
        if (!cfg.areas.isEmpty() || !cfg.disks.isEmpty()) {
            throw new io.minivmm.vmm.snapshot.SnapshotException("--snapshot-on: machines with disks or extra guest mappings cannot be snapshotted yet");
        }
        StreamMatcher matcher = new StreamMatcher(cfg.snapshotOn);
        session.sink().setTap(new SerialSink.ByteListener() {
            @Override public void onByte(int b) {
                if (t.worker == null && matcher.feed(b)) fire();
            }

            @Override public void onBytes(byte[] b, int off, int len) {
                if (t.worker == null && matcher.feed(b, off, len)) fire(); // one search per buffer, not per byte
            }

            private void fire() {
                session.sink().setTap(null);
                t.start();
            }
        });
        return t;
    }

    private synchronized void start() {
        if (worker != null) return;
        Thread w = new Thread(this::take, "snapshot");
        w.setDaemon(true);
        worker = w;
        w.start();
    }

    private void take() {
        boolean paused = false;
        try {
            paused = session.pauseAll(PARK_TIMEOUT);
            if (!paused) {
                if (!session.stopping()) session.finish(Outcome.INTERNAL_ERROR, 70, "--snapshot-on: the vCPUs did not stop", "");
                return;
            }
            long t0 = System.nanoTime();
            Snapshot s = MachineSnapshots.take(machine, Vm.machineConfig(cfg, machine), cfg.snapshotFile, memBase, null, false, false);
            Log.info("snapshot written to {} ({} KiB of RAM stored) in {} ms", cfg.snapshotFile, s.storedBytes() / 1024,
                    (System.nanoTime() - t0) / 1_000_000);
            if (cfg.snapshotAndExit) session.finish(Outcome.STOPPED, 0, "snapshot written to " + cfg.snapshotFile, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            session.finish(Outcome.INTERNAL_ERROR, 70, "cannot write the snapshot to " + cfg.snapshotFile + ": " + e.getMessage(), "");
        } finally {
            if (paused) session.resumeAll();
        }
    }

    /** Waits for a snapshot in progress (the machine must outlive it). */
    @Override
    public void close() {
        Thread w = worker;
        if (w != null) VmSession.joinUninterruptibly(w);
    }
}
