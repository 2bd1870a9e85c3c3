package io.minivmm.kvm.posix;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The native bindings load and answer for descriptors that are not terminals (a pty is tested in vmm's TerminalIT). */
class TtyTest {
    @Test
    void aBadDescriptorIsNoTerminalAndHasNoSettings() {
        assertFalse(Tty.isatty(-1));
        assertNull(Tty.get(-1));
        assertFalse(Tty.isatty(1 << 20), "not open");
    }
}
