package io.minivmm.kvm.x86;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.sys.Uapi;
import org.junit.jupiter.api.Test;

/** The DR7 encoding of {@link GuestDebug.Builder}, without KVM. */
class GuestDebugTest {
    @Test
    void controlBitsAreTheUapiOnes() {
        assertEquals(Uapi.KVM_GUESTDBG_ENABLE, GuestDebug.ENABLE);
        assertEquals(Uapi.KVM_GUESTDBG_SINGLESTEP, GuestDebug.SINGLESTEP);
        assertEquals(Uapi.KVM_GUESTDBG_USE_SW_BP, GuestDebug.USE_SW_BP);
        assertEquals(Uapi.KVM_GUESTDBG_USE_HW_BP, GuestDebug.USE_HW_BP);
        assertEquals(Uapi.KVM_GUESTDBG_INJECT_DB, GuestDebug.INJECT_DB);
        assertEquals(Uapi.KVM_GUESTDBG_INJECT_BP, GuestDebug.INJECT_BP);
        assertEquals(Uapi.KVM_GUESTDBG_BLOCKIRQ, GuestDebug.BLOCKIRQ);
    }

    @Test
    void dr7EncodesSlotKindAndLength() {
        GuestDebug g = GuestDebug.builder()
                .hardwareBreakpoint(0, 0x1000, GuestDebug.Kind.EXECUTE, 1)
                .hardwareBreakpoint(3, 0x2008, GuestDebug.Kind.WRITE, 8)
                .hardwareBreakpoint(1, 0x3004, GuestDebug.Kind.READ_WRITE, 4)
                .build();
        assertEquals(GuestDebug.ENABLE | GuestDebug.USE_HW_BP, g.control());
        long[] dr = g.debugreg();
        assertEquals(0x1000, dr[0]);
        assertEquals(0x3004, dr[1]);
        assertEquals(0x2008, dr[3]);
        // G0 | G1 | G3, GE + bit 10; RW/LEN: slot0 00/00, slot1 11/11, slot3 01/10
        long want = 0x600 | 0x2 | 0x8 | 0x80 | (0xfL << 20) | (0x9L << 28);
        assertEquals(want, dr[7]);
        assertTrue(g.hardwareBreakpointEnabled(3));
        assertFalse(g.hardwareBreakpointEnabled(2));

        GuestDebug cleared = g.toBuilder().clearHardwareBreakpoint(0).clearHardwareBreakpoint(1)
                .clearHardwareBreakpoint(3).build();
        assertEquals(GuestDebug.DISABLED, cleared);
    }

    @Test
    void singleStepAndSoftwareBreakpointsImplyEnable() {
        GuestDebug g = GuestDebug.builder().singleStep(true).softwareBreakpoints(true).build();
        assertTrue(g.enabled());
        assertTrue(g.singleStep());
        assertEquals(GuestDebug.ENABLE | GuestDebug.SINGLESTEP | GuestDebug.USE_SW_BP, g.control());
        assertEquals(0, g.toBuilder().singleStep(false).softwareBreakpoints(false).build().control());
    }

    @Test
    void badBreakpointsAreRefused() {
        GuestDebug.Builder b = GuestDebug.builder();
        assertThrows(IllegalArgumentException.class, () -> b.hardwareBreakpoint(4, 0, GuestDebug.Kind.EXECUTE, 1));
        assertThrows(IllegalArgumentException.class, () -> b.hardwareBreakpoint(0, 0, GuestDebug.Kind.EXECUTE, 4));
        assertThrows(IllegalArgumentException.class, () -> b.hardwareBreakpoint(0, 0x1002, GuestDebug.Kind.WRITE, 4));
        assertThrows(IllegalArgumentException.class, () -> b.hardwareBreakpoint(0, 0, GuestDebug.Kind.WRITE, 3));
        assertThrows(IllegalArgumentException.class, () -> new GuestDebug(0, new long[7]));
    }
}
