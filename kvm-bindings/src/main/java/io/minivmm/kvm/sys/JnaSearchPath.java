package io.minivmm.kvm.sys;

/**
 * Keeps JNA from running {@code /sbin/ldconfig -p} at start-up. {@code NativeLibrary}'s class
 * initialiser builds a platform search path, and on Linux it does so by running
 * {@code ldconfig -p} in a subprocess (fork + exec + parse, ~0.1 s of every VMM start) unless
 * {@code jna.platform.library.path} is already set. minivmm never searches that path: libc is
 * loaded by its soname (the dynamic linker finds it) and libminivmm.so by absolute path. So the
 * property is set to the empty path when the user has not set it. Call {@link #init()} before
 * the first use of {@code com.sun.jna.NativeLibrary}.
 */
final class JnaSearchPath {
    private JnaSearchPath() {}

    static final String PROPERTY = "jna.platform.library.path";

    static void init() {
        if (System.getProperty(PROPERTY) == null) System.setProperty(PROPERTY, "");
    }
}
