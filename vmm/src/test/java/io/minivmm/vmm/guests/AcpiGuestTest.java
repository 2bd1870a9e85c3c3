package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.assertLine;
import static io.minivmm.vmm.guests.TestGuests.assertPassed;
import static io.minivmm.vmm.guests.TestGuests.guest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.arch.x86.CpuMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * guest/src/asm/acpi.S on a real vCPU: a 64-bit kernel finds the RSDP by the standard scan,
 * checks the checksums, walks XSDT → MADT and counts the enabled local APICs.
 */
@RequiresKvm
class AcpiGuestTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void kernelCountsTheMadtsCpus(int cpus) throws Exception {
        RunResult r = guest("acpi.bin").raw(0x100000, 0x100000, CpuMode.LONG).cpus(cpus).memory(16L << 20).build().run();
        assertPassed(r);
        // Found through the EBDA pointer at 0x40E, in the EBDA's first KiB.
        Matcher m = Pattern.compile("acpi: ebda=0x(\\p{XDigit}{16}) rsdp=0x(\\p{XDigit}{16})\r\n").matcher(r.serialText());
        assertTrue(m.lookingAt(), r.serialText());
        long ebda = Long.parseLong(m.group(1), 16), rsdp = Long.parseLong(m.group(2), 16);
        assertTrue(ebda >= 0x80000 && ebda < 0xa0000 && rsdp >= ebda + 16 && rsdp + 36 <= ebda + 1024, r.serialText());
        assertLine(r, "acpi: madt lapics=0x" + String.format("%016x", cpus));
    }

    @Test
    void withoutAcpiTheScanFindsNothing() throws Exception {
        RunResult r = guest("acpi.bin").raw(0x100000, 0x100000, CpuMode.LONG).cpus(2).acpi(false).memory(16L << 20).build().run();
        assertEquals(Outcome.GUEST_EXIT, r.outcome(), r.message() + r.serialText());
        assertEquals(1, r.exitStatus(), r.serialText());
        assertLine(r, "FAIL: check 0x0000000000000001");
    }
}
