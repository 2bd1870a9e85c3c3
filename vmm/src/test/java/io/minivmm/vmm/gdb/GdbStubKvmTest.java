package io.minivmm.vmm.gdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.Vm;
import io.minivmm.vmm.VmBuilder;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stub against the real gdb (batch mode), on the debugger guests gdbhh (a higher-half ELF64
 * with symbols: _start -> caller -> target_fn x3, then a spin loop until `release` is set, exit 42)
 * and gdbmb (a Multiboot kernel entered in 32-bit mode that switches to long mode and calls
 * lm_target twice, exit 42).
 */
@RequiresKvm
@Timeout(180)
class GdbStubKvmTest {
    static final Duration LIMIT = Duration.ofSeconds(90);
    static final String RELEASE = "set var *(long*)&release = 1";
    @TempDir
    static Path dir;
    static Path hh, mb;

    @BeforeAll
    static void guests() throws Exception {
        assumeTrue(GdbHarness.gdbInstalled(), "gdb is not installed (apt-get install gdb)");
        hh = GdbHarness.guestFile(dir, "gdbhh.elf");
        mb = GdbHarness.guestFile(dir, "gdbmb.elf");
    }

    static VmBuilder guest(Path p) { return Vm.builder().kernel(p).memory(32 << 20).timeout(Duration.ofSeconds(120)); }

    static void assertContains(String out, String regex) {
        assertTrue(Pattern.compile(regex, Pattern.MULTILINE).matcher(out).find(), "no /" + regex + "/ in gdb's output:\n" + out);
    }

    @Test
    void breakBacktracePrintExamineStepiThenDetachLetsTheGuestFinish() throws Exception {
        try (GdbHarness h = new GdbHarness(guest(hh), true)) {
            GdbHarness.Result r = h.gdb(hh, List.of(), List.of(
                    "info registers rip",
                    "break target_fn",
                    "continue",
                    "bt",
                    "continue",
                    "print (long)counter",
                    "x/4gx &counter",
                    "x/gx 0xffff800000000000",
                    "info registers rip",
                    "stepi",
                    "info registers rip",
                    "delete",
                    RELEASE,
                    "detach"), LIMIT);
            String out = r.gdbOutput();
            assertContains(out, "^rip\\s+0xffffffff80200000\\s+0xffffffff80200000 <_start>");
            assertContains(out, "Breakpoint 1, 0x[0-9a-f]+ in target_fn \\(\\)");
            assertContains(out, "#0  0x[0-9a-f]+ in target_fn \\(\\)\\n#1  0x[0-9a-f]+ in caller \\(\\)\\n#2  0x[0-9a-f]+ in _start \\(\\)");
            assertContains(out, "^\\$1 = 1$"); // the second hit: target_fn ran once to its end
            assertContains(out, "<counter>:\\s+0x0000000000000001\\s+0x0000000000000011");
            assertContains(out, "Cannot access memory at address 0xffff800000000000");
            // stepi moves RIP by one instruction (target_fn's first is the 7-byte mov counter(%rip), %rax).
            Matcher m = Pattern.compile("^rip\\s+0x([0-9a-f]+)\\s+0x[0-9a-f]+ <target_fn\\+(\\d+)>", Pattern.MULTILINE).matcher(out);
            assertTrue(m.find(), out);
            long before = Long.parseUnsignedLong(m.group(1), 16);
            assertTrue(m.find(), out);
            assertEquals(before + 7, Long.parseUnsignedLong(m.group(1), 16), out);
            assertContains(out, "detached");
            assertEquals(Outcome.GUEST_EXIT, r.run().outcome(), out + r.run().serialText());
            assertEquals(42, r.run().exitStatus());
        }
    }

    @Test
    void watchpointFiresOnTheWrite() throws Exception {
        try (GdbHarness h = new GdbHarness(guest(hh), true)) {
            GdbHarness.Result r = h.gdb(hh, List.of(), List.of(
                    "watch *(long*)&watched",
                    "continue",
                    "continue",
                    "delete",
                    RELEASE,
                    "continue"), LIMIT);
            String out = r.gdbOutput();
            assertContains(out, "Hardware watchpoint 1: \\*\\(long\\*\\)&watched");
            assertContains(out, "Old value = 0\\nNew value = 17\\n0x[0-9a-f]+ in target_fn \\(\\)");
            assertContains(out, "Old value = 17\\nNew value = 34");
            assertContains(out, "exited with code 052");
            assertEquals(42, r.run().exitStatus());
        }
    }

    @Test
    void hbreakInLongModeCodeOfAMultibootKernelEnteredIn32BitMode() throws Exception {
        try (GdbHarness h = new GdbHarness(guest(mb), true)) {
            // A 32-bit ELF makes gdb pick i386; the stub's x86-64 description needs the 64-bit architecture first.
            GdbHarness.Result r = h.gdb(mb, List.of("set architecture i386:x86-64"), List.of(
                    "info registers rip cs cr0",
                    "hbreak lm_target",
                    "continue",
                    "bt",
                    "info registers rip cs efer",
                    "continue",
                    "delete",
                    "continue"), LIMIT);
            String out = r.gdbOutput();
            assertContains(out, "^rip\\s+0x10000c\\s+0x10000c <_start>"); // the 32-bit entry, paging off
            assertContains(out, "^cr0\\s+0x11\\s");
            assertContains(out, "Hardware assisted breakpoint 1 at 0x[0-9a-f]+");
            assertContains(out, "Breakpoint 1, 0x[0-9a-f]+ in lm_target \\(\\)");
            assertContains(out, "#1  0x[0-9a-f]+ in long_main \\(\\)");
            assertContains(out, "^cs\\s+0x8\\s");
            assertContains(out, "^efer\\s+0x500\\s"); // LME + LMA: long mode
            assertContains(out, "exited with code 052");
            assertEquals(42, r.run().exitStatus());
        }
    }

