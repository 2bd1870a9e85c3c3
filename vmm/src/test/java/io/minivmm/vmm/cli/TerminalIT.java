package io.minivmm.vmm.cli;

import io.minivmm.vmm.console.ConsoleSession;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The terminal comes back exactly as it was ({@code stty -g} before == after) however the run
 * ends: Ctrl-A x, --timeout, a triple fault, SIGTERM. Each case runs the jar on a pseudo-terminal
 * made by {@code script} (util-linux; Debian package bsdutils), in a shell that records
 * {@code stty -g} before and after, and the exit status.
 */
@RequiresKvm
class TerminalIT {
    private static final String BANNER = "echo guest ready\r\n";

    @TempDir
    Path dir;

    @BeforeEach
    void needsScriptAndStty() {
        Assumptions.assumeTrue(Jar.onPath("script"), "'script' is not installed (Debian: apt-get install bsdutils)");
        Assumptions.assumeTrue(Jar.onPath("stty"), "'stty' is not installed (Debian: apt-get install coreutils)");
    }

    /** The jar on a pty; what it prints, and the pty's settings before and after. */
    private final class OnPty implements AutoCloseable {
        final Process script;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final OutputStream keys;

        OnPty(List<String> vmmArgs) throws Exception { this(vmmArgs, new java.util.concurrent.CountDownLatch(0)); }

        /** {@code readOutput}: the terminal's output is read only once it is counted down (until then nobody reads the pty). */
        OnPty(List<String> vmmArgs, java.util.concurrent.CountDownLatch readOutput) throws Exception {
            String inner = "stty -g > before; " + Jar.shell(Jar.command(List.of(), vmmArgs))
                    + "; echo $? > rc; stty -g > after\n";
            Path sh = dir.resolve("run.sh");
            Files.writeString(sh, "cd '" + dir + "'\n" + inner);
            script = new ProcessBuilder("script", "-qfec", "sh " + sh, "/dev/null").redirectErrorStream(true).start();
            keys = script.getOutputStream();
            Thread t = new Thread(() -> {
                byte[] b = new byte[4096];
                try {
                    readOutput.await();
                    int n;
                    while ((n = script.getInputStream().read(b)) > 0) {
                        synchronized (out) {
                            out.write(b, 0, n);
                        }
                    }
                } catch (Exception ignored) {
                    // gone
                }
            });
            t.setDaemon(true);
            t.start();
        }

        String text() {
            synchronized (out) {
                return out.toString(StandardCharsets.ISO_8859_1);
            }
        }

