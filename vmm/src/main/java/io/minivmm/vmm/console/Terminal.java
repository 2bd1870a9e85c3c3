package io.minivmm.vmm.console;

import io.minivmm.kvm.posix.Tty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Raw mode for the terminal on our standard input, through termios in-process
 * ({@link io.minivmm.kvm.posix.Tty}): no {@code stty} child, so restoring never waits on another
 * process or on output draining to a terminal nobody reads, and every set is bounded by
 * {@link #SET_TIMEOUT_MS}. {@link #enterRaw()} saves the settings and sets raw mode without
 * echo; {@link #restore()} puts the saved settings back, once, however often and from whichever
 * thread it is called (the normal end, a signal handler, a shutdown hook).
 */
public final class Terminal {
    /** The most a termios set may take before it is abandoned (a signal path must not hang on it). */
    static final long SET_TIMEOUT_MS = 1_000;
    private static final int STDIN = 0;

    private final Tty.Settings saved;
    private boolean raw;

    private Terminal(Tty.Settings saved) { this.saved = saved; }

    /**
     * The terminal on standard input, or null when stdin is not a terminal (a pipe, a file,
     * /dev/null). Pipes and files are recognised from {@code /proc/self/fd/0} without native calls.
     */
    public static Terminal onStdin() {
        if (!mayBeTerminal() || !Tty.isatty(STDIN)) return null;
        Tty.Settings s = Tty.get(STDIN);
        return s == null ? null : new Terminal(s);
    }

    /** False when fd 0 is certainly not a terminal (pipe, socket, regular file, /dev/null). */
    static boolean mayBeTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return mayBeTerminal(target);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return true; // cannot tell: ask isatty
        }
    }

    static boolean mayBeTerminal(String fd0Target) {
        if (fd0Target.startsWith("pipe:") || fd0Target.startsWith("socket:") || fd0Target.startsWith("anon_inode:")) {
            return false;
        }
        if (fd0Target.equals("/dev/null") || fd0Target.equals("/dev/zero")) return false;
        Path p = Path.of(fd0Target);
        return !Files.isRegularFile(p) && !Files.isDirectory(p);
    }

    /** Sets raw mode without echo; returns false (and leaves the terminal as it was) on failure. */
    public synchronized boolean enterRaw() {
        raw = Tty.set(STDIN, saved.raw(), SET_TIMEOUT_MS);
        if (!raw) Tty.set(STDIN, saved, SET_TIMEOUT_MS); // undo a partial change
        return raw;
    }

    /** Whether raw mode is set (not yet restored). */
    public synchronized boolean isRaw() { return raw; }

    /**
     * Puts the saved settings back if raw mode is set; idempotent, thread-safe, and bounded by
     * {@link #SET_TIMEOUT_MS}. Returns whether the terminal is (now) in its saved state as far as
     * we know.
     */
    public synchronized boolean restore() {
        if (!raw) return true;
        raw = false; // a failure (e.g. the terminal hung up) is not retried
        return Tty.set(STDIN, saved, SET_TIMEOUT_MS);
    }
}
