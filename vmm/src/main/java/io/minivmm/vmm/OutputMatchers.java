package io.minivmm.vmm;

import io.minivmm.vmm.devices.PanicLine;
import io.minivmm.vmm.devices.StreamMatcher;
import java.util.regex.Pattern;

/**
 * {@code --fail-on}, {@code --expect} and the Linux panic line ({@link PanicLine}, no regular
 * expression: it is watched in every run), over the serial output (the 16550's bytes one at a
 * time, virtio-console's buffers whole). Fed a buffer, each matcher searches it at once (per
 * {@link StreamMatcher#WINDOW} bytes) instead of once per byte. When {@code --fail-on} and
 * {@code --expect} both match for the first time within one buffer, the match that ends first
 * decides (on a tie, {@code --fail-on}), as it would have byte by byte.
 */
final class OutputMatchers implements SerialSink.ByteListener {
    /** What a match means for the run. */
    interface Outcomes {
        void failOnMatched(StreamMatcher m);

        void expectMatched(StreamMatcher m);

        void panicMatched(String line);
    }

    private final StreamMatcher failOn, expect;
    private final PanicLine panic;
    private final Outcomes to;

    private OutputMatchers(StreamMatcher failOn, StreamMatcher expect, PanicLine panic, Outcomes to) {
        this.failOn = failOn;
        this.expect = expect;
        this.panic = panic;
        this.to = to;
    }

    /** The matchers a run needs, or null when it needs none. */
    static OutputMatchers of(Pattern failOn, Pattern expect, boolean panic, Outcomes to) {
        if (failOn == null && expect == null && !panic) return null;
        return new OutputMatchers(failOn == null ? null : new StreamMatcher(failOn),
                expect == null ? null : new StreamMatcher(expect), panic ? new PanicLine() : null, to);
    }

    @Override
    public void onByte(int b) {
        if (failOn != null && failOn.feed(b)) {
            to.failOnMatched(failOn);
        } else if (expect != null && expect.feed(b)) {
            to.expectMatched(expect);
        }
        if (panic != null && !panic.found() && panic.feed(b)) to.panicMatched(panic.text());
    }

    @Override
    public void onBytes(byte[] b, int off, int len) {
        boolean failedBefore = failOn != null && failOn.matched();
        boolean f = failOn != null && failOn.feed(b, off, len);
        if (failedBefore) {
            to.failOnMatched(failOn); // as onByte: once --fail-on has matched, --expect is not fed
        } else {
            boolean e = expect != null && expect.feed(b, off, len);
            if (f && e && end(expect) < end(failOn)) {
                to.expectMatched(expect);
                to.failOnMatched(failOn);
            } else if (f) {
                to.failOnMatched(failOn);
            } else if (e) {
                to.expectMatched(expect);
            }
        }
        if (panic != null && !panic.found() && panic.feed(b, off, len)) to.panicMatched(panic.text());
    }

    private static long end(StreamMatcher m) {
        return m.matchOffset() + m.matchedText().length();
    }
}
