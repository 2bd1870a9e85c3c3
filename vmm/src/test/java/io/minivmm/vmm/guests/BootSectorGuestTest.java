package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.assertLine;
import static io.minivmm.vmm.guests.TestGuests.assertPassed;
import static io.minivmm.vmm.guests.TestGuests.guest;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.RunResult;
import org.junit.jupiter.api.Test;

/** guest/src/asm/bootsector.16.S: a 512-byte boot sector, detected by its 0x55AA signature. */
@RequiresKvm
class BootSectorGuestTest {
    @Test
    void bootSectorEntersRealModeAt0000_7c00WithDl80() throws Exception {
        RunResult r = guest("bootsector.bin").memory(2 << 20).build().run();
        assertPassed(r);
        assertLine(r, "bootsector: real mode, DL=0x80 CS:IP=0x0000:0x7c00");
    }
}
