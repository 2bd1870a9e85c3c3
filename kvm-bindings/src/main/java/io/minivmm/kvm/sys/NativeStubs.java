package io.minivmm.kvm.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * native-stubs' libminivmm.so: the vCPU kick signal, clflush of a mapped range, and a VM fd's
 * close that leaves KVM's teardown to the kernel (io_uring; see {@code VmFd.close}). Loaded from
 * the directory {@value #LIBRARY_DIR_PROPERTY} names when it holds the library, else JNA finds it
 * in the jar under {@code linux-x86-64/} (and extracts it to a temporary file when it runs from a
 * jar).
 */
public final class NativeStubs {
    private NativeStubs() {}

    /**
     * A directory holding an unpacked libminivmm.so (the launcher script that the build writes
     * sets it to its {@code lib/} directory): loaded from there, nothing is extracted from the jar.
     */
    public static final String LIBRARY_DIR_PROPERTY = "minivmm.library.path";

    static {
        // Loading by absolute path: loading by name makes JNA list every library directory
        // (~6,000 names, ~30 ms) before it looks in the jar. A copy extracted from a jar is
        // deleted when the JVM exits; an unpacked copy next to the launcher spares that
        // extraction on every start.
        JnaSearchPath.init();
        JnaFieldOrder.preset();
        java.io.File f = null;
        String dir = System.getProperty(LIBRARY_DIR_PROPERTY);
        if (dir != null && !dir.isEmpty()) {
            java.io.File unpacked = new java.io.File(dir, "libminivmm.so");
            if (unpacked.isFile()) f = unpacked;
        }
        if (f == null) {
            try {
                f = Native.extractFromResourcePath("minivmm", NativeStubs.class.getClassLoader());
            } catch (java.io.IOException e) {
                throw new UnsatisfiedLinkError("libminivmm.so (native-stubs) is not on the classpath: " + e.getMessage());
            }
            if (f.getName().startsWith("jna")) f.deleteOnExit();
        }
        // NATIVE: f is libminivmm.so, built by native-stubs for this platform.
        Native.register(NativeStubs.class, NativeLibrary.getInstance(f.getAbsolutePath()));
    }

    public static native int minivmm_kick_signal(int offset);
    public static native int minivmm_install_kick_handler(int signo);
    public static native int minivmm_unblock_signal(int signo);
    public static native long minivmm_thread_self();
    public static native int minivmm_kick(long thread, int signo);
    /** clflush of every {@code line}-byte cache line of [addr, addr+len), fenced; returns the line count. */
    public static native long minivmm_clflush_range(long addr, long len, long line);
    /** Closes a VM fd without waiting for the VM's teardown: 0, or -errno with fd still open. */
    public static native int minivmm_close_deferred(int fd);
}
