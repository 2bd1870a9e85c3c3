package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.vmm.devices.StreamMatcher;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The run's output matchers decide the same whether output comes a byte or a buffer at a time. */
class OutputMatchersTest {
    /** The outcomes in the order reported, the first of which is the one a run keeps. */
    static final class Log implements OutputMatchers.Outcomes {
        final List<String> events = new ArrayList<>();
        @Override public void failOnMatched(StreamMatcher m) { events.add("fail:" + m.matchedText()); }
        @Override public void expectMatched(StreamMatcher m) { events.add("expect:" + m.matchedText()); }
        @Override public void panicMatched(String line) { events.add("panic:" + line); }

        String first(String kind) {
            return events.stream().filter(e -> e.startsWith(kind)).findFirst().orElse(null);
        }

        String firstOfFailOrExpect() {
            return events.stream().filter(e -> e.startsWith("fail:") || e.startsWith("expect:")).findFirst().orElse(null);
        }
    }

    @Test
    void nothingToWatchIsNoListener() {
        assertNull(OutputMatchers.of(null, null, false, new Log()));
    }

    @Test
    void whicheverEndsFirstWinsInsideOneBuffer() {
        Log log = new Log();
        OutputMatchers m = OutputMatchers.of(Pattern.compile("FAIL"), Pattern.compile("OK"), true, log);
        byte[] b = "boot... OK then FAIL\n".getBytes(StandardCharsets.ISO_8859_1);
        m.onBytes(b, 0, b.length);
        assertEquals("expect:OK", log.firstOfFailOrExpect());
        Log log2 = new Log();
        OutputMatchers m2 = OutputMatchers.of(Pattern.compile("FAIL"), Pattern.compile("OK"), true, log2);
        byte[] c = "FAIL, not OK\n".getBytes(StandardCharsets.ISO_8859_1);
        m2.onBytes(c, 0, c.length);
        assertEquals("fail:FAIL", log2.firstOfFailOrExpect());
        assertFalse(log2.events.contains("expect:OK"), "once --fail-on matched, --expect is not fed: " + log2.events);
    }

    @Test
    void bytesAndBuffersAgreeOnRandomOutput() {
        String[] pieces = {"OK", "O", "K", "FAIL", "FA", "IL", "x", "\n", "\r\n", "Kernel panic - not syncing: ", "oops", " "};
        Random r = new Random(20261204);
        for (int n = 0; n < 5_000; n++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(12); k > 0; k--) sb.append(pieces[r.nextInt(pieces.length)]);
            byte[] out = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            Log bytes = new Log(), buffers = new Log();
            OutputMatchers a = OutputMatchers.of(Pattern.compile("FAIL"), Pattern.compile("O+K"), true, bytes);
            OutputMatchers b = OutputMatchers.of(Pattern.compile("FAIL"), Pattern.compile("O+K"), true, buffers);
            for (byte x : out) a.onByte(x & 0xff);
            int i = 0;
            while (i < out.length) {
                int len = Math.min(out.length - i, 1 + r.nextInt(8));
                b.onBytes(out, i, len);
                i += len;
            }
            String what = sb.toString().replace("\r", "\\r").replace("\n", "\\n");
            assertEquals(bytes.firstOfFailOrExpect() == null ? null : bytes.firstOfFailOrExpect().substring(0, 5),
                    buffers.firstOfFailOrExpect() == null ? null : buffers.firstOfFailOrExpect().substring(0, 5), what);
            assertEquals(bytes.first("panic:"), buffers.first("panic:"), what);
        }
    }

    /** virtio-console hands the sink whole buffers: the tap (a session's transcript, --snapshot-on) sees them too. */
    @Test
    void bulkWritesReachTheListenerAndTheTap() throws Exception {
        SerialSink sink = new SerialSink(new ByteArrayOutputStream(), 64, System.nanoTime(), () -> false);
        StringBuilder listened = new StringBuilder(), tapped = new StringBuilder();
        sink.setListener(b -> listened.append((char) b));
        sink.setTap(b -> tapped.append((char) b));
        byte[] b = "hello from hvc0\n".getBytes(StandardCharsets.ISO_8859_1);
        sink.write(b, 0, b.length);
        sink.write('!');
        sink.close();
        assertEquals("hello from hvc0\n!", listened.toString());
        assertEquals("hello from hvc0\n!", tapped.toString());
    }
}
