package io.minivmm.vmm.console;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Objects;

/**
 * The CLI's side of the serial console for one run: raw mode on a terminal (with the escape
 * keys), a plain byte stream from a pipe or file, and the guarantees around it: the terminal's
 * settings come back on every exit path (normal end, --timeout, guest crash, Ctrl-A x,
 * SIGTERM/SIGINT/SIGHUP, exceptions, {@code System.exit} anywhere), and a signal ends the run
 * in order (the VM is stopped, the report written, stdout flushed) with status 128 + signal.
 * <pre>{@code
 * try (ConsoleSession console = ConsoleSession.open(System.err)) {
 *     Vm vm = builder.serialInput(console.input()).build();
 *     console.whenStopRequested(vm::stop);
 *     console.enterRaw();
 *     RunResult r = vm.run();
 * } // terminal restored here (and by a shutdown hook if we never get here)
 * }</pre>
 * Not covered, as for any process: SIGKILL, and SIGSTOP/SIGTSTP from outside (raw mode
 * disables the terminal's own Ctrl-C/Ctrl-Z, which reach the guest as bytes, as in QEMU).
 */
public final class ConsoleSession implements AutoCloseable {
    /** How long a signalled run may take to stop before the process is halted anyway. */
    static final long SIGNAL_GRACE_MS = 5_000;

    private final Terminal terminal;
    private final InputStream input;
    private final PrintStream err;
    private final Thread hook;
    private final java.util.function.IntConsumer exit;
    private volatile Runnable stopper;
    private volatile boolean userQuit;
    private volatile String signalName;
    private volatile int signalNumber;
    private volatile Thread watchdog;
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    private ConsoleSession(Terminal terminal, InputStream stdin, PrintStream err, boolean installSignals,
                           java.util.function.IntConsumer exit) {
        this.terminal = terminal;
        this.exit = exit;
        this.err = err;
        this.input = terminal == null ? stdin : new EscapeInputStream(stdin, new EscapeFilter.Commands() {
            @Override
            public void quit() {
                userQuit = true;
                requestStop();
            }

            @Override
            public void help() {
                err.print(EscapeFilter.HELP);
                err.flush();
            }
        });
        // anonymous classes, not method references: no lambda call site to link on the CLI's
        // start path (~0.1 ms each, docs/STARTUP.md)
        this.hook = new Thread(new Runnable() {
            @Override
            public void run() {
                onShutdown();
            }
        }, "minivmm-restore-terminal");
        Runtime.getRuntime().addShutdownHook(hook);
        if (installSignals) {
            Signals.install(new Signals.Handler() {
                @Override
                public void onSignal(String name, int number) {
                    ConsoleSession.this.onSignal(name, number);
                }
            }, "TERM", "INT", "HUP");
        }
    }

    /** For the process's own stdin/stderr: detects a terminal and installs the signal handlers. */
    public static ConsoleSession open(PrintStream err) {
        Terminal t = Terminal.onStdin();
        InputStream stdin = t == null && isDevNull(java.nio.file.Path.of("/proc/self/fd/0")) ? null : new FileInputStream(FileDescriptor.in);
        return new ConsoleSession(t, stdin, err, true, new java.util.function.IntConsumer() {
            @Override
            public void accept(int status) {
                new Thread(() -> System.exit(status), "minivmm-signal-exit").start(); // only on a signal
            }
        });
    }

