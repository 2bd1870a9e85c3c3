package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnclaimedLogTest {
    @Test
    void aMillionPollsOfOnePortAreAFewLines() {
        List<String> lines = new ArrayList<>();
        UnclaimedLog log = new UnclaimedLog("port", () -> true, lines::add);
        for (long n = 1; n <= 1_000_000; n++) log.unclaimed(false, 0x1f7, 1, 0xff, n);
        // 3 single lines, then 10, 100, ..., 1e6
        assertEquals(UnclaimedLog.FIRST + 6, lines.size(), lines.toString());
        assertEquals("unclaimed port read 0x1f7 size 1", lines.get(0));
        assertTrue(lines.get(lines.size() - 1).contains("0x1f7: 1000000 accesses so far"), lines.toString());
    }

    @Test
    void writesShowTheValueAndAddressesAreLimitedSeparately() {
        List<String> lines = new ArrayList<>();
        UnclaimedLog log = new UnclaimedLog("MMIO", () -> true, lines::add);
        log.unclaimed(true, 0xfed00000L, 4, 0x1234, 1);
        log.unclaimed(true, 0xfed00004L, 2, 0xbeef, 1);
        assertEquals(List.of("unclaimed MMIO write 0xfed00000 size 4 value 0x1234",
                "unclaimed MMIO write 0xfed00004 size 2 value 0xbeef"), lines);
    }

    @Test
    void untrackedAddressesShareOneRateLimitedCounter() {
        List<String> lines = new ArrayList<>();
        UnclaimedLog log = new UnclaimedLog("port", () -> true, lines::add);
        for (int i = 0; i < 5000; i++) log.unclaimed(false, 0x1000 + i, 1, 0xff, 0);
        assertEquals(4, lines.size(), lines.toString()); // 1, 10, 100, 1000
    }

    @Test
    void silentUnlessEnabled() {
        List<String> lines = new ArrayList<>();
        UnclaimedLog log = new UnclaimedLog("port", () -> false, lines::add);
        log.unclaimed(false, 0x80, 1, 0xff, 1);
        assertTrue(lines.isEmpty());
    }
}
