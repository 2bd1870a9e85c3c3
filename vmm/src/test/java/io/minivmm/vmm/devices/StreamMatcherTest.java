package io.minivmm.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamMatcherTest {
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static StreamMatcher whole(String regex, byte[] data) {
        StreamMatcher m = StreamMatcher.of(regex);
        m.feed(data, 0, data.length);
        return m;
    }

    static StreamMatcher byteAtATime(String regex, byte[] data) {
        StreamMatcher m = StreamMatcher.of(regex);
        for (byte b : data) {
            m.feed(new byte[] {b}, 0, 1);
        }
        return m;
    }

    static StreamMatcher randomChunks(String regex, byte[] data, long seed) {
        StreamMatcher m = StreamMatcher.of(regex);
        Random r = new Random(seed);
        int i = 0;
        while (i < data.length) {
            int n = Math.min(data.length - i, 1 + r.nextInt(r.nextBoolean() ? 7 : 3000));
            m.feed(data, i, n);
            i += n;
        }
        return m;
    }

    @Test
    void matchAcrossChunkBoundaries() {
        StreamMatcher m = StreamMatcher.of("login: ");
        assertFalse(m.feed(bytes("Welcome\nbuildroot log"), 0, 21));
        assertFalse(m.feed(bytes("in"), 0, 2));
        assertTrue(m.feed(bytes(": "), 0, 2));
        assertEquals("login: ", m.matchedText());
        assertEquals(18, m.matchOffset());
        assertTrue(m.feed(bytes("more"), 0, 4), "sticky");
    }

    @Test
    void byteAtATimeMatchesLikeOneChunk() {
        StringBuilder sb = new StringBuilder();
        Random r = new Random(42);
        for (int line = 0; line < 400; line++) {
            sb.append(String.format("[%5d.%06d] ", line, r.nextInt(1_000_000)));
            for (int k = 0; k < 10 + r.nextInt(60); k++) {
                sb.append((char) ('a' + r.nextInt(26)));
            }
            if (line == 300) {
                sb.append(" Kernel panic - not syncing: VFS: Unable to mount root fs");
            }
            if (line == 350) {
                sb.append(" Run /init as init process \u00e9\u00ff");
            }
            sb.append('\n');
        }
        byte[] data = bytes(sb.toString());
        String[] patterns = {
            "Kernel panic - not syncing", "(?m)^.*Kernel panic.*$", "Run /init as init process",
            "not syncing: VFS: [A-Z][a-z]+", "\u00e9\u00ff", "(?<=[a-z] )Run", "root fs\\b",
            "never appears", "panic(?= - not)", "(?m)^\\[  300\\.[0-9]{6}\\]",
        };
        boolean[] expected = {true, true, true, true, true, true, true, false, true, true};
        for (int p = 0; p < patterns.length; p++) {
            StreamMatcher a = whole(patterns[p], data);
            StreamMatcher b = byteAtATime(patterns[p], data);
            StreamMatcher c = randomChunks(patterns[p], data, p);
            a.finish();
            b.finish();
            c.finish();
            assertEquals(expected[p], a.matched(), patterns[p]);
            assertEquals(a.matched(), b.matched(), "byte at a time: " + patterns[p]);
            assertEquals(a.matched(), c.matched(), "random chunks: " + patterns[p]);
            assertEquals(a.matchOffset(), b.matchOffset(), "byte at a time offset: " + patterns[p]);
            assertEquals(a.matchOffset(), c.matchOffset(), "random chunks offset: " + patterns[p]);
        }
    }

    @Test
    void matchDependingOnTheEndWaitsForMoreInput() {
        StreamMatcher m = StreamMatcher.of("foo\\b");
        assertFalse(m.feed(bytes("foo"), 0, 3), "foo may still become food");
        assertFalse(m.feed(bytes("d foo"), 0, 5));
        assertTrue(m.feed(bytes(" "), 0, 1));
        assertEquals(5, m.matchOffset());

        StreamMatcher end = StreamMatcher.of("(?m)done$");
        assertFalse(end.feed(bytes("done"), 0, 4));
        assertTrue(end.finish(), "at end of stream the held match counts");
        StreamMatcher nl = StreamMatcher.of("(?m)done$");
        assertTrue(nl.feed(bytes("done\n"), 0, 5));
    }

    @Test
    void everyByteIsOneChar() {
        StreamMatcher m = StreamMatcher.of("\\x00\\xff\\x80");
        byte[] data = {'a', 0, (byte) 0xff, (byte) 0x80, 'b'};
        assertTrue(m.feed(data, 0, data.length));
        assertEquals(1, m.matchOffset());
        assertEquals(3, m.matchedText().length());
    }

    @Test
    void memoryIsBoundedButRecentMatchesAreFound() {
        StreamMatcher m = StreamMatcher.of("needle");
        byte[] hay = new byte[1 << 20];
        java.util.Arrays.fill(hay, (byte) 'x');
        for (int i = 0; i < 8; i++) {
            assertFalse(m.feed(hay, 0, hay.length));
        }
        byte[] tail = bytes("...needle");
        assertTrue(m.feed(tail, 0, tail.length));
        assertEquals(8L * hay.length + 3, m.matchOffset());
    }

    @Test
    void aMatchLongerThanTheWindowIsNotFound() {
        StreamMatcher m = StreamMatcher.of("<x{" + (3 * StreamMatcher.WINDOW) + "}>");
        StringBuilder sb = new StringBuilder("<");
        sb.append("x".repeat(3 * StreamMatcher.WINDOW)).append('>');
        byte[] data = bytes(sb.toString());
        for (byte b : data) {
            m.feed(b);
        }
        assertFalse(m.finish(), "documented limit: the match must fit in the window");
        assertNull(m.matchedText());
        StreamMatcher fits = StreamMatcher.of("<x{100}>");
        byte[] small = bytes("<" + "x".repeat(100) + ">");
        for (byte b : small) {
            fits.feed(b);
        }
        assertTrue(fits.matched());
    }

    @Test
    void largeChunkIsSearchedBeforeItIsTrimmed() {
        byte[] data = new byte[5 * StreamMatcher.WINDOW];
        java.util.Arrays.fill(data, (byte) '.');
        System.arraycopy(bytes("MARK"), 0, data, 100, 4);
        StreamMatcher m = StreamMatcher.of("MARK");
        assertTrue(m.feed(data, 0, data.length));
        assertEquals(100, m.matchOffset());
    }
}