        void awaitOutput(String s) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!text().contains(s)) {
                assertTrue(System.nanoTime() < end, "no '" + s + "' on the terminal: [" + text() + "]");
                Thread.sleep(20);
            }
        }

        void type(byte... b) throws Exception {
            keys.write(b);
            keys.flush();
        }

        /** Waits for the shell to finish; returns the VMM's exit status. */
        int finish() throws Exception {
            assertTrue(script.waitFor(60, TimeUnit.SECONDS), "script did not finish: [" + text() + "]");
            String rc = Files.readString(dir.resolve("rc")).strip();
            String before = Files.readString(dir.resolve("before")).strip();
            String after = Files.readString(dir.resolve("after")).strip();
            assertFalse(before.isEmpty());
            assertEquals(before, after, "the terminal settings were not restored; output: [" + text() + "]");
            return Integer.parseInt(rc);
        }

        Optional<ProcessHandle> vmm() {
            return script.descendants().filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                    .findFirst();
        }

        @Override
        public void close() {
            script.descendants().forEach(ProcessHandle::destroyForcibly);
            script.destroyForcibly();
        }
    }

    private List<String> echoArgs(String... extra) throws Exception {
        List<String> a = new ArrayList<>(List.of("--kernel", Jar.guest("echo", dir).toString()));
        a.addAll(Jar.BOOT_SECTOR);
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void ctrlAxQuitsWithStatusZeroAndRestoresTheTerminal() throws Exception {
        try (OnPty t = new OnPty(echoArgs("--timeout", "60s"))) {
            t.awaitOutput(BANNER);
            t.type((byte) 'a', (byte) 'b', (byte) 'c', (byte) '\r');
            t.awaitOutput("abc\r");
            t.type((byte) 0x01, (byte) 'x');
            assertEquals(0, t.finish());
            String out = t.text();
            assertFalse(out.contains("abcabc") || out.contains("abc\r\nabc"), "raw mode: no terminal echo: [" + out + "]");
            assertFalse(out.contains("minivmm:"), "Ctrl-A x ends quietly: [" + out + "]");
        }
    }

    /**
     * A guest that never reads COM1 (it prints "R" and spins): typed keys fill the UART's FIFO,
     * and Ctrl-A x still quits, because the escape is handled before the UART's flow control.
     */
    @Test
    void ctrlAxQuitsAGuestThatNeverReadsCom1() throws Exception {
        Path deaf = dir.resolve("deaf.bin");
        // mov dx, 0x3f8; mov al, 'R'; out dx, al; jmp $
        Files.write(deaf, new byte[] {(byte) 0xba, (byte) 0xf8, 0x03, (byte) 0xb0, 'R', (byte) 0xee, (byte) 0xeb, (byte) 0xfe});
        List<String> args = new ArrayList<>(List.of("--kernel", deaf.toString(), "--timeout", "60s"));
        args.addAll(Jar.RAW_REAL);
        try (OnPty t = new OnPty(args)) {
            t.awaitOutput("R");
            byte[] keys = new byte[64];
            java.util.Arrays.fill(keys, (byte) 'k');
            t.type(keys);
            Thread.sleep(300);
            long t0 = System.nanoTime();
            t.type((byte) 0x01, (byte) 'x');
            assertEquals(0, t.finish());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "quit took too long");
            assertTrue(t.text().contains(ConsoleSession.HINT), "the hint at start: [" + t.text() + "]");
        }
    }

    @Test
    void ctrlAhPrintsHelpAndCtrlACtrlAReachesTheGuest() throws Exception {
        try (OnPty t = new OnPty(echoArgs("--timeout", "60s"))) {
            t.awaitOutput(BANNER);
            t.type((byte) 0x01, (byte) 'h');
            t.awaitOutput("C-a x");
            t.type((byte) 0x01, (byte) 0x01, (byte) 'q', (byte) '\r');
            t.awaitOutput("\u0001q\r");
            t.type((byte) 0x04); // the guest's "done"
            assertEquals(0, t.finish());
        }
    }

    @Test
    void timeoutRestoresTheTerminal() throws Exception {
        Path loop = dir.resolve("loop.bin");
        Files.write(loop, new byte[] {(byte) 0xeb, (byte) 0xfe});
        List<String> args = new ArrayList<>(List.of("--kernel", loop.toString(), "--timeout", "300ms"));
        args.addAll(Jar.RAW_REAL);
        try (OnPty t = new OnPty(args)) {
            assertEquals(124, t.finish());
            assertTrue(t.text().contains("minivmm: timed out after 300 ms\r\n"), "printed after the restore: [" + t.text() + "]");
        }
    }

    @Test
    void tripleFaultRestoresTheTerminal() throws Exception {
        Path ud2 = dir.resolve("ud2.bin");
        Files.write(ud2, new byte[] {0x0f, 0x0b});
        try (OnPty t = new OnPty(List.of("--kernel", ud2.toString(), "--format", "raw", "--load-addr", "0x100000",
                "--entry", "0x100000", "--mode", "long", "--mem", "4M"))) {
            assertEquals(125, t.finish());
            String out = t.text();
            assertTrue(out.contains("triple fault"), out);
            assertFalse(out.replace("\r\n", "").contains("\n"), "the crash report is printed in cooked mode: [" + out + "]");
        }
    }

    /**
     * The flood guest on a pty whose output nobody reads: stdout and the terminal are full and
     * every write blocks. SIGTERM still ends the process (no stty child waiting for output to
     * drain), and the terminal's settings come back.
     */
    @Test
    void sigtermEndsTheRunOnAPtyNobodyReads() throws Exception {
        List<String> args = new ArrayList<>(List.of("--kernel", Jar.guest("flood", dir).toString(), "--timeout", "120s"));
        args.addAll(Jar.BOOT_SECTOR);
        java.util.concurrent.CountDownLatch read = new java.util.concurrent.CountDownLatch(1);
        try (OnPty t = new OnPty(args, read)) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Optional<ProcessHandle> vmm = Optional.empty();
            while (vmm.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(100);
                vmm = t.vmm();
            }
            ProcessHandle p = vmm.orElseThrow(() -> new AssertionError("no java process under script"));
            Thread.sleep(5000); // the flood fills the pty and the pipe behind it
            long t0 = System.nanoTime();
            assertTrue(p.destroy(), "SIGTERM");
            // ended = gone or a zombie: script, blocked writing to us, cannot reap it yet
            boolean ended = false;
            while (!ended && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20)) {
                ended = exited(p.pid());
                if (!ended) Thread.sleep(100);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            read.countDown(); // now drain, so that script and the shell can finish
            assertTrue(ended, "SIGTERM did not end the VMM within 20 s on a pty nobody reads");
            assertEquals(143, t.finish(), "ended after " + ms + " ms");
        }
    }

    private static boolean exited(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true; // gone
        }
    }

    @Test
    void sigtermRestoresTheTerminal() throws Exception {
        try (OnPty t = new OnPty(echoArgs("--timeout", "60s", "--report", dir.resolve("r.json").toString()))) {
            t.awaitOutput(BANNER);
            ProcessHandle vmm = t.vmm().orElseThrow(() -> new AssertionError("no java process under script"));
            assertTrue(vmm.destroy(), "SIGTERM"); // ProcessHandle.destroy sends SIGTERM on Linux
            assertEquals(143, t.finish());
            String report = Files.readString(dir.resolve("r.json"));
            assertTrue(report.contains("\"signal\": \"SIGTERM\""), report);
        }
    }
}
