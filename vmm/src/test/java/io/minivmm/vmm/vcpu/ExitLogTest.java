package io.minivmm.vmm.vcpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExitLogTest {
    @Test
    void countsByPortAcrossTheWholePortSpace() {
        ExitLog log = new ExitLog();
        for (int port : new int[] {0, 0xff, 0x100, 0x3f8, 0x3f8, 0x3f8, 0xfffe, 0xffff}) {
            log.countPort(port);
        }
        assertEquals(1, log.byPort(0));
        assertEquals(1, log.byPort(0xff));
        assertEquals(1, log.byPort(0x100));
        assertEquals(3, log.byPort(0x3f8));
        assertEquals(0, log.byPort(0x3f9));
        assertEquals(0, log.byPort(0x1234));   // a block no exit touched
        assertEquals(1, log.byPort(0xffff));
        assertEquals(1, log.byPort(0xfffe));
        assertEquals(3, log.byPort(0x1_03f8)); // callers' ints are taken modulo the port space
    }

    @Test
    void usedPortsAndCopiesListOnlyPortsWithExits() {
        ExitLog log = new ExitLog();
        for (int port : new int[] {0x3f8, 0x80, 0xffff, 0x3f8, 0x1f0}) log.countPort(port);
        for (int i = 0; i < 40; i++) log.countPort(0x4000 + i); // more than the first array holds
        int[] used = log.usedPorts();
        assertEquals(44, used.length);
        assertEquals(List.of(0x80, 0x1f0, 0x3f8, 0x4000), List.of(used[0], used[1], used[2], used[3]));
        assertEquals(0xffff, used[43]);
        long[] c = new long[0x10000];
        java.util.Arrays.fill(c, 7);
        log.copyPortCounts(c);
        assertEquals(2, c[0x3f8]);
        assertEquals(1, c[0xffff]);
        assertEquals(0, c[0x3f9]);
        assertEquals(0, c[0x1234]); // a page with no exits is zeroed too
        assertEquals(44 + 1, java.util.Arrays.stream(c).sum());
    }

    @Test
    void ringKeepsTheLastExitsOldestFirst() {
        ExitLog log = new ExitLog();
        for (int i = 0; i < ExitLog.SIZE + 3; i++) log.record(2, i, i % 2 == 0, 0x1000 + i);
        List<ExitLog.Entry> e = log.entries();
        assertEquals(ExitLog.SIZE, e.size());
        assertEquals(3, e.get(0).address());
        assertEquals(ExitLog.SIZE + 2, e.get(ExitLog.SIZE - 1).address());
        assertEquals(ExitLog.SIZE + 3, log.count());
        assertEquals(ExitLog.SIZE + 3, log.byReason(2));
    }
}
