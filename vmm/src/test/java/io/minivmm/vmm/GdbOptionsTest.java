package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.junit.jupiter.api.Test;

/** --gdb / --gdb-wait and QEMU's -s / -S on the command line. */
class GdbOptionsTest {
    static VmBuilder configure(String... args) throws Exception {
        CommandLine cl = new DefaultParser().parse(Main.options(), args);
        return Main.configure(cl);
    }

    @Test
    void addressesDefaultToLoopback() throws Exception {
        assertArrayEquals(new String[] {"127.0.0.1", "1234"}, Main.parseGdbAddress("1234"));
        assertArrayEquals(new String[] {"127.0.0.1", "1234"}, Main.parseGdbAddress(":1234"));
        assertArrayEquals(new String[] {"127.0.0.1", "1234"}, Main.parseGdbAddress("tcp::1234"));
        assertArrayEquals(new String[] {"0.0.0.0", "9000"}, Main.parseGdbAddress("0.0.0.0:9000"));
        assertArrayEquals(new String[] {"::1", "0"}, Main.parseGdbAddress("[::1]:0"));
        for (String bad : new String[] {"", "x", "70000", "host:", "1234:-1"}) {
            assertThrows(Main.UsageError.class, () -> Main.parseGdbAddress(bad), bad);
        }
    }

    @Test
    void qemuSpellingsAreRealOptions() throws Exception {
        VmBuilder s = configure("-s");
        assertEquals("127.0.0.1", s.gdb.host());
        assertEquals(1234, s.gdb.port());
        assertTrue(!s.gdb.waitForDebugger());
        VmBuilder both = configure("-s", "-S");
        assertTrue(both.gdb.waitForDebugger());
        VmBuilder onlyWait = configure("--gdb-wait"); // implies the default --gdb
        assertEquals(1234, onlyWait.gdb.port());
        assertEquals(4444, configure("--gdb", "4444").gdb.port());
        assertEquals(1234, configure("--gdb").gdb.port());
        assertNull(configure().gdb);
        assertThrows(Main.UsageError.class, () -> configure("-s", "--gdb", "99"));
        assertThrows(Main.UsageError.class, () -> configure("--gdb", "nope"));
    }

    @Test
    @io.minivmm.kvm.junit.RequiresKvm
    void aPortInUseIsAUsageErrorWithOneLine() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Vm.builder()
                    .gdb("127.0.0.1", taken.getLocalPort(), false, null).timeout(java.time.Duration.ofSeconds(5)).build().run());
            assertTrue(e.getMessage().startsWith("--gdb: cannot listen on 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
    }
}
