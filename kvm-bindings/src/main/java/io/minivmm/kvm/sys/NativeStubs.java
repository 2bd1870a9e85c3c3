package io.minivmm.kvm.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * native-stubs' libminivmm.so: the vCPU kick signal, and clflush of a mapped range. JNA finds the library in the jar under
 * {@code linux-x86-64/} (and extracts it to a temporary file when it runs from a jar).
 */
public final class NativeStubs {
    private NativeStubs() {}

    static {
        // Loading by absolute path: loading by name makes JNA list every library directory
        // (~6,000 names, ~30 ms) before it looks in the jar. A copy extracted from a jar is
        // deleted when the JVM exits.
        JnaSearchPath.init();
        java.io.File f;
        try {
            f = Native.extractFromResourcePath("minivmm", NativeStubs.class.getClassLoader());
        } catch (java.io.IOException e) {
            throw new UnsatisfiedLinkError("libminivmm.so (native-stubs) is not on the classpath: " + e.getMessage());
        }
        if (f.getName().startsWith("jna")) f.deleteOnExit();
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
}
