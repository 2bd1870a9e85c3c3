package io.minivmm.vmm.loader;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
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
        io.minivmm.vmm.ExternalFiles.assume(p != null, "../shared/images/linux-tiny.vmlinux not present");
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
            b[0] = 0x7f; b[1] = 'E'; b[2] = 'L'; b[3] = 'F'; b[4] = (byte) (1 + i % 2);
            Symbols s = Symbols.fromElf(b);
            assertNotNull(s);
            s.lookup(r.nextLong());
        }
        assertEquals(0, Symbols.fromElf(new byte[10]).count());
    }

    static byte[] guestElf(String name) throws Exception {
        try (var in = SymbolsTest.class.getResourceAsStream("/guests/" + name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }

    /** Multiboot 1 kernels are ELF32: their symbols name RIP too. */
    @Test
    void readsElf32SymbolTables() throws Exception {
        Symbols s = Symbols.fromElf(guestElf("mb1elf32.elf"));
        assertTrue(s.count() > 3, "symbols: " + s.count());
        assertEquals("mb_header", s.lookup(0x100000));
        assertEquals("_start", s.lookup(0x10000c));
        assertEquals("_start+0x4", s.lookup(0x100010));
    }

    /**
     * 4096 symbols whose names all start in an 8 MiB string table without a NUL: reading each
     * name to the end of the table would need 32 GiB of strings. Bounded: names are cut at
     * {@link Symbols#MAX_NAME} bytes.
     */
    @Test
    void namesRunningIntoAHugeUnterminatedStringTableAreBounded() {
        int syms = 4096, strLen = 8 << 20;
        int shoff = 64, symOff = shoff + 3 * 64, strOff = symOff + syms * 24;
        byte[] img = new byte[strOff + strLen];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(img).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        img[0] = 0x7f; img[1] = 'E'; img[2] = 'L'; img[3] = 'F'; img[4] = 2; img[5] = 1;
        b.putLong(0x28, shoff).putShort(0x3a, (short) 64).putShort(0x3c, (short) 3);
        int sym = shoff + 64, str = shoff + 128;
        b.putInt(sym + 4, 2).putLong(sym + 0x18, symOff).putLong(sym + 0x20, (long) syms * 24).putInt(sym + 0x28, 2)
                .putLong(sym + 0x38, 24);
        b.putInt(str + 4, 3).putLong(str + 0x18, strOff).putLong(str + 0x20, strLen);
        for (int k = 0; k < syms; k++) {
            int e = symOff + k * 24;
            b.putInt(e, 1 + k).put(e + 4, (byte) 0x12).putLong(e + 8, 0x100000L + 16L * k).putLong(e + 16, 16);
        }
        java.util.Arrays.fill(img, strOff, img.length, (byte) 'A');
        long t0 = System.nanoTime();
        Symbols s = Symbols.fromElf(img);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(syms, s.count());
        assertEquals(Symbols.MAX_NAME, s.lookup(0x100000).length());
        assertTrue(ms < 5000, ms + " ms");
    }

    /** Seeded mutations of real ELF32 and ELF64 guests: never an exception, never unbounded. */
    @Test
    void mutatedGuestElvesNeverThrow() throws Exception {
        Random r = new Random(0x5eed);
        for (String name : new String[] {"mb1elf32.elf", "hh.elf", "mb2.elf", "pvh.elf"}) {
            byte[] base = guestElf(name);
            for (int i = 0; i < 1500; i++) {
                byte[] m = base.clone();
                int edits = 1 + r.nextInt(8);
                for (int k = 0; k < edits; k++) {
                    int at = r.nextInt(m.length);
                    switch (r.nextInt(4)) {
                        case 0 -> m[at] = (byte) r.nextInt();
                        case 1 -> m[at] = (byte) 0xff;
                        case 2 -> m[at] = 0;
                        default -> { if (at + 4 <= m.length) { m[at] = m[at + 1] = m[at + 2] = m[at + 3] = (byte) 0xff; } }
                    }
                }
                Symbols s = Symbols.fromElf(m);
                assertTrue(s.count() <= Symbols.MAX_SYMBOLS);
                s.lookup(r.nextLong());
                s.lookup(0x100000 + r.nextInt(0x10000));
            }
        }
    }
}
