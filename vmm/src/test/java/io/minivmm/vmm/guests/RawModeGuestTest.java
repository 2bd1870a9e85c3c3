package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.assertLine;
import static io.minivmm.vmm.guests.TestGuests.assertPassed;
import static io.minivmm.vmm.guests.TestGuests.guest;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.arch.x86.CpuMode;
import org.junit.jupiter.api.Test;

/** guest/src/asm/rawreal.16.S, raw32.32.S and raw64.S: raw images entered in real, protected and long mode. */
@RequiresKvm
class RawModeGuestTest {
    /** An entry above 64 KiB: the VMM splits it into CS:IP = 1000:2345 (and DS = CS). */
    @Test
    void realModeEntryAbove64KiB() throws Exception {
        RunResult r = guest("rawreal.bin").raw(0x12000, 0x12345, CpuMode.REAL).memory(2L << 20).build().run();
        assertPassed(r);
        assertLine(r, "rawreal: CS:IP=0x1000:0x2345 DS=0x1000");
    }

    @Test
    void protectedMode() throws Exception {
        RunResult r = guest("raw32.bin").raw(0x100000, 0x100000, CpuMode.PROTECTED).memory(8L << 20).build().run();
        assertPassed(r);
        assertTrue(r.serialText().matches("(?s)raw32: cr0=0x[0-9a-f]{8} efer=0x00000000 cs=0x00000010 ds=0x00000018 ss=0x00000018 esp=0x[0-9a-f]{8}\r\n.*"),
                r.serialText());
        assertLine(r, "raw32: 32-bit protected mode, paging off");
    }

    @Test
    void longMode() throws Exception {
        RunResult r = guest("raw64.bin").raw(0x100000, 0x100000, CpuMode.LONG).memory(8L << 20).build().run();
        assertPassed(r);
        assertTrue(r.serialText().matches("(?s)raw64: cr0=0x[0-9a-f]{16} cr4=0x[0-9a-f]{16} efer=0x[0-9a-f]{16}\r\n"
                + "cr3=0x[0-9a-f]{16} cs=0x0000000000000010 rsp=0x[0-9a-f]{16}\r\n.*"), r.serialText());
        assertTrue(r.serialText().matches("(?s).*page walk: 0x100000 -> 0x0000000000100000 \\(page shift 0x00000000000000(0c|15|1e)\\)\r\n.*"),
                r.serialText());
        assertLine(r, "page walk: 0x400000000000 not present");
        assertLine(r, "raw64: 64-bit long mode, paging on");
    }
}
