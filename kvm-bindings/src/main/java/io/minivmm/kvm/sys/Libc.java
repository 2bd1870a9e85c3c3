package io.minivmm.kvm.sys;

import com.sun.jna.NativeLibrary;

/**
 * The C library, loaded once for every direct-mapped class in {@code sys}. Loaded by its soname:
 * asking JNA for "c" makes it run {@code /sbin/ldconfig -p} in a subprocess on every start
 * (~100 ms), because {@code libc.so} on Debian is a linker script, not a library.
 */
final class Libc {
    private Libc() {}

    static {
        JnaSearchPath.init();
        JnaFieldOrder.preset(); // before LibC's and LibcMemory's registrations need FFIType
    }

    // NATIVE: glibc's soname on x86-64 Linux, always present.
    static final NativeLibrary LIBRARY = NativeLibrary.getInstance("libc.so.6");
}
