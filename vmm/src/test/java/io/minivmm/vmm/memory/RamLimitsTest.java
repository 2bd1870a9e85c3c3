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

    /** The hand-written lookups find what the regular expressions they replaced found (seeded fuzz). */
    @Test
    void lookupsAgreeWithTheRegularExpressions() {
        java.util.regex.Pattern bits = java.util.regex.Pattern.compile("address sizes\\s*:\\s*(\\d+) bits physical");
        java.util.regex.Pattern mem = java.util.regex.Pattern.compile("(?m)^MemTotal:\\s*(\\d+) kB");
        String[] pieces = {"address sizes", "\t", " ", ":", "39", "4", "0", " bits physical", " bits virtual", "\n",
                "MemTotal:", "SwapTotal:", " kB", "kB", "x", "MemTotal: 5 kB"};
        java.util.Random r = new java.util.Random(31337);
        for (int n = 0; n < 100_000; n++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(12); k > 0; k--) sb.append(pieces[r.nextInt(pieces.length)]);
            String t = sb.toString();
            java.util.regex.Matcher b = bits.matcher(t), m = mem.matcher(t);
            int wantBits = b.find() ? intOr(b.group(1)) : -1;
            long wantMem = m.find() ? kibOr(m.group(1)) : -1;
            assertEquals(wantBits, RamLimits.physBits(t), t);
            assertEquals(wantMem, RamLimits.meminfoBytes(t, "MemTotal"), t);
        }
        assertEquals(39, RamLimits.physBits(CPU39));
        assertEquals(16L << 30, RamLimits.meminfoBytes(MEM16G, "MemTotal"));
        assertEquals(-1, RamLimits.meminfoBytes("XMemTotal: 5 kB\n", "MemTotal"), "a key in the middle of a line");
        assertEquals(-1, RamLimits.physBits("address sizes : 99999999999 bits physical"), "no overflow");
    }

    private static int intOr(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long kibOr(String digits) {
        try {
            return Long.parseLong(digits) << 10;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Test
    void theHostsOwnProcFilesAreRead() {
        assertNull(RamLimits.check(1L << 20), "1 MiB fits any host");
        // 2^52 bytes is beyond any x86 host's physical address width and RAM: only a check that
        // read /proc/cpuinfo and /proc/meminfo can say so.
        assertNotNull(RamLimits.check(1L << 52), "the host's limits were read");
    }
}
