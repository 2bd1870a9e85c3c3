package io.minivmm.kvm.sys;

/**
 * Loads minivmm's native layer (JNA, libc, libminivmm.so) on a background thread, so that a
 * process that is about to boot a guest does it while its main thread parses the command line
 * and reads the image, on the other CPU. The CLI starts it first thing; a library user need not.
 *
 * <p>Nothing changes but timing: the classes initialised here are the ones the first ioctl or
 * mmap would initialise anyway (a thread that needs one while it is being initialised waits for
 * it, as the JVM specifies). If initialising fails (say JNA cannot load its native library), the
 * later use fails too, with {@code NoClassDefFoundError}; {@link #failure()} keeps the original
 * error so that the caller can report it instead.
 */
public final class NativeWarmUp implements Runnable {
    private NativeWarmUp() {}

    private static volatile Throwable failure;
    private static Thread thread;

    /** Starts the warm-up once per process (later calls do nothing). */
    public static synchronized void start() {
        if (thread != null) return;
        // A Runnable, not a method reference: a JVM's first lambda bootstraps java.lang.invoke
        // (~6 ms here), and the thread would start only after it.
        thread = new Thread(new NativeWarmUp(), "minivmm-native-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The part of the warm-up that the calling thread does meanwhile (call it right after
     * {@link #start()}), so that the two threads share it. JNA's classes hold java.util.logging
     * loggers, and starting java.util.logging looks up a {@code System.LoggerFinder} service:
     * a search of every JDK module and of the class path, a step of the JDK's, not JNA's. With
     * {@code java -jar} that opens the application jar (its 4,000-entry central directory and
     * manifest, ~5-9 ms interpreted); the launcher's class path ends the search before the jar
     * (vmm's {@code JulLoggerFinder}). The same lookup here does it first, while the warm-up
     * thread loads JNA; its results are kept. (JNA's other such step, reading the
     * {@code @FieldOrder} annotation of its {@code Structure.FFIType}, is not needed at all:
     * {@link JnaFieldOrder}.)
     */
    public static void shareWork() {
        NativeWarmUp.class.getClassLoader().getResource("META-INF/services/java.lang.System$LoggerFinder");
    }

    @Override
    public void run() {
        try {
            ClassLoader l = NativeWarmUp.class.getClassLoader();
            for (String c : new String[] {"io.minivmm.kvm.sys.LibcMemory", "io.minivmm.kvm.sys.LibC",
                    "io.minivmm.kvm.sys.NativeStubs", "io.minivmm.kvm.sys.Structs"}) {
                Class.forName(c, true, l);
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** The error the warm-up met, or null (none yet, or it was never started). */
    public static Throwable failure() {
        return failure;
    }
}
