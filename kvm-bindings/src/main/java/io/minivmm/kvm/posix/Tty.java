package io.minivmm.kvm.posix;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * A terminal's settings through termios, in-process: {@code isatty} (jnr-posix), and
 * {@code tcgetattr}/{@code tcsetattr}/{@code cfmakeraw} from libc (jnr-ffi). No {@code stty}
 * child process: setting the terminal never waits on another process, and {@link #set} uses
 * {@code TCSANOW}, which does not wait for pending output to drain (stty's {@code TCSADRAIN}
 * waits forever on a pseudo-terminal nobody reads). {@link #set} is bounded in time anyway.
 * <pre>{@code
 * if (Tty.isatty(0)) {
 *     Tty.Settings saved = Tty.get(0);
 *     Tty.set(0, saved.raw(), 1000);
 *     ...
 *     Tty.set(0, saved, 1000);
 * }
 * }</pre>
 */
public final class Tty {
    private Tty() {}

    /** glibc's {@code struct termios} on Linux is 60 bytes; a little room to spare. */
    static final int TERMIOS_BYTES = 64;
    /** tcsetattr: apply now, without waiting for output to drain. */
    static final int TCSANOW = 0;

    /** The libc functions used; public only for jnr-ffi's proxy. */
    public interface LibC {
        int tcgetattr(int fd, @Out byte[] termios);

        int tcsetattr(int fd, int optionalActions, @In byte[] termios);

        void cfmakeraw(@In @Out byte[] termios);
    }

    private static final class Holder {
        static {
            // jffi (under jnr-ffi) reads and writes native memory with sun.misc.Unsafe, whose
            // memory methods print a block of WARNING lines on Java 24 and later. Its own
            // native memory access is as correct and the terminal calls here are few: use it there,
            // unless the application chose otherwise.
            if (Runtime.version().feature() >= 24 && System.getProperty("jffi.unsafe.disabled") == null) {
                System.setProperty("jffi.unsafe.disabled", "true");
            }
        }

        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    }

    /** Opaque terminal settings (a copy of {@code struct termios}). */
    public static final class Settings {
        private final byte[] termios;

        private Settings(byte[] termios) { this.termios = termios.clone(); }

        /** These settings in raw mode ({@code cfmakeraw}: no echo, no line editing, no signals, 8 bits, no output processing). */
        public Settings raw() {
            byte[] t = termios.clone();
            Holder.LIBC.cfmakeraw(t);
            return new Settings(t);
        }

        byte[] bytes() { return termios.clone(); }
    }

    /** Whether {@code fd} is a terminal; false when native access fails. */
    public static boolean isatty(int fd) {
        try {
            return Holder.POSIX.isatty(fd) == 1;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** The settings of the terminal on {@code fd}, or null when it is not one (or native access fails). */
    public static Settings get(int fd) {
        try {
            byte[] t = new byte[TERMIOS_BYTES];
            return Holder.LIBC.tcgetattr(fd, t) == 0 ? new Settings(t) : null;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * Applies {@code settings} to {@code fd} now ({@code TCSANOW}). The call runs on a helper
     * thread and is abandoned after {@code timeoutMs}: a caller on a signal path never waits
     * longer than that, whatever the terminal does.
     *
     * @return whether the settings were applied within the time
     */
    public static boolean set(int fd, Settings settings, long timeoutMs) {
        byte[] t = settings.bytes();
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        Thread th = new Thread(() -> {
            try {
                f.complete(Holder.LIBC.tcsetattr(fd, TCSANOW, t) == 0);
            } catch (RuntimeException | LinkageError e) {
                f.complete(false);
            }
        }, "tty-set");
        th.setDaemon(true);
        th.start();
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try {
            while (true) {
                try {
                    return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true; // the restore must not be skipped on an interrupted thread
                } catch (ExecutionException | TimeoutException e) {
                    return false;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
