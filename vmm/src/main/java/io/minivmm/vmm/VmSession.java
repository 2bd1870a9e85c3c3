package io.minivmm.vmm;

import io.minivmm.vmm.devices.MachineControl;
import io.minivmm.vmm.machine.Machine;
import io.minivmm.vmm.snapshot.MachineSnapshots;
import io.minivmm.vmm.snapshot.Snapshot;
import io.minivmm.vmm.snapshot.SnapshotException;
import io.minivmm.vmm.storage.DiskException;
import io.minivmm.vmm.storage.Disks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running guest you talk to: wait for its serial output, type into its serial input, take
 * snapshots, reset it to a snapshot. {@link VmBuilder#start()} boots one, {@link Vm#restore}
 * and {@link VmBuilder#restore} continue one from a snapshot.
 * <pre>{@code
 * try (VmSession s = Vm.builder().kernel(Path.of("vmlinux")).start()) {
 *     s.expect("login:", Duration.ofSeconds(30));
 *     s.send("root\n");
 *     Snapshot ready = s.snapshot();           // a temporary file, deleted when closed
 *     String out = s.expect(Pattern.compile("# $"));
 *     s.reset(ready);                          // back to the snapshot, in the same machine
 * }
 * }</pre>
 *
 * <p>The guest runs on its own threads from the start; output accumulates in the transcript.
 * {@link #expect} consumes the transcript up to the end of the match; {@link #reset} discards
 * what the guest wrote since. When the guest ends (debug exit, reset, power off, a crash) the
 * session stays open: {@link #result()} says how it ended, and {@link #reset} starts it again.
 * {@link #close()} stops the guest and releases every fd, thread and mapping.
 *
 * <p>Thread safety: one thread drives a session; {@link #close()} may come from any thread.
 */
public final class VmSession implements AutoCloseable {
    /** How long {@link #expect(Pattern)} waits when the builder set no timeout. */
    public static final Duration DEFAULT_EXPECT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration PARK_TIMEOUT = Duration.ofSeconds(10);

    private final VmBuilder cfg;
    private final RunSession run;
    private final Machine machine;
    private final Disks disks;
    private final Duration expectTimeout;
    /** The snapshot RAM is mapped from (null: anonymous RAM, a booted machine). */
    private Snapshot memBase;
    /** The snapshot the dirty log counts from (a diff is taken against it); null: no diff possible. */
    private Snapshot logBase;
    private boolean dirtyLogOn;
    private boolean ran;

    private final Object textLock = new Object();
    private byte[] text = new byte[8192];
    private int textLen;
    private int cursor;

    private Thread runner;
    private volatile RunResult result;
    private volatile boolean closed;

    private VmSession(VmBuilder cfg, RunSession run, Machine machine, Disks disks, Snapshot memBase) {
        this.cfg = cfg;
        this.run = run;
        this.machine = machine;
        this.disks = disks;
        this.memBase = memBase;
        this.expectTimeout = cfg.timeout != null ? cfg.timeout : DEFAULT_EXPECT_TIMEOUT;
        run.sink().setTap(this::onByte);
    }

    /** The session's own run options: no overall timeout, no input stream (send() types), no --snapshot-on. */
    private static VmBuilder sessionConfig(VmBuilder b) {
        VmBuilder c = b.copy();
        c.timeout = null;
        c.serialIn = null;
        c.snapshotOn = null;
        return c;
    }

    static VmSession boot(VmBuilder builder) throws IOException {
        VmBuilder cfg = sessionConfig(builder);
        RunSession run = new RunSession(cfg, System.nanoTime());
        Disks disks = openDisks(cfg);
        Machine m = null;
        try {
            m = Vm.bootMachine(cfg, run, disks, Boot.readImage(cfg, disks));
            VmSession s = new VmSession(cfg, run, m, disks, null);
            s.startRun();
            return s;
        } catch (IOException | RuntimeException | Error e) {
            if (m != null) m.close();
            disks.close();
            throw e;
        }
    }

    static VmSession restore(VmBuilder builder, Snapshot snap) throws IOException {
        VmBuilder cfg = sessionConfig(builder);
        cfg.adopt(snap.config());
        RunSession run = new RunSession(cfg, System.nanoTime());
        Disks disks = openDisks(cfg);
        try {
            Machine m = Vm.restoreMachine(cfg, snap, run, disks);
            VmSession s = new VmSession(cfg, run, m, disks, snap);
            // From here KVM logs the guest's writes: a diff against snap, and a reset that drops only those pages.
            m.memory().enableDirtyLog(m.vm());
            s.dirtyLogOn = true;
            s.logBase = snap;
            s.startRun();
            return s;
        } catch (RuntimeException | Error e) {
            disks.close();
            throw e;
        }
    }

    private static Disks openDisks(VmBuilder cfg) throws IOException {
        try {
            return Disks.open(cfg.disks);
        } catch (DiskException e) {
            throw new ImageException(e.getMessage());
        }
    }

    private void startRun() {
        io.minivmm.vmm.devices.ConsoleInput uart = Vm.consoleInput(machine);
        result = null;
        ran = true;
        Thread t = new Thread(() -> {
            try {
                result = run.run(machine, uart, () -> new byte[0]);
            } catch (RuntimeException | Error e) {
                result = new RunResult(Outcome.INTERNAL_ERROR, 70, new byte[0], Duration.ZERO, null, java.util.Map.of(),
                        java.util.Map.of(), "", "session run failed: " + e, 0, 0, 0, "", "");
            } finally {
                synchronized (textLock) {
                    textLock.notifyAll();
                }
            }
        }, "vm-session");
        t.setDaemon(true);
        runner = t;
        t.start();
    }

    private void onByte(int b) {
        synchronized (textLock) {
            if (textLen == text.length) text = Arrays.copyOf(text, text.length * 2);
            text[textLen++] = (byte) b;
            textLock.notifyAll();
        }
    }

    // ------------------------------------------------------------------ talking to the guest

    /** Waits for {@code literal} in the output; see {@link #expect(Pattern, Duration)}. */
    public String expect(String literal, Duration timeout) { return expect(Pattern.compile(Pattern.quote(literal)), timeout); }

    /** {@link #expect(Pattern, Duration)} with the builder's timeout, else {@link #DEFAULT_EXPECT_TIMEOUT}. */
    public String expect(Pattern p) { return expect(p, expectTimeout); }

    /** {@link #expect(String, Duration)} with the builder's timeout, else {@link #DEFAULT_EXPECT_TIMEOUT}. */
    public String expect(String literal) { return expect(literal, expectTimeout); }

    /**
     * Waits until the output not yet consumed matches {@code p}, and consumes it up to the end of
     * the match. Output is decoded as ISO-8859-1 (one char per byte).
     *
     * @return the consumed output, from the previous expect (or start, or reset) to the match's end
     * @throws ExpectException when {@code timeout} passes, or the guest ends, first
     */
    public String expect(Pattern p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = -1;
        synchronized (textLock) {
            while (true) {
                if (textLen != seen) {
                    seen = textLen;
                    String pending = new String(text, cursor, textLen - cursor, StandardCharsets.ISO_8859_1);
                    Matcher m = p.matcher(pending);
                    if (m.find()) {
                        cursor += m.end();
                        return pending.substring(0, m.end());
                    }
                }
                RunResult r = result;
                if (r != null && !runnerAlive()) {
                    throw new ExpectException("the guest ended (" + r.outcome() + ": " + r.message() + ") before the output matched "
                            + p.pattern(), transcript());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new ExpectException("no match for " + p.pattern() + " within " + timeout.toMillis() + " ms", transcript());
                try {
                    textLock.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ExpectException("interrupted while waiting for " + p.pattern(), transcript());
                }
            }
        }
    }

    private boolean runnerAlive() {
        Thread t = runner;
        return t != null && t.isAlive();
    }

    /** Types {@code s} (UTF-8) into COM1's receiver, waiting while its FIFO is full (at most the expect timeout). */
    public void send(String s) { send(s.getBytes(StandardCharsets.UTF_8)); }

    /** Types {@code bytes} into COM1's receiver; see {@link #send(String)}. */
    public void send(byte[] bytes) {
        ensureOpen();
        io.minivmm.vmm.devices.ConsoleInput uart = Vm.consoleInput(machine);
        long deadline = System.nanoTime() + expectTimeout.toNanos();
        int off = 0;
        try {
            while (off < bytes.length) {
                int k = uart.receive(bytes, off, bytes.length - off);
                off += k;
                if (k == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new ExpectException("the guest did not read its serial input (" + (bytes.length - off) + " bytes left)",
                                transcript());
                    }
                    if (result != null && !runnerAlive()) throw new ExpectException("the guest ended before reading its input", transcript());
                    uart.awaitSpace(10, TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExpectException("interrupted while sending", transcript());
        }
    }

    /** The output since the start (or the last reset), including what expect() consumed. */
    public String transcript() {
        synchronized (textLock) {
            return new String(text, 0, textLen, StandardCharsets.ISO_8859_1);
        }
    }

    /** The output not yet consumed by {@link #expect}. */
    public String pendingOutput() {
        synchronized (textLock) {
            return new String(text, cursor, textLen - cursor, StandardCharsets.ISO_8859_1);
        }
    }

    /** How the guest ended, or null while it runs. */
    public RunResult result() {
        RunResult r = result;
        return r != null && !runnerAlive() ? r : null;
    }

    /** Waits up to {@code timeout} for the guest to end; returns its result, or null if it still runs. */
    public RunResult awaitEnd(Duration timeout) throws InterruptedException {
        Thread t = runner;
        if (t != null) t.join(Math.max(1, timeout.toMillis()));
        return result();
    }

    // ------------------------------------------------------------------ snapshots

    /** A snapshot in a temporary file, deleted when the snapshot is closed (or at JVM exit). */
    public Snapshot snapshot() throws IOException {
        Path f = Files.createTempFile("minivmm-", ".snap");
        f.toFile().deleteOnExit();
        return take(f, false, true);
    }

    /** A full snapshot written to {@code file}. */
    public Snapshot snapshot(Path file) throws IOException { return take(file, false, false); }

    /**
     * A diff snapshot: only the pages the guest wrote since the snapshot this session was last
     * snapshotted, restored or reset to (its parent), written next to that parent's file. KVM's
     * dirty log is on from a restore, or from a booted session's first snapshot; a diff before
     * that is refused.
     *
     * @throws IllegalStateException when there is no parent to diff against
     */
    public Snapshot snapshotDiff(Path file) throws IOException {
        if (logBase == null) throw new IllegalStateException("no snapshot to diff against: take a full snapshot (or reset to one) first");
        return take(file, true, false);
    }

    private synchronized Snapshot take(Path file, boolean diff, boolean temporary) throws IOException {
        ensureOpen();
        if (!cfg.areas.isEmpty() || !cfg.disks.isEmpty()) {
            throw new SnapshotException("machines with disks or extra guest mappings cannot be snapshotted yet");
        }
        boolean paused = pause();
        try {
            Snapshot s = MachineSnapshots.take(machine, Vm.machineConfig(cfg, machine), file, memBase, diff ? logBase : null,
                    dirtyLogOn, temporary);
            if (!dirtyLogOn) {
                machine.memory().enableDirtyLog(machine.vm());
                dirtyLogOn = true;
            }
            logBase = s;
            return s;
        } finally {
            if (paused) run.resumeAll();
        }
    }

    /** Parks the vCPUs if the guest runs; returns whether it did (false: nothing runs). */
    private boolean pause() {
        if (!runnerAlive()) return false;
        try {
            if (run.pauseAll(PARK_TIMEOUT)) return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        run.resumeAll();
        if (!runnerAlive()) return false; // it ended meanwhile: nothing runs
        throw new IllegalStateException("the vCPUs did not stop within " + PARK_TIMEOUT.toMillis() + " ms");
    }

    /**
     * Returns the machine to {@code snap} and lets it run from there, in the same machine: no
     * mapping or fd is created. If RAM is mapped from {@code snap}'s file (a restored session)
     * the guest's private pages are dropped; otherwise (a booted session) RAM is rewritten from
     * the file. The transcript starts afresh.
     *
     * @throws SnapshotException when the snapshot is of a differently configured machine
     */
    public synchronized void reset(Snapshot snap) {
        ensureOpen();
        String why = snap.config().mismatch(Vm.machineConfig(cfg, machine));
        if (why != null) throw new SnapshotException(snap.path() + ": cannot reset to it: " + why);
        stopRun();
        boolean mapped = memBase != null && memBase.base() == snap.base();
        if (mapped && dirtyLogOn && logBase == snap && snap.parent() == null) {
            // RAM is snap plus what the guest wrote since: drop just those pages (this also restarts the log).
            MachineSnapshots.resetDirtyPages(machine.memory(), MachineSnapshots.dirtyPages(machine));
        } else {
            MachineSnapshots.resetMemory(machine.memory(), snap, mapped);
            if (dirtyLogOn) MachineSnapshots.dirtyPages(machine); // the log restarts at the snapshot
        }
        MachineSnapshots.apply(machine, Vm.machineConfig(cfg, machine), snap, ran);
        logBase = dirtyLogOn ? snap : null;
        synchronized (textLock) {
            textLen = 0;
            cursor = 0;
        }
        run.rearm();
        startRun();
    }

    /** Ends the current run (if any) and waits for its threads. */
    private void stopRun() {
        Thread t = runner;
        if (t == null) return;
        if (t.isAlive()) run.stopForReset();
        joinUninterruptibly(t);
    }

    /** Waits for {@code t} to end, keeping an interrupt for later (the machine must outlive the thread). */
    static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** The machine (for tests and tools in this package). */
    Machine machine() { return machine; }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("this session is closed");
    }

    /** Stops the guest and releases the machine and its disks. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        stopRun();
        machine.close();
        disks.close();
    }

    /** An expect or send that could not complete; carries the transcript for the test report. */
    public static final class ExpectException extends RuntimeException {
        private final String transcript;

        public ExpectException(String message, String transcript) {
            super(message);
            this.transcript = transcript;
        }

        /** The session's output when it failed. */
        public String transcript() { return transcript; }
    }
}
