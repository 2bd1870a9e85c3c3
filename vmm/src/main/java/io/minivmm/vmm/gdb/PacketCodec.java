package io.minivmm.vmm.gdb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The framing of the GDB remote serial protocol, as a pure byte-at-a-time state machine:
 * {@code $payload#cs} packets (with {@code }} escapes and {@code *} run-length encoding decoded),
 * the out-of-band interrupt byte 0x03, and the {@code +}/{@code -} acknowledgements.
 *
 * <p>The client is untrusted: a packet longer than {@link #maxPayload} is discarded as it arrives
 * (the buffer never grows past the limit) and reported as {@link Bad}, as is a wrong checksum or a
 * non-hex checksum digit. Bytes outside a packet are ignored; a {@code $} inside a packet starts
 * over (resynchronisation after a lost {@code #}). Nothing here blocks or throws on any input.
 */
public final class PacketCodec {
    /** A decoded frame. */
    public sealed interface Frame permits Packet, Interrupt, Ack, Nak, Bad {}

    /** A packet whose checksum matched; {@code data} is the unescaped, run-length-decoded payload. */
    public record Packet(byte[] data) implements Frame {
        /** The payload as ISO-8859-1 text (one char per byte). */
        public String text() { return new String(data, StandardCharsets.ISO_8859_1); }
    }

    /** The 0x03 byte sent outside a packet (Ctrl-C). */
    public record Interrupt() implements Frame {}

    /** {@code +}. */
    public record Ack() implements Frame {}

    /** {@code -}: the peer asks for the last packet again. */
    public record Nak() implements Frame {}

    /** A packet that cannot be used (the reason is for logs); the peer is sent {@code -}. */
    public record Bad(String reason) implements Frame {}

    private static final Interrupt INTERRUPT = new Interrupt();
    private static final Ack ACK = new Ack();
    private static final Nak NAK = new Nak();

    private enum State { IDLE, DATA, ESCAPE, RLE, CHK1, CHK2 }

    private final int maxPayload;
    private final byte[] buf;
    private int len;
    private State state = State.IDLE;
    private int sum;
    private int checksum;
    private boolean overflow;
    private String badReason;

    /** A decoder that accepts payloads of up to {@code maxPayload} bytes after decoding. */
    public PacketCodec(int maxPayload) {
        if (maxPayload < 16) throw new IllegalArgumentException("maxPayload too small: " + maxPayload);
        this.maxPayload = maxPayload;
        this.buf = new byte[maxPayload];
    }

    public int maxPayload() { return maxPayload; }

    /** Feeds one byte; returns a frame when this byte completes one, else null. */
    public Frame feed(int b) {
        b &= 0xff;
        switch (state) {
            case IDLE -> {
                switch (b) {
                    case '$' -> start();
                    case 0x03 -> { return INTERRUPT; }
                    case '+' -> { return ACK; }
                    case '-' -> { return NAK; }
                    default -> { } // noise between packets
                }
                return null;
            }
            case DATA -> {
                if (b == '$') { // a new packet: the old one lost its end
                    start();
                    return null;
                }
                if (b == '#') {
                    state = State.CHK1;
                    return null;
                }
                sum += b;
                if (b == '}') state = State.ESCAPE;
                else if (b == '*') state = State.RLE;
                else put(b);
                return null;
            }
            case ESCAPE -> {
                sum += b;
                put(b ^ 0x20);
                state = State.DATA;
                return null;
            }
            case RLE -> {
                sum += b;
                // "X*n": X repeated (n - 29) more times; only printable counts 3..97 are valid.
                int n = b - 29;
                if (len == 0 || n < 3 || n > 97) bad("bad run-length count");
                else for (int i = 0; i < n; i++) put(buf[len - 1] & 0xff);
                state = State.DATA;
                return null;
            }
            case CHK1 -> {
                int d = hex(b);
                if (d < 0) bad("bad checksum digit");
                checksum = Math.max(d, 0) << 4;
                state = State.CHK2;
                return null;
            }
            case CHK2 -> {
                int d = hex(b);
                state = State.IDLE;
                if (d < 0) bad("bad checksum digit");
                else if ((checksum | d) != (sum & 0xff)) bad("checksum mismatch");
                if (overflow) return new Bad("packet longer than " + maxPayload + " bytes");
                if (badReason != null) return new Bad(badReason);
                byte[] out = new byte[len];
                System.arraycopy(buf, 0, out, 0, len);
                return new Packet(out);
            }
            default -> throw new AssertionError(state);
        }
    }

    /** Whether a packet is partly received (a disconnect now loses it). */
    public boolean midPacket() { return state != State.IDLE; }

    private void start() {
        state = State.DATA;
        len = 0;
        sum = 0;
        overflow = false;
        badReason = null;
    }

    private void put(int b) {
        if (len < maxPayload) buf[len++] = (byte) b;
        else overflow = true;
    }

    private void bad(String reason) {
        if (badReason == null) badReason = reason;
    }

    private static int hex(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** Frames {@code payload} as {@code $...#cs}, escaping {@code # $ } *}. */
    public static byte[] encode(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 8);
        out.write('$');
        int sum = 0;
        for (byte p : payload) {
            int b = p & 0xff;
            if (b == '#' || b == '$' || b == '}' || b == '*') {
                out.write('}');
                out.write(b ^ 0x20);
                sum += '}' + (b ^ 0x20);
            } else {
                out.write(b);
                sum += b;
            }
        }
        out.write('#');
        out.write(HEX[(sum >> 4) & 0xf]);
        out.write(HEX[sum & 0xf]);
        return out.toByteArray();
    }

    /** {@link #encode(byte[])} of ISO-8859-1 text. */
    public static byte[] encode(String payload) { return encode(payload.getBytes(StandardCharsets.ISO_8859_1)); }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
}
