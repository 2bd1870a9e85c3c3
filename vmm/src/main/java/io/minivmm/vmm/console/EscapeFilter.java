package io.minivmm.vmm.console;

import java.util.Objects;

/**
 * The terminal escape sequences, as QEMU's {@code -serial mon:stdio} has them, as a pure state
 * machine over the bytes typed: {@code Ctrl-A x} quits, {@code Ctrl-A Ctrl-A} sends one
 * {@code Ctrl-A}, {@code Ctrl-A h} asks for help, and {@code Ctrl-A} followed by anything else
 * sends both bytes. After a quit every further byte is dropped.
 * <pre>{@code
 * EscapeFilter f = new EscapeFilter(commands);
 * byte[] out = new byte[in.length + 1];
 * int n = f.filter(in, 0, in.length, out, 0); // bytes for the guest: out[0..n)
 * }</pre>
 * Only for a terminal: a pipe or file is a byte stream and is not filtered.
 */
public final class EscapeFilter {
    /** The escape character, Ctrl-A. */
    public static final int CTRL_A = 0x01;

    /** What the escape sequences do besides filtering. Called on the filtering thread. */
    public interface Commands {
        /** {@code Ctrl-A x}: end the run. */
        void quit();

        /** {@code Ctrl-A h}: show the key bindings. */
        void help();
    }

    /** The help text for {@link Commands#help()}; CR LF because the terminal is in raw mode. */
    public static final String HELP = "\r\nminivmm console escapes:\r\n"
            + "  C-a h    print this help\r\n"
            + "  C-a x    exit minivmm (exit status 0)\r\n"
            + "  C-a C-a  send C-a to the guest\r\n";

    private final Commands commands;
    private boolean escape;
    private boolean quit;

    public EscapeFilter(Commands commands) { this.commands = Objects.requireNonNull(commands); }

    /**
     * Filters {@code len} typed bytes into {@code out}, which needs room for {@code len + 1}
     * bytes (a Ctrl-A held back from an earlier call can come out with the next byte).
     *
     * @return how many bytes to send to the guest
     */
    public int filter(byte[] in, int off, int len, byte[] out, int outOff) {
        Objects.checkFromIndexSize(off, len, in.length);
        Objects.checkFromIndexSize(outOff, len + 1, out.length);
        int n = outOff;
        for (int i = off; i < off + len && !quit; i++) {
            int b = in[i] & 0xff;
            if (!escape) {
                if (b == CTRL_A) {
                    escape = true;
                } else {
                    out[n++] = (byte) b;
                }
                continue;
            }
            escape = false;
            switch (b) {
                case 'x', 'X' -> {
                    quit = true;
                    commands.quit();
                }
                case 'h', 'H', '?' -> commands.help();
                case CTRL_A -> out[n++] = CTRL_A;
                default -> {
                    out[n++] = CTRL_A;
                    out[n++] = (byte) b;
                }
            }
        }
        return n - outOff;
    }

    /** Whether {@code Ctrl-A x} was typed. */
    public boolean quitRequested() { return quit; }

    /** Whether a Ctrl-A is held back waiting for the next byte. */
    public boolean pendingEscape() { return escape; }
}
