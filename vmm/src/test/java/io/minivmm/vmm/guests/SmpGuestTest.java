package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.assertLine;
import static io.minivmm.vmm.guests.TestGuests.assertPassed;
import static io.minivmm.vmm.guests.TestGuests.guest;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.arch.x86.CpuMode;
import org.junit.jupiter.api.Test;

/** guest/src/asm/smp.32.S: the BSP starts the AP with INIT-SIPI-SIPI through its local APIC. */
@RequiresKvm
class SmpGuestTest {
    @Test
    void bspStartsTheApWithInitSipiSipi() throws Exception {
        RunResult r = guest("smp.bin").raw(0x100000, 0x100000, CpuMode.PROTECTED).cpus(2).memory(16L << 20).build().run();
        assertPassed(r);
        assertTrue(r.serialText().matches("(?s)smp: apic_base=0xfee009\\d\\d bsp apic id=0x00000000\r\n.*"), r.serialText());
        // Delivery modes ExtINT (7) and NMI (4); the mask bits are as KVM's reset left them.
        assertTrue(r.serialText().matches("(?s).*lint0=0x\\p{XDigit}{5}7\\p{XDigit}{2} lint1=0x\\p{XDigit}{5}4\\p{XDigit}{2}\r\n.*"), r.serialText());
        assertLine(r, "mp table checksums ok");
        assertLine(r, "mp table: processors=0x00000002");
        assertLine(r, "AP started: counter=0x00000001 ap apic id=0x00000001");
    }
}
