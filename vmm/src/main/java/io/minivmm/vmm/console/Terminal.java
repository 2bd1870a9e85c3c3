package io.minivmm.vmm.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Raw mode for the terminal on our standard input, without native code: {@code stty} run with
 * our stdin inherited reads and sets that terminal's settings. {@link #enterRaw()} saves the
 * settings ({@code stty -g}) and sets {@code stty raw -echo}; {@link #restore()} puts the saved
 * settings back, once, however often and from whichever thread it is called (the normal end, a
 * signal handler, a shutdown hook).
 */
public final class Terminal {
    private static final long STTY_TIMEOUT_MS = 5_000;

    private String saved;
    private boolean raw;

    private Terminal(String saved) { this.saved = saved; }

    /**
     * The terminal on standard input, or null when stdin is not a terminal (a pipe, a file,
     * /dev/null) or {@code stty} is not available. Cheap for pipes and files: they are recognised
     * from {@code /proc/self/fd/0} without starting a process.
     */
    public static Terminal onStdin() {
        if (!mayBeTerminal()) return null;
        try {
            Result r = stty(List.of("-g"));
            if (r.status != 0) return null; // "Inappropriate ioctl for device": not a terminal
            String s = r.out.strip();
            return s.isEmpty() ? null : new Terminal(s);
        } catch (IOException e) {
            return null; // no stty: behave as for a byte stream
        }
    }

    /** False when fd 0 is certainly not a terminal (pipe, socket, regular file, /dev/null). */
    static boolean mayBeTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return mayBeTerminal(target);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return true; // cannot tell: ask stty
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

    /** The settings saved before raw mode, in {@code stty -g} form. */
    public synchronized String savedSettings() { return saved; }

    /** Sets raw mode without echo; returns false (and leaves the terminal as it was) on failure. */
    public synchronized boolean enterRaw() {
        try {
            Result r = stty(List.of("raw", "-echo"));
            raw = r.status == 0;
            if (!raw) stty(List.of(saved)); // undo a partial change
            return raw;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether raw mode is set (not yet restored). */
    public synchronized boolean isRaw() { return raw; }

    /**
     * Puts the saved settings back if raw mode is set; idempotent and thread-safe. Returns
     * whether the terminal is (now) in its saved state as far as we know.
     */
    public synchronized boolean restore() {
        if (!raw) return true;
        try {
            Result r = stty(List.of(saved));
            raw = false; // a failure (e.g. the terminal hung up) is not retried
            return r.status == 0;
        } catch (IOException e) {
            raw = false;
            return false;
        }
    }

    private record Result(int status, String out) {}

    private static Result stty(List<String> args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add("stty");
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.INHERIT) // stty works on its stdin: ours
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        // Wait even when interrupted: the restore must not be skipped on an interrupted thread.
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STTY_TIMEOUT_MS);
        try {
            while (true) {
                try {
                    if (p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) break;
                    p.destroyForcibly();
                    return new Result(-1, "");
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.US_ASCII));
    }
}
