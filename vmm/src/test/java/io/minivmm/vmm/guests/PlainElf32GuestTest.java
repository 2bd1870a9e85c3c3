package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.assertLine;
import static io.minivmm.vmm.guests.TestGuests.assertPassed;
import static io.minivmm.vmm.guests.TestGuests.guest;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.RunResult;
import org.junit.jupiter.api.Test;

/** guest/src/asm/elf32.elf32.S: a plain ELF32 (no Multiboot, no PVH), entered in 32-bit protected mode. */
@RequiresKvm
class PlainElf32GuestTest {
    static final String CMDLINE = "minivmm-elf32 plain=yes";

    @Test
    void enteredInProtectedModeWithTheCommandLineAt0x20000() throws Exception {
        RunResult r = guest("elf32.elf").memory(8L << 20).cmdline(CMDLINE).build().run();
        assertPassed(r);
        assertTrue(r.serialText().startsWith("elf32: entered at 0x00100000 cr0=0x"), r.serialText());
        assertLine(r, "cmdline at 0x20000='" + CMDLINE + "'");
    }
}
