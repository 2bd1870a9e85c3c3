package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * --mem and --timeout values are parsed by hand (a regular expression costs a millisecond of
 * every start). These tests hold the parsers to the grammar the regular expressions stated,
 * which serve as the oracle: fixed cases, then seeded random strings over the grammar's alphabet.
 */
class CliValueParsingTest {
    private static final Pattern SIZE = Pattern.compile("(?i)(\\d+)\\s*([kmgt]?)(i?b)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    /** The regex-based parser the hand-written one replaced: a value, or null for a usage error. */
    private static Long sizeOracle(String s, int bareShift) {
        Matcher m = SIZE.matcher(s.trim());
        if (!m.matches()) return null;
        long v;
        try {
            v = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return null;
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> m.group(3) != null ? 0 : bareShift;
        };
        return v > (Long.MAX_VALUE >> shift) ? null : v << shift;
    }

    private static Duration durationOracle(String s) {
        Matcher m = DURATION.matcher(s.trim());
        if (!m.matches()) return null;
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double ms = switch (unit) {
            case "ms" -> v;
            case "s" -> v * 1e3;
            case "m" -> v * 60e3;
            default -> v * 3600e3;
        };
        return ms < 1 || ms > 1e12 ? null : Duration.ofMillis((long) ms);
    }

    private static Long size(String s) {
        try {
            return Main.parseSize("--mem", s, 20);
        } catch (Main.UsageError e) {
            assertTrue(e.getMessage().startsWith("--mem"), e.getMessage());
            return null;
        }
    }

    private static Duration duration(String s) {
        try {
            return Main.parseDuration("--timeout", s);
        } catch (Main.UsageError e) {
            assertTrue(e.getMessage().startsWith("--timeout"), e.getMessage());
            return null;
        }
    }

    @Test
    void sizes() {
        assertEquals(64L << 20, size("64"));
        assertEquals(256L << 20, size("256M"));
        assertEquals(2L << 30, size("2g"));
        assertEquals(2L << 30, size(" 2 GiB "));
        assertEquals(4096L, size("4096B"));
        assertEquals(4096L, size("4096 ib"));
        assertEquals(64L << 10, size("64KB"));
        assertEquals(1L << 40, size("1T"));
        for (String bad : new String[] {"", "M", "-5", "12Q", "1.5G", "5k b", "0x10", "99999999999999999999",
                "9999999999999T", "\u0663M", "5 M B", "5MBB"}) {
            assertNull(size(bad), bad);
        }
    }

    @Test
    void durations() {
        assertEquals(Duration.ofSeconds(10), duration("10"));
        assertEquals(Duration.ofMillis(500), duration("500ms"));
        assertEquals(Duration.ofMillis(1500), duration("1.5 s"));
        assertEquals(Duration.ofMinutes(2), duration("2m"));
        assertEquals(Duration.ofHours(1), duration("1h"));
        for (String bad : new String[] {"", "s", "5.", ".5", "-1", "1x", "10 S", "0", "0.5ms", "1e3", "1d",
                "99999999999999h", "\u0661s"}) {
            assertNull(duration(bad), bad);
        }
    }

    @Test
    void agreeWithTheRegularExpressionsOnRandomInput() {
        Random r = new Random(0x5eed_14L);
        String sizeAlphabet = "0123456789 kKmMgGtTiIbBqQ.-\t";
        String durationAlphabet = "0123456789 .msh\tMx";
        for (int n = 0; n < 200_000; n++) {
            String a = random(r, sizeAlphabet), b = random(r, durationAlphabet);
            assertEquals(sizeOracle(a, 20), size(a), "--mem '" + a + "'");
            assertEquals(durationOracle(b), duration(b), "--timeout '" + b + "'");
        }
    }

    private static String random(Random r, String alphabet) {
        int len = r.nextInt(9);
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            // digits first more often, so that most strings get past the number
            sb.append(i < 2 && r.nextBoolean() ? (char) ('0' + r.nextInt(10)) : alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
