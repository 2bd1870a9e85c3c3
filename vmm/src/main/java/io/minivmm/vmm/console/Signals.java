package io.minivmm.vmm.console;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;

/**
 * POSIX signal handlers (TERM, INT, HUP) through the JDK's {@code sun.misc.Signal} (module
 * jdk.unsupported, present in every OpenJDK 17): the only JDK way to act on a signal before the
 * shutdown hooks, so the run can be stopped, its report written and the terminal restored in
 * order. Allowed by name in ArchitectureTest; no other class may use {@code sun.misc}. Not
 * jnr-posix's {@code signal()}, the design card's POSIX layer: it hands libc a jnr-ffi callback,
 * so Java code would run inside the signal handler (not async-signal-safe) instead of the JVM's
 * own handling; {@code sun.misc.Signal} runs handlers on the JVM's signal-dispatch thread.
 */
public final class Signals {
    private Signals() {}

    /** Called on the JVM's signal-dispatch thread; must not block for long. */
    public interface Handler {
        void onSignal(String name, int number);
    }


    /**
     * Installs {@code handler} for each named signal ("TERM", "INT", "HUP"); returns the names
     * it could not install for (empty when all were installed).
     */
    public static List<String> install(Handler handler, String... names) {
        List<String> failed = new ArrayList<>();
        for (String name : names) {
            try {
                Signal.handle(new Signal(name), new Dispatch(name, handler));
            } catch (IllegalArgumentException e) {
                failed.add(name); // the signal is in use by the VM (e.g. -Xrs) or unknown here
            }
        }
        return failed;
    }

    /** A class rather than a lambda: one call site less to link at start-up (docs/STARTUP.md). */
    private static final class Dispatch implements sun.misc.SignalHandler {
        private final String name;
        private final Handler handler;

        Dispatch(String name, Handler handler) {
            this.name = name;
            this.handler = handler;
        }

        @Override
        public void handle(Signal sig) {
            handler.onSignal(name, sig.getNumber());
        }
    }
}
