package io.minivmm.vmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 9 items 16-18 through the jar: the debug console, the panic status, the stall report. */
@RequiresKvm
class RunEndingsIT {
    @TempDir
    Path dir;

    /** A raw real-mode guest at 0x7c00 from bytes, with {@code extra} options. */
    private Jar.Run raw(byte[] code, String... extra) throws Exception {
        Path p = dir.resolve("g.bin");
        Files.write(p, code);
        List<String> args = new ArrayList<>(List.of("--kernel", p.toString()));
        args.addAll(Jar.RAW_REAL);
        args.addAll(List.of(extra));
        return Jar.run(Jar.command(args.toArray(String[]::new)));
    }

    /** Prints {@code text} on port {@code port} (mov dx,port; mov al,c; out dx,al ...), then the {@code tail}. */
    private static byte[] print(int port, String text, byte[] tail) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0xba, (byte) port, (byte) (port >> 8)});
        for (byte c : text.getBytes(StandardCharsets.ISO_8859_1)) b.writeBytes(new byte[] {(byte) 0xb0, c, (byte) 0xee});
        b.writeBytes(tail);
        return b.toByteArray();
    }

    private static final byte[] EXIT0 = {(byte) 0xb0, 0x00, (byte) 0xe6, (byte) 0xf4};
    private static final byte[] RESET = {(byte) 0xb0, (byte) 0xfe, (byte) 0xe6, 0x64, (byte) 0xeb, (byte) 0xfe};

    @Test
    void debugConsoleGoesToStderrOrIsMentionedOnce() throws Exception {
        byte[] code = print(0xe9, "Found no Xen signature!\n", EXIT0);
        Jar.Run shown = raw(code, "--debugcon", "stderr");
        assertEquals(0, shown.status(), shown.toString());
        assertTrue(shown.err().contains("Found no Xen signature!"), shown.toString());
        assertEquals(0, shown.out().length, "nothing on stdout: " + shown);

        Jar.Run off = raw(code);
        assertEquals(0, off.status(), off.toString());
        assertFalse(off.err().contains("Xen"), off.toString());
        assertEquals(1, off.err().lines().filter(l -> l.contains("debug console")).count(), off.toString());
        assertTrue(off.err().contains("24 bytes") && off.err().contains("--debugcon stderr"), off.toString());

        Path file = dir.resolve("debugcon.log");
        Jar.Run toFile = raw(code, "--debugcon", file.toString());
        assertEquals(0, toFile.status(), toFile.toString());
        assertEquals("Found no Xen signature!\n", Files.readString(file));
    }

    @Test
    void aPanickedGuestNeverExitsZero() throws Exception {
        byte[] code = print(0x3f8, "Kernel panic - not syncing: Attempted to kill init!\r\n", RESET);
        Jar.Run r = raw(code);
        assertEquals(123, r.status(), r.toString());
        assertTrue(r.err().contains("panicked") && r.err().contains("Attempted to kill init!"), r.toString());
        Jar.Run allowed = raw(code, "--allow-panic");
        assertEquals(0, allowed.status(), allowed.toString());
    }

    @Test
    void aTimeoutPrintsTheStallReport() throws Exception {
        byte[] poll = {(byte) 0xba, (byte) 0xf7, 0x01, (byte) 0xec, (byte) 0xeb, (byte) 0xfd}; // in al,0x1f7 for ever
        Jar.Run r = raw(poll, "--timeout", "2s");
        assertEquals(124, r.status(), r.toString());
        assertTrue(r.err().contains("stall report") && r.err().contains("0x1f7"), r.toString());
        assertFalse(r.err().contains("\tat "), r.toString());
    }
}
