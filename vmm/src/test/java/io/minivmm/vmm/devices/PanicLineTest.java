package io.minivmm.vmm.devices;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** PanicLine finds what the regular expression it replaced found, however the stream is chunked. */
class PanicLineTest {
    private static final Pattern REGEX = Pattern.compile("Kernel panic - not syncing: ([^\r\n]*)\r?\n");

    @Test
    void findsLinuxPanicLines() {
        PanicLine p = new PanicLine();
        byte[] s = "[ 1.0] ok\r\n[ 2.5] Kernel panic - not syncing: VFS: Unable to mount root fs\r\nmore".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(p.feed(s, 0, s.length));
        assertEquals("Kernel panic - not syncing: VFS: Unable to mount root fs\r\n", p.text());
        PanicLine q = new PanicLine();
        for (byte b : "Kernel panic - not syncing: x\n".getBytes(StandardCharsets.ISO_8859_1)) q.feed(b);
        assertEquals("Kernel panic - not syncing: x\n", q.text());
    }

    @Test
    void partialAndBrokenLinesAreNotPanics() {
        for (String s : new String[] {"Kernel panic - not syncing: no newline yet", "Kernel panic - not syncing: a\rb\n",
                "Kernel panic - not syncing: a\r\r\n", "Kernel panic - not syncinG: a\n", "Kernel panic - not syncing:a\n",
                "kernel panic - not syncing: a\n"}) {
            PanicLine p = new PanicLine();
            byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
            assertFalse(p.feed(b, 0, b.length), s);
            assertNull(p.text());
        }
    }

    @Test
    void agreesWithTheRegularExpressionOnRandomStreams() {
        String[] pieces = {"Kernel panic - not syncing: ", "Kernel panic - not ", "Kernel ", "K", "Ker", "syncing: ", "x", "yz",
                "\r", "\n", "\r\n", " ", ":", "Kernel panic - not syncing: Kernel panic - not syncing: "};
        Random r = new Random(0x9a41c);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(14); k > 0; k--) sb.append(pieces[r.nextInt(pieces.length)]);
            String text = sb.toString();
            byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
            java.util.regex.Matcher m = REGEX.matcher(text);
            String want = m.find() ? m.group() : null;
            PanicLine p = new PanicLine();
            int i = 0;
            while (i < bytes.length) { // random chunks, single bytes included
                int len = Math.min(bytes.length - i, r.nextInt(5) == 0 ? 1 : 1 + r.nextInt(20));
                if (len == 1 && r.nextBoolean()) p.feed(bytes[i]);
                else p.feed(bytes, i, len);
                i += len;
            }
            assertEquals(want, p.text(), () -> "stream: " + text.replace("\r", "\\r").replace("\n", "\\n"));
        }
    }

    @Test
    void anOverlongReasonIsNotAPanicLineAndTheSearchGoesOn() {
        PanicLine p = new PanicLine();
        byte[] head = "Kernel panic - not syncing: ".getBytes(StandardCharsets.ISO_8859_1);
        p.feed(head, 0, head.length);
        byte[] filler = new byte[StreamMatcher.WINDOW + 10];
        java.util.Arrays.fill(filler, (byte) 'a');
        p.feed(filler, 0, filler.length);
        byte[] tail = "\nKernel panic - not syncing: short\n".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(p.feed(tail, 0, tail.length));
        assertEquals("Kernel panic - not syncing: short\n", p.text());
    }
}
