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
