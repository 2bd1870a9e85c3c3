package io.minivmm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Piped standard input reaches the guest through COM1 and comes back on stdout. */
@RequiresKvm
class EchoIT {
    private static final String BANNER = "echo guest ready\r\n";

    @TempDir
    Path dir;

    private List<String> echo(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--kernel", Jar.guest("echo", dir).toString()));
        args.addAll(Jar.BOOT_SECTOR);
        args.addAll(List.of(extra));
        return Jar.command(List.of(), args);
    }

    /** Literally what a user types: printf 'hello\nquit\n' | java -jar vmm.jar --kernel echo.bin ... */
    @Test
    void printfPipedIntoTheJarIsEchoed() throws Exception {
        String cmd = "printf 'hello\\nquit\\n' | " + Jar.shell(echo("--timeout", "60s"));
        Jar.Run r = Jar.run(List.of("sh", "-c", cmd), new byte[0], Duration.ofSeconds(90));
        assertEquals(0, r.status(), r.toString());
        assertEquals(BANNER + "hello\nquit\n", r.outText(), "stdout is the serial stream, byte for byte");
        assertEquals("", r.err(), r.toString());
    }

    /** End of a pipe ends the input, not the guest: it runs on until --timeout. */
    @Test
    void endOfInputLeavesTheGuestRunning() throws Exception {
        Jar.Run r = Jar.run(echo("--timeout", "2s"), "hello\n".getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(60));
        assertEquals(124, r.status(), r.toString());
        assertEquals(BANNER + "hello\n", r.outText());
    }

    /** Every byte value (Ctrl-A included: a pipe is not a terminal, no escapes) arrives unchanged. */
    @Test
    void aPipeIsARawByteStream() throws Exception {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        for (int b = 0; b < 256; b++) if (b != 0x04) in.write(b);
        in.writeBytes(new byte[] {0x01, 'x', 0x01, 0x01, 0x01, 'h', '\n'});
        byte[] payload = in.toByteArray();
        in.write(0x04); // the guest's "done"
        Jar.Run r = Jar.run(echo("--timeout", "60s"), in.toByteArray(), Duration.ofSeconds(90));
        assertEquals(0, r.status(), r.toString());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(BANNER.getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes(payload);
        assertArrayEquals(expected.toByteArray(), r.out());
    }

    /** More input than the UART holds: the console waits for the guest (flow control), loses nothing. */
    @Test
    void inputIsFlowControlledNotDropped() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < 16 * 1024; i++) b.append("line ").append(i).append(" of the flow-control test\n");
        String text = b.toString();
        Jar.Run r = Jar.run(echo("--timeout", "120s"), (text + "quit\n").getBytes(StandardCharsets.US_ASCII),
                Duration.ofSeconds(150));
        assertEquals(0, r.status(), r.toString().substring(0, Math.min(2000, r.toString().length())));
        assertEquals(BANNER + text + "quit\n", r.outText());
    }
}
