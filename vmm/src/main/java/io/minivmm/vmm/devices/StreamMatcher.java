package io.minivmm.vmm.devices;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watches a byte stream (the serial console output) for a regular expression, for
 * {@code --expect REGEX} and {@code --fail-on REGEX}.
 *
 * <p>Bytes are decoded as ISO-8859-1, so each byte is exactly one char and a chunk boundary can
 * never split a character. Chunks can be any size, down to one byte: a match that straddles
 * chunk boundaries is found, as soon as the bytes that complete it arrive.
 *
 * <p><b>Memory is bounded:</b> the matcher keeps a sliding window of the most recent output,
 * at most {@code 3 * WINDOW} chars. A match is guaranteed to be found only
 * if it lies within the last {@link #WINDOW} (8192) bytes at the moment its last byte arrives;
 * lookbehind sees at most that much context. {@code ^} and {@code $} match at line breaks only
 * with {@code (?m)}; without it they refer to the window edges, which are arbitrary points in a
 * stream.
 *
 * <p>How the cost stays low: after a failed search the matcher asks {@link Matcher#hitEnd()};
 * if no attempt reached the end of the window, no start position seen so far can ever match and
 * the next search begins at the new bytes (with transparent bounds, so lookbehind still sees
 * the old ones); otherwise it begins at the first start position whose attempt did reach the
 * end. A pattern such as {@code a.*b} on a long line therefore costs about one pass over the
 * live part of the line per search. A match that depends on the end of the input ({@link Matcher#requireEnd()},
 * e.g. {@code foo\b} followed by nothing yet) is held until more bytes arrive or
 * {@link #finish()} says the stream ended, so that the answer does not depend on how the
 * stream was chunked. The match reported is the first one that exists in the stream so far; a
 * greedy pattern may report a shorter text than a search over the whole output would.
 *
 * <p>Thread-safe; normally fed from the vCPU thread that runs the UART and read elsewhere.
 */
public final class StreamMatcher {
    /** The stream context kept for matching, in bytes (see the class comment). */
    public static final int WINDOW = 8192;

    private final Pattern pattern;
    private final StringBuilder window = new StringBuilder(2 * WINDOW);
    private int searchFrom;
    private long dropped; // chars discarded from the front of the window
    private boolean matched;
    private String matchText;
    private long matchOffset = -1;

    /** Over {@link #window}, reused by every search (a new Matcher per byte fed cost more than the search). */
    private final Matcher m;

    public StreamMatcher(Pattern pattern) {
        this.pattern = Objects.requireNonNull(pattern, "pattern");
        this.m = pattern.matcher(window);
        m.useTransparentBounds(true);
        m.useAnchoringBounds(false);
    }

    /** Compiles {@code regex} (throws {@link java.util.regex.PatternSyntaxException}). */
    public static StreamMatcher of(String regex) {
        return new StreamMatcher(Pattern.compile(regex));
    }

    public Pattern pattern() {
        return pattern;
    }

    /** Feeds one byte; returns whether the pattern has matched (now or before). */
    public synchronized boolean feed(int b) {
        if (!matched) {
            window.append((char) (b & 0xff));
            search(false);
            trim();
        }
        return matched;
    }

    /** Feeds {@code len} bytes; returns whether the pattern has matched (now or before). */
    public synchronized boolean feed(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        int i = 0;
        while (i < len && !matched) {
            // Slices of at most WINDOW bytes, so a huge chunk cannot push a match out of the
            // window before it is searched.
            int n = Math.min(WINDOW, len - i);
            for (int k = 0; k < n; k++) {
                window.append((char) (buf[off + i + k] & 0xff));
            }
            i += n;
            search(false);
            trim();
        }
        return matched;
    }

    /**
     * The stream ended: accepts a match that was waiting to see whether more input would undo
     * it (for instance {@code foo$} or {@code foo\b} at the very end). Returns whether matched.
     */
    public synchronized boolean finish() {
        if (!matched) {
            search(true);
        }
        return matched;
    }

    public synchronized boolean matched() {
        return matched;
    }

    /** The matched text, or null. */
    public synchronized String matchedText() {
        return matchText;
    }

    /** Stream offset (in bytes since the first one fed) where the match starts, or -1. */
    public synchronized long matchOffset() {
        return matchOffset;
    }

    private void search(boolean atEnd) {
        m.reset(); // the window changed: re-read its length (bounds settings are kept)
        m.region(searchFrom, window.length());
        if (m.find()) {
            if (!m.requireEnd() || atEnd) {
                matched = true;
                matchText = m.group();
                matchOffset = dropped + m.start();
            }
            return; // a match held for more input: search again from the same place
        }
        int end = window.length();
        if (!m.hitEnd()) {
            searchFrom = end;
            return;
        }
        // Some attempt reached the end, so it may still succeed with more input. Skip the start
        // positions before the first such attempt: they failed without reading the end, so they
        // can never match. Each position is skipped at most once, so this is amortised O(1)
        // per byte, and the next search starts, for example, at the beginning of the current
        // line for (?m)^.*foo rather than at the beginning of the window.
        int k = searchFrom;
        while (k < end) {
            m.region(k, end);
            m.lookingAt();
            if (m.hitEnd()) {
                break;
            }
            k++;
        }
        searchFrom = k;
    }

    private void trim() {
        if (window.length() > 2 * WINDOW) {
            int drop = window.length() - WINDOW;
            window.delete(0, drop);
            dropped += drop;
            searchFrom = Math.max(0, searchFrom - drop);
        }
    }
}
