package io.minivmm.kvm.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * native-stubs' libminivmm.so: the vCPU kick signal. JNA finds the library in the jar under
 * {@code linux-x86-64/} (and extracts it to a temporary file when it runs from a jar).
 */
public final class NativeStubs {
    private NativeStubs() {}

    static {
        // NATIVE: libminivmm.so is built by native-stubs and shipped on the classpath.
        Native.register(NativeStubs.class, NativeLibrary.getInstance("minivmm"));
    }

    public static native int minivmm_kick_signal(int offset);
    public static native int minivmm_install_kick_handler(int signo);
    public static native int minivmm_unblock_signal(int signo);
    public static native long minivmm_thread_self();
    public static native int minivmm_kick(long thread, int signo);
}
