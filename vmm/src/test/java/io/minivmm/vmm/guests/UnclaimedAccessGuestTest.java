package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.assertLine;
import static io.minivmm.vmm.guests.TestGuests.assertPassed;
import static io.minivmm.vmm.guests.TestGuests.guest;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.arch.x86.CpuMode;
import org.junit.jupiter.api.Test;

/** guest/src/asm/unclaimed.32.S: unclaimed ports and MMIO read as all ones, writes are ignored. */
@RequiresKvm
class UnclaimedAccessGuestTest {
    @Test
    void unclaimedPortAndMmioReadAllOnesAndTheRunGoesOn() throws Exception {
        RunResult r = guest("unclaimed.bin").raw(0x100000, 0x100000, CpuMode.PROTECTED).memory(256L << 20).build().run();
        assertPassed(r);
        assertLine(r, "port 0x1234: inb -> 0x5a5a5aff inw -> 0x5a5affff inl -> 0xffffffff");
        assertLine(r, "mmio 0xd0000000: byte -> 0x5a5a5aff word -> 0x5a5affff dword -> 0xffffffff");
        assertLine(r, "mmio 0xd0000000: after writes dword -> 0xffffffff");
        Long mmio = r.exitCounts().get("mmio");
        assertTrue(mmio != null && mmio >= 7, "mmio exits: " + r.exitCounts());
        Long port = r.portCounts().get("0x1234");
        assertTrue(port != null && port == 6, "exits on port 0x1234: " + r.portCounts());
    }

    /** The same at 8 bytes: a long-mode guest maps 0xd0000000 itself. */
    @Test
    void unclaimedMmioQuadwordsInLongMode() throws Exception {
        RunResult r = guest("unclaimed64.bin").raw(0x100000, 0x100000, CpuMode.LONG).memory(64L << 20).build().run();
        assertPassed(r);
        assertLine(r, "mmio 0xd0000000: qword -> 0xffffffffffffffff dword -> 0x00000000ffffffff byte -> 0x5a5a5a5a5a5a5aff");
        assertLine(r, "mmio 0xd0000008: after a qword write -> 0xffffffffffffffff");
        Long mmio = r.exitCounts().get("mmio");
        assertTrue(mmio != null && mmio >= 5, "mmio exits: " + r.exitCounts());
    }

    /** guest/src/asm/mmiosplit.S: page-crossing and string accesses reach the bus as 3/5/7-byte pieces. */
    @Test
    void oddLengthMmioAndRepInsIntoMmioAreOrdinaryGuestBehaviour() throws Exception {
        RunResult r = guest("mmiosplit.bin").raw(0x100000, 0x100000, CpuMode.LONG).memory(64L << 20).build().run();
        assertPassed(r);
        assertLine(r, "mmio qword at 0xd0000ffd -> 0xffffffffffffffff");
        assertLine(r, "mmio dword at 0xd0002ffe -> 0x00000000ffffffff");
        assertLine(r, "rep insb into mmio: done, qword -> 0xffffffffffffffff");
    }
}
