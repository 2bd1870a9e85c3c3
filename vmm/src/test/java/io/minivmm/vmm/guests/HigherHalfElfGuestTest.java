package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.assertLine;
import static io.minivmm.vmm.guests.TestGuests.assertPassed;
import static io.minivmm.vmm.guests.TestGuests.guest;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.RunResult;
import org.junit.jupiter.api.Test;

/** guest/src/asm/hh.elf64.S + hh.ld: a plain ELF64 linked at 0xffffffff80100000, loaded at 1 MiB. */
@RequiresKvm
class HigherHalfElfGuestTest {
    @Test
    void runsAtItsHigherHalfLinkAddressWithTheIdentityAlias() throws Exception {
        RunResult r = guest("hh.elf").memory(16L << 20).cmdline("minivmm-hh elf64=higher-half").build().run();
        assertPassed(r);
        assertLine(r, "hh: running at 0xffffffff80100000");
        assertLine(r, "write via identity seen via higher half");
        assertLine(r, "cmdline at 0x20000='minivmm-hh elf64=higher-half'");
        // Any page size the VMM chooses (4 KiB, 2 MiB, 1 GiB), as long as the walk lands on 1 MiB.
        assertTrue(r.serialText().matches("(?s).*page walk: _start -> 0x0000000000100000 \\(page shift 0x00000000000000(0c|15|1e)\\)\r\n.*"),
                r.serialText());
    }
}
