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
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile List<VcpuFd> running = List.of();
    private volatile PauseGate gate;
    private volatile io.minivmm.vmm.gdb.GdbServer gdb;

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

    /** Ends the run with {@link Outcome#STOPPED}. Any thread; never blocks. */
    void stop() { finish(Outcome.STOPPED, 0, "stopped by the host", ""); }

    boolean stopping() { return finish.get() != null; }

    void finish(Outcome outcome, int status, String message, String report) {
        if (finish.compareAndSet(null, new Finish(outcome, status, message, report))) {
            for (VcpuFd v : running) v.kick();
            done.countDown();
            io.minivmm.vmm.gdb.GdbServer g = gdb;
            if (g != null) g.runEnded(outcome == Outcome.GUEST_EXIT ? status : outcome.defaultStatus());
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
            if (cfg.gdb != null) startGdb(m, runners, g, symbolSource);
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
                    f.crashReport(), f.message(), m.memory().residentBytes(), sink.total());
        } finally {
            // However we got here (an exception included): no thread may outlive the machine's fds.
            if (finish.get() == null) finish(Outcome.INTERNAL_ERROR, 70, "setup failed", "");
            for (VcpuFd v : running) v.kick();
            for (Thread t : threads) joinKicking(t, running);
            running = List.of();
            io.minivmm.vmm.gdb.GdbServer gs = gdb;
            if (gs != null) gs.close(); // after the vCPU threads, before the machine's fds close
            gdb = null;
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

    /**
     * The gdb stub (--gdb): bound before any vCPU runs; with --gdb-wait the gate is paused first so
     * every vCPU parks before its first instruction.
     */
    private void startGdb(Machine m, List<VcpuRunner> runners, PauseGate g, Supplier<byte[]> symbolSource) {
        if (cfg.gdb.waitForDebugger()) g.pause();
        io.minivmm.vmm.gdb.GdbTarget target = new io.minivmm.vmm.gdb.GdbTarget() {
            @Override
            public List<VcpuFd> vcpus() { return m.vcpus(); }

            @Override
            public io.minivmm.vmm.memory.GuestMemory memory() { return m.memory(); }

            @Override
            public PauseGate gate() { return g; }

            @Override
            public boolean pauseAll(Duration timeout) throws InterruptedException { return RunSession.this.pauseAll(timeout); }

            @Override
            public void resumeAll() { RunSession.this.resumeAll(); }

            @Override
            public boolean ended() { return stopping(); }

            @Override
            public void kill() { finish(Outcome.GDB_KILLED, Outcome.GDB_KILLED.defaultStatus(), "killed by gdb", ""); }

            @Override
            public String crashReport(int id) {
                String r = CrashReport.build(m.vcpus().get(id), new VcpuExit.Interrupted(), runners.get(id).log(), m.memory(),
                        sink.tail(2048), () -> io.minivmm.vmm.loader.Symbols.fromElf(symbolSource.get()));
                // The same report a crash prints, for a vCPU that is merely stopped by gdb.
                return r.replaceFirst(": unhandled exit Interrupted\\[\\] ===", ": stopped by gdb ===");
            }

            @Override
            public String memoryMap() {
                StringBuilder sb = new StringBuilder();
                for (long[] e : m.resources().memoryMap()) {
                    sb.append(String.format("0x%016x-0x%016x %s%n", e[0], e[0] + e[1] - 1, e.length > 2 && e[2] == 1 ? "usable"
                            : "reserved (type " + (e.length > 2 ? e[2] : 0) + ")"));
                }
                return sb.toString();
            }

            @Override
            public String exitCounters() {
                return "exits by kind " + exitCounts(runners) + "\nexits by port " + portCounts(runners) + "\n";
            }
        };
        try {
            gdb = io.minivmm.vmm.gdb.GdbServer.start(cfg.gdb, target);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--gdb: cannot listen on " + cfg.gdb.host() + ":" + cfg.gdb.port() + ": "
                    + e.getMessage());
        }
        for (VcpuRunner r : runners) r.setDebugHandler(gdb.debugHandler());
    }

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
