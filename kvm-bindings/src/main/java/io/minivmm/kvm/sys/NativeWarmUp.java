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
     * {@link #start()}), so that the two threads share it. The warm-up thread's path is the longer
     * one (the caller waits for it at its first mmap), and two of its steps are the JDK's, not
     * JNA's, and can be done by another thread first:
     * <ul>
     *   <li>JNA's classes hold java.util.logging loggers, and starting java.util.logging looks up
     *       a {@code System.LoggerFinder} service on the class path: that opens the application
     *       jar (its 4,000-entry central directory and manifest, ~5-9 ms interpreted). The same
     *       lookup here opens it first; the class loader keeps it open.</li>
     *   <li>JNA's first structure (its {@code Structure.FFIType}, which every direct-mapped
     *       registration needs) reads a {@code @FieldOrder} annotation, for which the JDK
     *       generates two proxy classes (~7 ms). Read here, the annotation is cached.</li>
     * </ul>
     * Together ~8-12 ms sooner to a tiny guest's first byte (alternating runs, docs/STARTUP.md).
     * Nothing of JNA is initialised here, and a JNA without that class leaves the work to the
     * warm-up thread.
     */
    public static void shareWork() {
        ClassLoader l = NativeWarmUp.class.getClassLoader();
        l.getResource("META-INF/services/java.lang.System$LoggerFinder");
        try {
            Class.forName("com.sun.jna.Structure$FFIType", false, l).getAnnotation(com.sun.jna.Structure.FieldOrder.class);
        } catch (ClassNotFoundException | LinkageError e) {
            // not this JNA: nothing to share
        }
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
