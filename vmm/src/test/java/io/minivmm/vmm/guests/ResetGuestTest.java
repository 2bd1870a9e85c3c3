package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.guest;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.arch.x86.CpuMode;
import org.junit.jupiter.api.Test;

/** guest/src/asm/reset.16.S: the guest resets the machine; the run ends RESET with status 0. */
@RequiresKvm
class ResetGuestTest {
    @Test
    void i8042PulseResetLine() throws Exception {
        RunResult r = guest("reset.bin").raw(0x7c00, 0x7c00, CpuMode.REAL).memory(2L << 20).build().run();
        assertEquals(Outcome.RESET, r.outcome(), r.message() + "\n" + r.serialText());
        assertEquals(0, r.exitStatus());
        assertEquals("reset: i8042 command 0xfe\r\n", r.serialText());
        assertEquals(1L, r.portCounts().get("0x64"));
    }

    @Test
    void resetControlRegister() throws Exception {
        RunResult r = guest("reset.bin").raw(0x7c00, 0x7c20, CpuMode.REAL).memory(2L << 20).build().run();
        assertEquals(Outcome.RESET, r.outcome(), r.message() + "\n" + r.serialText());
        assertEquals(0, r.exitStatus());
        assertEquals("reset: 0xcf9 <- 0x02, 0x06\r\n", r.serialText());
        assertEquals(2L, r.portCounts().get("0xcf9"));
    }
}
