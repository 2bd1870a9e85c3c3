package io.minivmm.vmm.gdb;

/** For tests in other packages that drive the real gdb. */
public final class GdbTestSupport {
    private GdbTestSupport() {}

    /** Whether {@code gdb --version} runs. */
    public static boolean gdbInstalled() { return GdbHarness.gdbInstalled(); }
}
