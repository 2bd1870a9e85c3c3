package io.minivmm.vmm.memory;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class RamLimitsTest {
    static final String CPU39 = "processor\t: 0\naddress sizes\t: 39 bits physical, 48 bits virtual\n";
    static final String MEM16G = "MemTotal:       16777216 kB\nSwapTotal:       1048576 kB\nCommitLimit:     9437184 kB\n";

    @Test
    void sizesTheHostCanBackPass() {
        assertNull(RamLimits.check(256L << 20, CPU39, MEM16G, "0"));
        assertNull(RamLimits.check(17L << 30, CPU39, MEM16G, "0"), "RAM plus swap");
        assertNull(RamLimits.check(1L << 40, null, null, null), "unknown limits are not applied");
    }

    @Test
    void moreThanRamAndSwapIsRefusedNamingIt() {
        String p = RamLimits.check(18L << 30, CPU39, MEM16G, "0");
        assertNotNull(p);
        assertTrue(p.contains("RAM and swap (17 GiB)"), p);
    }

    @Test
    void strictOvercommitUsesTheCommitLimit() {
        String p = RamLimits.check(10L << 30, CPU39, MEM16G, "2\n");
        assertNotNull(p);
        assertTrue(p.contains("commit limit (9 GiB"), p);
        assertNull(RamLimits.check(8L << 30, CPU39, MEM16G, "2"));
    }

    @Test
    void thePhysicalAddressWidthAndTheKvmSlotBound() {
        // 39 bits: 512 GiB of address space, RAM above 3 GiB starts at 4 GiB
        String p = RamLimits.check(600L << 30, CPU39, null, null);
        assertNotNull(p);
        assertTrue(p.contains("39-bit") && p.contains("511 GiB"), p);
        assertNull(RamLimits.check(511L << 30, CPU39, null, null));
        String slot = RamLimits.check(16L << 40, "address sizes : 52 bits physical", null, null);
        assertNotNull(slot);
        assertTrue(slot.contains("KVM memory slot"), slot);
    }
}
