package io.minivmm.vmm.console;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EscapeFilterTest {
    private final List<String> commands = new ArrayList<>();
    private final EscapeFilter f = new EscapeFilter(new EscapeFilter.Commands() {
        @Override
        public void quit() { commands.add("quit"); }

        @Override
        public void help() { commands.add("help"); }
    });

    private byte[] feed(int... in) {
        byte[] b = new byte[in.length];
        for (int i = 0; i < in.length; i++) b[i] = (byte) in[i];
        byte[] out = new byte[b.length + 1];
        int n = f.filter(b, 0, b.length, out, 0);
        return Arrays.copyOf(out, n);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Test
    void ordinaryBytesPassThrough() {
        assertArrayEquals(bytes('h', 'i', '\r', 0x03, 0x04, 0xff, 0), feed('h', 'i', '\r', 0x03, 0x04, 0xff, 0));
        assertTrue(commands.isEmpty());
    }

    @Test
    void ctrlAxQuitsAndDropsTheRest() {
        assertArrayEquals(bytes('a'), feed('a', 0x01, 'x', 'b', 'c'));
        assertEquals(List.of("quit"), commands);
        assertTrue(f.quitRequested());
        assertArrayEquals(new byte[0], feed('d', 0x01, 'x'));
        assertEquals(List.of("quit"), commands, "quit is reported once");
    }

    @Test
    void upperCaseXQuitsToo() {
        feed(0x01, 'X');
        assertEquals(List.of("quit"), commands);
    }

    @Test
    void ctrlACtrlASendsOneCtrlA() {
        assertArrayEquals(bytes(0x01, 'z'), feed(0x01, 0x01, 'z'));
        // and the second Ctrl-A does not start a new escape
        assertArrayEquals(bytes('x'), feed('x'));
        assertTrue(commands.isEmpty());
    }

    @Test
    void ctrlAThenOtherSendsBoth() {
        assertArrayEquals(bytes(0x01, 'c', 'd'), feed(0x01, 'c', 'd'));
        assertArrayEquals(bytes(0x01, 0x04), feed(0x01, 0x04));
    }

    @Test
    void ctrlAhPrintsHelpAndSendsNothing() {
        assertArrayEquals(bytes('a', 'b'), feed('a', 0x01, 'h', 'b'));
        assertEquals(List.of("help"), commands);
    }

    @Test
    void escapeSplitAcrossReads() {
        assertArrayEquals(bytes('a'), feed('a', 0x01));
        assertTrue(f.pendingEscape());
        assertArrayEquals(bytes(0x01, 'q'), feed('q'));
        assertArrayEquals(new byte[0], feed(0x01));
        assertArrayEquals(new byte[0], feed('x'));
        assertEquals(List.of("quit"), commands);
    }

    @Test
    void outputNeedsAtMostOneMoreByteThanInput() {
        feed(0x01);
        byte[] out = new byte[2];
        assertEquals(2, f.filter(bytes('k'), 0, 1, out, 0));
        assertArrayEquals(bytes(0x01, 'k'), out);
        assertThrows(IndexOutOfBoundsException.class, () -> f.filter(bytes('a', 'b'), 0, 2, new byte[2], 0));
    }

    @Test
    void streamEndsAfterQuitAndBlocksNoFurther() throws IOException {
        List<String> seen = new ArrayList<>();
        InputStream in = new EscapeInputStream(new ByteArrayInputStream(bytes('a', 0x01, 0x01, 0x01, 'b', 0x01, 'x', 'z')),
                new EscapeFilter.Commands() {
                    @Override
                    public void quit() { seen.add("quit"); }

                    @Override
                    public void help() { seen.add("help"); }
                });
        assertArrayEquals(bytes('a', 0x01, 0x01, 'b'), in.readAllBytes());
        assertEquals(List.of("quit"), seen);
        assertEquals(-1, in.read());
    }

    /**
     * The pump sees Ctrl-A x while it filters a chunk, before the bytes typed ahead of it are in
     * the buffer: a reader that took the quit itself for the end lost them (17 in 3,000 here).
     */
    @Test
    void bytesTypedBeforeTheQuitAreNeverLost() throws IOException {
        for (int i = 0; i < 1000; i++) {
            InputStream in = new EscapeInputStream(new ByteArrayInputStream(bytes('a', 0x01, 0x01, 0x01, 'b', 0x01, 'x', 'z')),
                    EscapeFilterTest.NOOP);
            assertArrayEquals(bytes('a', 0x01, 0x01, 'b'), in.readAllBytes(), "run " + i);
        }
    }

    @Test
    void streamServesOneByteReads() throws IOException {
        InputStream in = new EscapeInputStream(new ByteArrayInputStream(bytes(0x01, 'k', 'm')), EscapeFilterTest.NOOP);
        assertEquals(0x01, in.read());
        assertEquals('k', in.read());
        assertEquals('m', in.read());
        assertEquals(-1, in.read());
    }

    /** The escape is seen as it is typed, not when the guest reads: a reader that stopped reading cannot hide it. */
    @Test
    void ctrlAxIsSeenWhileNobodyReads() throws Exception {
        byte[] typed = new byte[3 * EscapeInputStream.BUFFER + 2];
        java.util.Arrays.fill(typed, (byte) 'k');
        typed[typed.length - 2] = 0x01;
        typed[typed.length - 1] = 'x';
        java.util.concurrent.CountDownLatch quit = new java.util.concurrent.CountDownLatch(1);
        EscapeInputStream in = new EscapeInputStream(new ByteArrayInputStream(typed), new EscapeFilter.Commands() {
            @Override
            public void quit() { quit.countDown(); }

            @Override
            public void help() {}
        });
        assertEquals('k', in.read()); // the guest reads one byte, then never again
        assertTrue(quit.await(10, java.util.concurrent.TimeUnit.SECONDS), "Ctrl-A x was not seen");
        assertTrue(in.dropped() > 0, "what the guest left unread beyond the buffer was dropped");
        byte[] rest = in.readAllBytes();
        assertTrue(rest.length <= EscapeInputStream.BUFFER, "bounded: " + rest.length);
        assertEquals(-1, in.read());
    }

    @Test
    void anInterruptedReaderGetsAnInterruptedIoException() throws Exception {
        java.io.PipedOutputStream keys = new java.io.PipedOutputStream();
        EscapeInputStream in = new EscapeInputStream(new java.io.PipedInputStream(keys), NOOP);
        Thread.currentThread().interrupt();
        org.junit.jupiter.api.Assertions.assertThrows(java.io.InterruptedIOException.class, in::read);
        assertTrue(Thread.interrupted(), "the interrupt stays set");
        keys.close();
    }

    static final EscapeFilter.Commands NOOP = new EscapeFilter.Commands() {
        @Override
        public void quit() {}

        @Override
        public void help() {}
    };
}