    @Test
    void ctrlCInterruptsASpinningGuestAndMonitorCommandsPrint() throws Exception {
        try (GdbHarness h = new GdbHarness(guest(hh), false)) {
            // Not held: the guest is already spinning when gdb attaches and continues.
            Thread.sleep(500);
            Process p = h.startGdb(hh, List.of(), List.of(
                    "continue",
                    "info registers rip",
                    "print (long)spin_count > 0",
                    "monitor crash-report",
                    "monitor page-walk 0xffffffff80200000",
                    "monitor memory-map",
                    "monitor exits",
                    "monitor phys 0x200000 16",
                    "monitor bogus",
                    RELEASE,
                    "detach"));
            Thread.sleep(3000);
            h.interruptGdb();
            GdbHarness.Result r = h.finish(p, LIMIT);
            String out = r.gdbOutput();
            assertContains(out, "Program received signal SIGINT, Interrupt.");
            assertContains(out, "^rip\\s+0x[0-9a-f]+\\s+0x[0-9a-f]+ <(spin|_start)\\+\\d+>");
            assertContains(out, "^\\$1 = 1$");
            assertContains(out, "=== minivmm crash report: vcpu 0: stopped by gdb ===");
            assertContains(out, "PTE  \\[  0\\] .* -> 4K page, physical 0x200000");
            assertContains(out, "usable");
            assertContains(out, "exits by kind \\{.*io=\\d+");
            assertContains(out, "^0000000000200000:( [0-9a-f]{2}){16}");
            assertContains(out, "unknown monitor command 'bogus'");
            assertEquals(42, r.run().exitStatus(), out);
        }
    }

    @Test
    void infoThreadsListsEveryVcpu() throws Exception {
        try (GdbHarness h = new GdbHarness(guest(hh).cpus(2), true)) {
            GdbHarness.Result r = h.gdb(hh, List.of(), List.of(
                    "info threads",
                    "thread 2",
                    "info registers rip",
                    "thread 1",
                    RELEASE,
                    "detach"), LIMIT);
            String out = r.gdbOutput();
            assertContains(out, "^\\* 1    Thread 1 \\(vCPU 0\\) 0xffffffff80200000 in _start \\(\\)");
            assertContains(out, "^  2    Thread 2 \\(vCPU 1\\)");
            assertContains(out, "^rip\\s+0xfff0\\s"); // the AP waits for its SIPI at the reset vector
            assertEquals(42, r.run().exitStatus(), out);
        }
    }

    @Test
    void killEndsTheRunWithItsStatus() throws Exception {
        try (GdbHarness h = new GdbHarness(guest(hh), true)) {
            GdbHarness.Result r = h.gdb(hh, List.of(), List.of("kill"), LIMIT);
            assertEquals(Outcome.GDB_KILLED, r.run().outcome(), r.gdbOutput());
            assertEquals(137, r.run().exitStatus());
        }
    }

    /** A hostile client: garbage, a huge packet, bad checksums, a disconnect mid-packet; then a real gdb still works. */
    @Test
    void hostileClientNeitherCrashesNorHangsTheStub() throws Exception {
        try (GdbHarness h = new GdbHarness(guest(hh), true)) {
            int port = h.port();
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                OutputStream o = s.getOutputStream();
                InputStream in = s.getInputStream();
                byte[] junk = new byte[200_000];
                new java.util.Random(7).nextBytes(junk);
                for (int i = 0; i < junk.length; i++) if (junk[i] == 3) junk[i] = 4; // no Ctrl-C
                o.write(junk);
                o.write("$".getBytes(StandardCharsets.ISO_8859_1));
                o.write(new byte[100_000]); // a 100 KB packet
                o.write("#00$g#00$m0,ffffffffffffffff#00".getBytes(StandardCharsets.ISO_8859_1));
                o.write(PacketCodec.encode("m0,ffffffffffffffff"));
                o.write(PacketCodec.encode("Zx,zz,1"));
                o.write(PacketCodec.encode("p"));
                o.write(PacketCodec.encode("?"));
                o.flush();
                // The stub still answers: read until the '?' stop reply comes back.
                StringBuilder got = new StringBuilder();
                while (!got.toString().contains("T05thread:01;")) {
                    int b = in.read();
                    if (b < 0) break;
                    got.append((char) b);
                }
                assertTrue(got.toString().contains("T05thread:01;"), got.toString());
                assertTrue(got.toString().contains("$E22#"), got.toString()); // the malformed Z and p
                o.write("$m100000,4".getBytes(StandardCharsets.ISO_8859_1)); // and go away mid-packet
                o.flush();
            }
            GdbHarness.Result r = h.gdb(hh, List.of(), List.of("info registers rip", RELEASE, "detach"), LIMIT);
            assertContains(r.gdbOutput(), "^rip\\s+0xffffffff802000[0-9a-f]{2}\\s");
            assertEquals(42, r.run().exitStatus(), r.gdbOutput());
        }
    }
}
