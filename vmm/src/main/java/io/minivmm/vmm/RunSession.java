package io.minivmm.vmm;

import static io.minivmm.kvm.sys.Uapi.KVM_SYSTEM_EVENT_RESET;

import io.minivmm.kvm.VcpuExit;
import io.minivmm.kvm.VcpuFd;
import io.minivmm.vmm.arch.x86.EmulationAssist;
import io.minivmm.vmm.devices.MachineControl;
import io.minivmm.vmm.devices.ConsoleInput;
import io.minivmm.vmm.devices.StreamMatcher;
import io.minivmm.vmm.devices.VgaText;
import io.minivmm.vmm.machine.Machine;
import io.minivmm.vmm.pc.DebugConsolePart;
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
    private volatile io.minivmm.vmm.gdb.GdbServer gdb;

    private record Finish(Outcome outcome, int status, String message, String crashReport) {}

    RunSession(VmBuilder cfg, long startNanos) {
        this.cfg = cfg;
        this.startNanos = startNanos;
        // Anonymous classes rather than lambdas throughout the run's start and end: each lambda is a
        // call site to link at its first use, ~0.1 ms apiece on the CLI's start path (docs/STARTUP.md).
        this.sink = new SerialSink(cfg.serialOut, cfg.serialCaptureLimit, startNanos, new java.util.function.BooleanSupplier() {
            @Override
            public boolean getAsBoolean() {
                return stopping();
            }
        });
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

    /** How long a panicking guest may go on printing (its stack, its "end Kernel panic" line) before the run ends. */
    static final long PANIC_GRACE_MS = 2000;
    private volatile String panicked;

    /**
     * The guest panicked: note it, and end the run with {@link Outcome#GUEST_PANIC} after a short
     * grace period unless the guest ends it first (its reset then counts as part of the panic).
     * Ignored when the builder allows panics.
     */
    void guestPanicked(String how) {
        if (!cfg.detectPanic || panicked != null) return;
        panicked = how;
        Thread t = new Thread(() -> {
            try {
                if (!done.await(PANIC_GRACE_MS, TimeUnit.MILLISECONDS)) {
                    finish(Outcome.GUEST_PANIC, Outcome.GUEST_PANIC.defaultStatus(), how, "");
                }
            } catch (InterruptedException ignored) {
                // the run is ending anyway
            }
        }, "panic-grace");
        t.setDaemon(true);
        t.start();
    }

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
        String panic = panicked;
        if (panic != null && (outcome == Outcome.RESET || outcome == Outcome.POWER_OFF || outcome == Outcome.TIMEOUT
                || outcome == Outcome.TRIPLE_FAULT)) {
            // What a panicking kernel does next (reboot, halt, fault) is part of its panic.
            message = panic + "; then " + message;
            outcome = Outcome.GUEST_PANIC;
            status = Outcome.GUEST_PANIC.defaultStatus();
        }
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
    RunResult run(Machine m, ConsoleInput console, Supplier<byte[]> symbolSource) {
        List<Thread> threads = new ArrayList<>();
        List<VcpuRunner> runners = new ArrayList<>();
        Thread flusher = null;
        Thread input = null;
        VgaMirror vga = null;
        m.pio().setUnclaimedListener(UnclaimedLog.toLog("port"));
        m.mmio().setUnclaimedListener(UnclaimedLog.toLog("MMIO"));
        try {
            List<VcpuFd> vcpus = m.vcpus();
            VcpuHost host = new VcpuHost() {
                @Override
                public boolean stopping() { return RunSession.this.stopping(); }

                @Override
                public void fatal(VcpuFd vcpu, VcpuExit exit, ExitLog log) {
                    String report = CrashReport.build(vcpu, exit, log, m.memory(), sink.tail(2048),
                            () -> io.minivmm.vmm.loader.Symbols.fromElf(symbolSource.get()));
                    String screen = vgaText(m);
                    if (!screen.isEmpty()) {
                        report = report.replace("=== end of crash report ===", "VGA text screen:\n" + screen + "\n=== end of crash report ===");
                    }
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
                threads.add(new Thread(new Runnable() {
                    @Override
                    public void run() {
                        try {
                            r.run();
                        } catch (Throwable e) {
                            // Whatever goes wrong on a vCPU thread ends the run: it must never be left unfinished.
                            Log.debug("vcpu {} failed", v.id(), e);
                            finish(Outcome.INTERNAL_ERROR, 70, "vcpu " + v.id() + ": " + e, "");
                        }
                    }
                }, "vcpu-" + v.id()));
            }
            if (cfg.gdb != null) startGdb(m, runners, g, symbolSource);
            flusher = startFlusher(sink);
            if (cfg.vgaOut != null && m.resources().isRam(VgaText.BASE, VGA_BYTES)) vga = new VgaMirror(new VgaText(m.memory()), cfg.vgaOut);
            io.minivmm.vmm.pc.KeyboardControllerPart kbc = m.part(io.minivmm.vmm.pc.KeyboardControllerPart.class);
            input = cfg.serialIn != null ? startInput(cfg.serialIn, console, kbc == null ? null : kbc.controller()) : null;
            if (stopping()) running = List.of(); // stopped before the start: no vCPU runs
            else for (Thread t : threads) t.start();

            StallReport.PortSampler sampler = new StallReport.PortSampler(runners);
            awaitEnd(sampler);
            for (VcpuFd v : vcpus) v.kick();
            for (Thread t : threads) joinKicking(t, vcpus);
            running = List.of();
            String stall = finish.get().outcome() == Outcome.TIMEOUT ? StallReport.build(runners, sampler, symbolSource) : "";
            sink.close(); // delivers the rest, bounded when stdout is not read

            Finish f = finish.get();
            Map<String, Long> byKind = exitCounts(runners), byPort = portCounts(runners);
            Log.debug("exits by kind {}", byKind);
            Log.debug("exits by port {}", byPort);
            int status = f.outcome() == Outcome.GUEST_EXIT ? f.status() : f.outcome().defaultStatus();
            long end = System.nanoTime();
            long first = sink.firstByteAfterNanos();
            long resident = discardResult ? 0 : m.memory().residentBytes(); // a reset reads no result: skip the mincore walk
            return new RunResult(f.outcome(), status, sink.tail(cfg.serialCaptureLimit), Duration.ofNanos(end - startNanos),
                    first < 0 ? null : Duration.ofNanos(first), byKind, byPort,
                    f.crashReport(), f.message(), resident, sink.total(), debugconBytes(m), stall, discardResult ? "" : vgaText(m));
        } finally {
            // However we got here (an exception included): no thread may outlive the machine's fds.
            if (finish.get() == null) finish(Outcome.INTERNAL_ERROR, 70, "setup failed", "");
            for (VcpuFd v : running) v.kick();
            for (Thread t : threads) joinKicking(t, running);
            running = List.of();
            io.minivmm.vmm.gdb.GdbServer gs = gdb;
            if (gs != null) gs.close(); // after the vCPU threads, before the machine's fds close
            gdb = null;
            if (input != null) {
                input.interrupt();
                joinQuietly(input, 500); // a polled pump ends at once; a blocked read cannot be waited for
            }
            if (vga != null) vga.close();
            if (flusher != null) flusher.interrupt();
            sink.close();
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

    private static long debugconBytes(Machine m) {
        DebugConsolePart d = m.part(DebugConsolePart.class);
        if (d == null) return 0;
        d.console().flush();
        return d.console().bytes();
    }

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
            public String pageWalk(int id, long va) {
                io.minivmm.kvm.x86.Sregs s = m.vcpus().get(id).getSregs();
                return CrashReport.pageWalk(m.memory(), s.cr0(), s.cr3(), s.cr4(), s.efer(), va, "  ");
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

    private static final int VGA_BYTES = 2 * VgaText.COLUMNS * VgaText.ROWS;
    /** How often {@code --vga text} looks at the screen. */
    static final long VGA_POLL_MS = 100;

    /** {@code --vga text}: a thread that prints the screen when it changed. */
    private static final class VgaMirror {
        private final VgaText vga;
        private final java.io.OutputStream out;
        private final Thread thread;
        private byte[] last;
        /** Set when the run ended without this thread: guest memory may be gone, so it must not look again. */
        private volatile boolean abandoned;

        VgaMirror(VgaText vga, java.io.OutputStream out) {
            this.vga = vga;
            this.out = out;
            this.last = new byte[VGA_BYTES];
            this.thread = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.sleep(VGA_POLL_MS);
                        poll();
                    }
                } catch (InterruptedException ignored) {
                    // end of run: one last look below
                }
                poll();
            }, "vga-mirror");
            thread.setDaemon(true);
            thread.start();
        }

        private synchronized void poll() {
            if (abandoned) return;
            byte[] now;
            try {
                now = vga.snapshot();
            } catch (RuntimeException e) {
                return; // guest memory closed under a mirror that was stuck writing
            }
            if (java.util.Arrays.equals(now, last)) return;
            last = now;
            try {
                out.write(("--- VGA text ---\n" + VgaText.screen(now)).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                // stdout closed: nothing to mirror to
            }
        }

        /**
         * Stops the thread, which prints the final screen if it changed since its last look.
         * Called before guest memory goes; waits at most a second, so a stdout nobody reads
         * cannot hold up the end of the run.
         */
        void close() {
            thread.interrupt();
            joinQuietly(thread, 1000);
            if (thread.isAlive()) abandoned = true;
        }
    }

    /** The VGA text screen (page 0) when guest RAM covers it, else empty. */
    static String vgaText(Machine m) {
        if (!m.resources().isRam(VgaText.BASE, 2 * VgaText.COLUMNS * VgaText.ROWS)) return "";
        return new VgaText(m.memory()).screen();
    }

    /** Waits for the end of the run (or the timeout), starting a new sampling window each second. */
    private void awaitEnd(StallReport.PortSampler sampler) {
        try {
            long deadline = cfg.timeout == null ? Long.MAX_VALUE : System.nanoTime() + cfg.timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    finish(Outcome.TIMEOUT, 124, "timed out after " + cfg.timeout.toMillis() + " ms", "");
                    return;
                }
                if (done.await(Math.min(left, 1_000_000_000L), TimeUnit.NANOSECONDS)) return;
                if (cfg.timeout != null) sampler.tick(); // only a timeout reads the samples
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(Outcome.STOPPED, 0, "interrupted", "");
        }
    }

    private static void joinQuietly(Thread t, long ms) {
        try {
            t.join(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        sink.awaitPending(); // no wake-ups while the guest is silent
                        Thread.sleep(SerialSink.FLUSH_INTERVAL_MS); // what follows within the interval goes out together
                        sink.flush();
                    }
                } catch (InterruptedException ignored) {
                    // end of run
                }
            }
        }, "serial-flush");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** How often the input pump looks for input on a stream that reports {@link InputStream#available()}. */
    static final long INPUT_POLL_MS = 2;

    /**
     * Standard input to the guest, on its own thread, which ends with the run: each byte goes to
     * the i8042 keyboard as a keystroke (dropped when its buffer is full or the keyboard is
     * disabled: the keyboard never holds up the serial line) and to COM1's receiver
     * (flow-controlled: the pump waits for room). The BIOS's int 16h reads COM1's receiver.
     *
     * <p>A stream that reports {@link InputStream#available()} (every JDK stream: files, pipes,
     * sockets, the terminal) is read only when it has bytes, so the pump never blocks in a read
     * that might not return and ends when the run does. A stream that does not implement
     * {@code available()} is read blocking, and its pump ends only when that read returns.
     */
    private static Thread startInput(InputStream in, ConsoleInput uart, io.minivmm.vmm.devices.I8042 kbd) {
        boolean polled = implementsAvailable(in);
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                byte[] buf = new byte[256];
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        int n;
                        if (polled) {
                            int avail = in.available();
                            if (avail <= 0) {
                                Thread.sleep(INPUT_POLL_MS);
                                continue;
                            }
                            n = in.read(buf, 0, Math.min(avail, buf.length));
                        } else {
                            n = in.read(buf);
                        }
                        if (n < 0) return;
                        if (kbd != null) for (int i = 0; i < n; i++) kbd.typeKey(buf[i]);
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
            }
        }, "serial-input");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static boolean implementsAvailable(InputStream in) {
        try {
            return in.getClass().getMethod("available").getDeclaringClass() != InputStream.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** --expect / --fail-on: matched on the serial stream as it is written, across any chunking. */
    private void attachMatchers() {
        OutputMatchers matchers = OutputMatchers.of(cfg.failOn, cfg.expect, cfg.detectPanic,
                new OutputMatchers.Outcomes() {
                    @Override public void failOnMatched(StreamMatcher m) {
                        finish(Outcome.FAIL_MATCHED, 1, "--fail-on matched: " + printable(m.matchedText()), "");
                    }

                    @Override public void expectMatched(StreamMatcher m) {
                        finish(Outcome.EXPECT_MATCHED, 0, "--expect matched: " + printable(m.matchedText()), "");
                    }

                    @Override public void panicMatched(String line) {
                        guestPanicked("the guest kernel panicked: " + printable(line));
                    }
                });
        if (matchers != null) sink.setListener(matchers);
    }

    /** Matched console text (one char per byte) as one printable line. */
    private static String printable(String text) {
        return CrashReport.printable(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).strip();
    }

    private static Map<String, Long> exitCounts(List<VcpuRunner> runners) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (VcpuRunner r : runners) {
            for (int reason = 0; reason < 64; reason++) {
                long n = r.log().byReason(reason);
                if (n > 0) add(m, CrashReport.reasonName(reason), n);
            }
        }
        return m;
    }

    private static Map<String, Long> portCounts(List<VcpuRunner> runners) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (VcpuRunner r : runners) {
            for (int port : r.log().usedPorts()) { // ascending, as a scan of all 65536 would list them
                add(m, "0x" + Integer.toHexString(port), r.log().byPort(port));
            }
        }
        return m;
    }

    /** {@code m.merge(key, n, Long::sum)} without the lambda (linked on every run's end otherwise). */
    private static void add(Map<String, Long> m, String key, long n) {
        Long old = m.get(key);
        m.put(key, old == null ? n : old + n);
    }
}
