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
