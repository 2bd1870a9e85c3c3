package io.minivmm.vmm.loader;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SymbolsTest {
    static Path vmlinux() {
        for (Path p : new Path[] {Path.of("/work/shared/images/linux-tiny.vmlinux"),
                Path.of("..", "..", "shared", "images", "linux-tiny.vmlinux"), Path.of("..", "shared", "images", "linux-tiny.vmlinux")}) {
            if (Files.isReadable(p)) return p;
        }
        return null;
    }

    @Test
    void namesAddressesInTheRealKernel() throws Exception {
        Path p = vmlinux();
        Assumptions.assumeTrue(p != null, "../shared/images/linux-tiny.vmlinux not present");
        Symbols s = Symbols.fromElf(Files.readAllBytes(p));
        assertTrue(s.count() > 10_000, "symbols: " + s.count());
        assertEquals("pvh_start_xen", s.lookup(0xffffffff81000500L));
        assertEquals("start_kernel+0x10", s.lookup(0xffffffff818c09b4L + 0x10));
        assertNull(s.lookup(0x7fff_0000_0000L), "nothing in user space");
    }

    @Test
    void garbageGivesAnEmptyTableNotAnException() {
        Random r = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[64 + r.nextInt(512)];
            r.nextBytes(b);
            b[0] = 0x7f; b[1] = 'E'; b[2] = 'L'; b[3] = 'F'; b[4] = 2;
            Symbols s = Symbols.fromElf(b);
            assertNotNull(s);
            s.lookup(r.nextLong());
        }
        assertEquals(0, Symbols.fromElf(new byte[10]).count());
    }
}
