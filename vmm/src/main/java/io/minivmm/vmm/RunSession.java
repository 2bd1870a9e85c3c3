package io.minivmm.vmm;

import static io.minivmm.kvm.sys.Uapi.KVM_SYSTEM_EVENT_RESET;

import io.minivmm.kvm.VcpuExit;
import io.minivmm.kvm.VcpuFd;
import io.minivmm.vmm.arch.x86.EmulationAssist;
import io.minivmm.vmm.devices.MachineControl;
import io.minivmm.vmm.devices.Serial16550;
import io.minivmm.vmm.devices.StreamMatcher;
import io.minivmm.vmm.devices.UnclaimedAccessListener;
import io.minivmm.vmm.machine.Machine;
import io.minivmm.vmm.vcpu.ExitLog;
import io.minivmm.vmm.vcpu.PauseGate;
import io.minivmm.vmm.vcpu.VcpuHost;
import io.minivmm.vmm.vcpu.VcpuRunner;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Drives one run of a built machine: the vCPU threads, the serial pumps, the --expect/--fail-on
 * matchers, the timeout, and the outcome. The first thing that ends the run (the guest, a
 * matcher, the timeout, {@link #stop()}) wins; everything after it only joins threads.
 */
final class RunSession {
    private final VmBuilder cfg;
    private final long startNanos;
    private final SerialSink sink;
    private final AtomicReference<Finish> finish = new AtomicReference<>();
    private volatile CountDownLatch done = new CountDownLatch(1);
    private volatile List<VcpuFd> running = List.of();
    private volatile PauseGate gate;
    private volatile boolean discardResult;

    private record Finish(Outcome outcome, int status, String message, String crashReport) {}

    RunSession(VmBuilder cfg, long startNanos) {
        this.cfg = cfg;
        this.startNanos = startNanos;
        this.sink = new SerialSink(cfg.serialOut, cfg.serialCaptureLimit, startNanos);
        attachMatchers();
    }

    SerialSink sink() { return sink; }

    /** What the machine's devices may ask of the run. */
    final MachineControl control = new MachineControl() {
        @Override
        public void guestExit(int status) {
            finish(Outcome.GUEST_EXIT, status, "guest exited with status " + status + " (debug-exit port 0xf4)", "");
        }

        @Override
        public void guestReset() { finish(Outcome.RESET, 0, "guest reset the machine", ""); }
    };

    /**
     * Makes an ended session runnable again on the same machine (a {@link VmSession} reset after
     * the guest's end): the outcome is forgotten; the serial sink and matchers stay.
     */
    synchronized void rearm() {
        finish.set(null);
        done = new CountDownLatch(1);
        discardResult = false;
    }

    /**
     * Ends the run for a {@link VmSession#reset}: nobody reads its result, so the costly parts of it
     * (the resident RAM count, a mincore walk over all of RAM) are skipped.
     */
    void stopForReset() {
        discardResult = true;
        stop();
    }

    /** Ends the run with {@link Outcome#STOPPED}. Any thread; never blocks. */
    void stop() { finish(Outcome.STOPPED, 0, "stopped by the host", ""); }

    boolean stopping() { return finish.get() != null; }

    void finish(Outcome outcome, int status, String message, String report) {
        if (finish.compareAndSet(null, new Finish(outcome, status, message, report))) {
            for (VcpuFd v : running) v.kick();
            done.countDown();
        }
    }

    /**
     * Runs the booted machine to its end and returns the result. The machine's vCPU 0 must be set
     * up; the others wait for the guest's INIT-SIPI-SIPI. Every thread it starts has ended when it
     * returns or throws.
     */
    RunResult run(Machine m, Serial16550 com1, Supplier<byte[]> symbolSource) {
        List<Thread> threads = new ArrayList<>();
        List<VcpuRunner> runners = new ArrayList<>();
        Thread flusher = null;
        Thread input = null;
        m.pio().setUnclaimedListener(logUnclaimed("port"));
        m.mmio().setUnclaimedListener(logUnclaimed("MMIO"));
        try {
            List<VcpuFd> vcpus = m.vcpus();
            VcpuHost host = new VcpuHost() {
                @Override
                public boolean stopping() { return RunSession.this.stopping(); }

                @Override
                public void fatal(VcpuFd vcpu, VcpuExit exit, ExitLog log) {
                    String report = CrashReport.build(vcpu, exit, log, m.memory(), sink.tail(2048),
                            () -> io.minivmm.vmm.loader.Symbols.fromElf(symbolSource.get()));
                    Outcome o = exit instanceof VcpuExit.Shutdown ? Outcome.TRIPLE_FAULT : Outcome.INTERNAL_ERROR;
                    finish(o, o.defaultStatus(), "vcpu " + vcpu.id() + ": " + CrashReport.describe(exit), report);
                }

                @Override
                public void systemEvent(VcpuFd vcpu, int type) {
                    if (type == KVM_SYSTEM_EVENT_RESET) finish(Outcome.RESET, 0, "guest reset the machine", "");
                    else finish(Outcome.POWER_OFF, 0, "guest powered off (system event " + type + ")", "");
                }
            };
            running = List.copyOf(vcpus);
            PauseGate g = new PauseGate(vcpus.size());
            gate = g;
            for (VcpuFd v : vcpus) {
                VcpuRunner r = new VcpuRunner(v, m.pio(), m.mmio(), host, new EmulationAssist(), g);
                runners.add(r);
                threads.add(new Thread(() -> {
                    try {
                        r.run();
                    } catch (Throwable e) {
                        // Whatever goes wrong on a vCPU thread ends the run: it must never be left unfinished.
                        Log.debug("vcpu {} failed", v.id(), e);
                        finish(Outcome.INTERNAL_ERROR, 70, "vcpu " + v.id() + ": " + e, "");
                    }
                }, "vcpu-" + v.id()));
            }
            flusher = startFlusher(sink);
            input = cfg.serialIn != null ? startInput(cfg.serialIn, com1) : null;
            if (stopping()) running = List.of(); // stopped before the start: no vCPU runs
            else for (Thread t : threads) t.start();

            awaitEnd();
            for (VcpuFd v : vcpus) v.kick();
            for (Thread t : threads) joinKicking(t, vcpus);
            running = List.of();
            sink.flush();

            Finish f = finish.get();
            Map<String, Long> byKind = exitCounts(runners), byPort = portCounts(runners);
            Log.debug("exits by kind {}", byKind);
            Log.debug("exits by port {}", byPort);
            int status = f.outcome() == Outcome.GUEST_EXIT ? f.status() : f.outcome().defaultStatus();
            long end = System.nanoTime();
            long first = sink.firstByteAfterNanos();
            return new RunResult(f.outcome(), status, sink.tail(cfg.serialCaptureLimit), Duration.ofNanos(end - startNanos),
                    first < 0 ? null : Duration.ofNanos(first), byKind, byPort,
                    f.crashReport(), f.message(), discardResult ? 0 : m.memory().residentBytes(), sink.total());
        } finally {
            // However we got here (an exception included): no thread may outlive the machine's fds.
            if (finish.get() == null) finish(Outcome.INTERNAL_ERROR, 70, "setup failed", "");
            for (VcpuFd v : running) v.kick();
            for (Thread t : threads) joinKicking(t, running);
            running = List.of();
            if (input != null) input.interrupt();
            if (flusher != null) flusher.interrupt();
            sink.flush();
        }
    }

    /**
     * Parks every vCPU between exits (for the gdb stub or a snapshot): kicks them out of KVM_RUN
     * and waits until each is parked or has ended. While paused, the machine's vCPU fds may be
     * used from the calling thread.
     *
     * @return false if the run is not running or {@code timeout} passed first (the pause then
     *     stays requested; call {@link #resumeAll()})
     */
    boolean pauseAll(Duration timeout) throws InterruptedException {
        PauseGate g = gate;
        if (g == null || stopping()) return false;
        g.pause();
        for (VcpuFd v : running) v.kick();
        return g.awaitParked(timeout);
    }

    /** Lets every parked vCPU run again. */
    void resumeAll() {
        PauseGate g = gate;
        if (g != null) g.resume();
    }

    /** The gate the vCPUs park at (null before the run starts). */
    PauseGate gate() { return gate; }

    /** Logs every access nobody claimed at -v, with how often that address was seen. */
    private static UnclaimedAccessListener logUnclaimed(String space) {
        return (write, addr, size, value, count) -> {
            if (Log.debugEnabled()) {
                Log.debug("unclaimed {} 0x{} {} size {} (seen {}x)", space, Long.toHexString(addr), write ? "write" : "read",
                        size, count);
            }
        };
    }

    private void awaitEnd() {
        try {
            if (cfg.timeout == null) {
                done.await();
            } else if (!done.await(cfg.timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                finish(Outcome.TIMEOUT, 124, "timed out after " + cfg.timeout.toMillis() + " ms", "");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(Outcome.STOPPED, 0, "interrupted", "");
        }
    }

    private static void joinKicking(Thread t, List<VcpuFd> vcpus) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join(50);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (t.isAlive()) for (VcpuFd v : vcpus) v.kick();
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static Thread startFlusher(SerialSink sink) {
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(SerialSink.FLUSH_INTERVAL_MS);
                    if (sink.pending()) sink.flush();
                }
            } catch (InterruptedException ignored) {
                // end of run
            }
        }, "serial-flush");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Thread startInput(InputStream in, Serial16550 uart) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    int off = 0;
                    while (off < n) {
                        int k = uart.receive(buf, off, n - off);
                        off += k;
                        if (k == 0) uart.awaitSpace(100, TimeUnit.MILLISECONDS);
                        if (Thread.currentThread().isInterrupted()) return;
                    }
                }
            } catch (IOException | InterruptedException ignored) {
                // end of input or of the run
            }
        }, "serial-input");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** --expect / --fail-on: matched on the serial stream as it is written, across any chunking. */
    private void attachMatchers() {
        StreamMatcher expect = cfg.expect == null ? null : new StreamMatcher(cfg.expect);
        StreamMatcher failOn = cfg.failOn == null ? null : new StreamMatcher(cfg.failOn);
        if (expect == null && failOn == null) return;
        sink.setListener(b -> {
            if (failOn != null && failOn.feed(b)) {
                finish(Outcome.FAIL_MATCHED, 1, "--fail-on matched: " + printableMatch(failOn), "");
            } else if (expect != null && expect.feed(b)) {
                finish(Outcome.EXPECT_MATCHED, 0, "--expect matched: " + printableMatch(expect), "");
            }
        });
    }

    private static String printableMatch(StreamMatcher m) {
        String t = m.matchedText();
        return CrashReport.printable(t.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).strip();
    }

    private static Map<String, Long> exitCounts(List<VcpuRunner> runners) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (VcpuRunner r : runners) {
            for (int reason = 0; reason < 64; reason++) {
                long n = r.log().byReason(reason);
                if (n > 0) m.merge(CrashReport.reasonName(reason), n, Long::sum);
            }
        }
        return m;
    }

    private static Map<String, Long> portCounts(List<VcpuRunner> runners) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (VcpuRunner r : runners) {
            for (int port = 0; port < 0x10000; port++) {
                long n = r.log().byPort(port);
                if (n > 0) m.merge("0x" + Integer.toHexString(port), n, Long::sum);
            }
        }
        return m;
    }
}
