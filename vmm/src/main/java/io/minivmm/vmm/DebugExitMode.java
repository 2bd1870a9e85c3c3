package io.minivmm.vmm;

/** Semantics of the debug-exit port 0xf4 (CLI contract: {@code --debug-exit}). */
public enum DebugExitMode {
    /** Exit status = value & 0xff. */
    EXACT,
    /** Exit status = (value << 1) | 1, like QEMU's isa-debug-exit. */
    QEMU,
    /** The port is not there (an unclaimed port). */
    OFF
}