    /**
     * Whether {@code fd} (a /proc/self/fd link) is /dev/null: such a stdin (CI jobs, scripts,
     * {@code < /dev/null}) never has input, and without this a run would keep a thread polling
     * it (a FileInputStream on /dev/null never reports EOF through available()).
     */
    static boolean isDevNull(java.nio.file.Path fd) {
        try {
            return java.nio.file.Files.isSameFile(fd, java.nio.file.Path.of("/dev/null"));
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** For tests: a given stream, no terminal, no signal handlers; {@code exit} instead of System.exit. */
    static ConsoleSession forStream(InputStream in, PrintStream err, java.util.function.IntConsumer exit) {
        return new ConsoleSession(null, in, err, false, exit);
    }

    /** Whether stdin is a terminal (raw mode and the escape keys apply). */
    public boolean isTerminal() { return terminal != null; }

    /**
     * What to pass to {@code VmBuilder.serialInput}: escape-filtered for a terminal, else stdin as
     * is; null when stdin is /dev/null (no input, no input thread).
     */
    public InputStream input() { return input; }

    /** The one-line hint printed on stderr before raw mode when stdin is a terminal. */
    public static final String HINT = "Ctrl-A x quits";

    /**
     * Sets raw mode when stdin is a terminal, after printing {@link #HINT} once on stderr; a
     * no-op otherwise. Call right before the run.
     */
    public boolean enterRaw() {
        if (terminal == null) return true;
        err.println(HINT);
        err.flush();
        return terminal.enterRaw();
    }

    /** Restores the terminal (idempotent); call before printing to stderr after the run. */
    public void restoreTerminal() {
        if (terminal != null) terminal.restore();
    }

    /**
     * What stops the run (e.g. {@code vm::stop}), for Ctrl-A x and signals. If one of them
     * already happened, {@code stop} runs at once.
     */
    public void whenStopRequested(Runnable stop) {
        this.stopper = Objects.requireNonNull(stop);
        if (userQuit || signalName != null) stop.run();
    }

    /**
     * The shutdown hook: the JVM is exiting while the session is open (a signal the handlers did
     * not get, System.exit elsewhere). Stop the run, give the main thread a moment to write the
     * report and flush stdout, then restore the terminal.
     */
    private void onShutdown() {
        if (closed.getCount() == 0) return;
        requestStop();
        try {
            closed.await(SHUTDOWN_GRACE_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        restoreTerminal();
    }

    /** How long the shutdown hook waits for the run to end in order. */
    static final long SHUTDOWN_GRACE_MS = 2_000;

    private void requestStop() {
        Runnable s = stopper;
        if (s != null) s.run();
    }

    /** Whether the user typed Ctrl-A x. */
    public boolean userQuit() { return userQuit; }

    /** The signal that ended the run ("TERM", "INT", "HUP"), or null. */
    public String signal() { return signalName; }

    /** 128 + the signal number, the status a shell shows for a process killed by it; 0 if none. */
    public int signalExitStatus() { return signalName == null ? 0 : 128 + signalNumber; }

    void onSignal(String name, int number) {
        if (signalName != null) { // a second signal: stop waiting
            restoreTerminal();
            Runtime.getRuntime().halt(128 + number);
        }
        signalNumber = number;
        signalName = name;
        Runnable s = stopper;
        if (s == null) {
            // No VM to stop in order yet: exit (the shutdown hook restores the terminal).
            exit.accept(128 + number);
            return;
        }
        s.run();
        Thread w = new Thread(() -> {
            try {
                Thread.sleep(SIGNAL_GRACE_MS);
            } catch (InterruptedException e) {
                return;
            }
            restoreTerminal(); // bounded (termios, TCSANOW)
            // stderr may be a terminal nobody reads: say why on a thread of its own, never wait on it long
            Thread say = new Thread(() -> {
                err.println("minivmm: SIG" + name + ": the run did not stop within " + SIGNAL_GRACE_MS + " ms; halting");
                err.flush();
            }, "minivmm-signal-message");
            say.setDaemon(true);
            say.start();
            try {
                say.join(500);
            } catch (InterruptedException ignored) {
                // halting anyway
            }
            Runtime.getRuntime().halt(128 + number);
        }, "minivmm-signal-watchdog");
        w.setDaemon(true);
        watchdog = w;
        w.start();
    }

    /**
     * Restores the terminal, cancels a signal's halt timer (the run did stop) and removes the
     * shutdown hook (when not already shutting down).
     */
    @Override
    public void close() {
        restoreTerminal();
        closed.countDown();
        Thread w = watchdog;
        if (w != null) w.interrupt();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs (and finds nothing to do)
        }
    }
}
