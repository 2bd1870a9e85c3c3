package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.guest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.arch.x86.CpuMode;
import org.junit.jupiter.api.Test;

/** guest/src/asm/pagefault.S: a jump to unmapped 0x400000000000 with no IDT ends in a triple fault. */
@RequiresKvm
class PageFaultTripleFaultTest {
    @Test
    void jumpToUnmappedAddressTripleFaultsWithACrashReport() throws Exception {
        RunResult r = guest("pagefault.bin").raw(0x100000, 0x100000, CpuMode.LONG).memory(8L << 20).build().run();
        String report = r.crashReport();
        assertEquals(Outcome.TRIPLE_FAULT, r.outcome(), r.message() + "\n" + r.serialText());
        assertEquals(125, r.exitStatus());
        assertEquals("pagefault: jumping to 0x0000400000000000\r\n", r.serialText());
        assertTrue(report.contains("triple fault"), report);
        // What the report holds today: the registers at the shutdown, CR2 and the exit log.
        assertTrue(report.contains("rip   =0000400000000000"), report);
        assertTrue(report.contains("cr2=0000400000000000"), report);
        assertTrue(report.contains("shutdown       0x0 rip=0x400000000000"), report);
        assertTrue(report.contains("0x400000000000") || report.contains("0000400000000000"), report);
        // The page-walk part of the report (written elsewhere) should show the walk of
        // 0x400000000000 from CR3 = 0x2000 stopping at PML4 entry 128 (at 0x2400), not present;
        // not asserted here until that report exists.
    }
}
