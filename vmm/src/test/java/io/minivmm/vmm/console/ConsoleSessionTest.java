package io.minivmm.vmm.console;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConsoleSessionTest {
    @Test
    void aStreamIsPassedThroughUnfilteredCtrlAIncluded() throws IOException {
        byte[] data = {'a', 0x01, 'x', 0x01, 0x01, 'b'};
        try (ConsoleSession s = ConsoleSession.forStream(new ByteArrayInputStream(data), System.err, st -> fail())) {
            assertFalse(s.isTerminal());
            assertTrue(s.enterRaw(), "a no-op for a stream");
            assertArrayEquals(data, s.input().readAllBytes());
            assertFalse(s.userQuit());
        }
    }

    @Test
    void aSignalStopsTheRunAndGivesTheShellStatus() {
        try (ConsoleSession s = ConsoleSession.forStream(new ByteArrayInputStream(new byte[0]), System.err, st -> fail())) {
            AtomicInteger stops = new AtomicInteger();
            s.whenStopRequested(stops::incrementAndGet);
            assertEquals(0, s.signalExitStatus());
            s.onSignal("TERM", 15);
            assertEquals(1, stops.get());
            assertEquals("TERM", s.signal());
            assertEquals(143, s.signalExitStatus());
        }
    }

    @Test
    void aSignalBeforeTheVmExistsExitsAndStopsAnyLaterVm() {
        AtomicInteger exited = new AtomicInteger();
        try (ConsoleSession s = ConsoleSession.forStream(new ByteArrayInputStream(new byte[0]), System.err, exited::set)) {
            s.onSignal("INT", 2);
            assertEquals(130, exited.get(), "no VM yet: exit at once with 128 + SIGINT");
            AtomicInteger stops = new AtomicInteger();
            s.whenStopRequested(stops::incrementAndGet);
            assertEquals(1, stops.get());
        }
    }

    @Test
    void helpGoesToStderrWithCrLf() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertTrue(EscapeFilter.HELP.contains("C-a x"));
        assertFalse(EscapeFilter.HELP.replace("\r\n", "").contains("\n"), "raw mode: every newline is CR LF");
        new PrintStream(err).print(EscapeFilter.HELP);
        assertTrue(err.size() > 0);
    }

    @Test
    void pipesAndFilesAreNotTerminals() {
        assertFalse(Terminal.mayBeTerminal("pipe:[12345]"));
        assertFalse(Terminal.mayBeTerminal("socket:[1]"));
        assertFalse(Terminal.mayBeTerminal("/dev/null"));
        assertFalse(Terminal.mayBeTerminal("/"));
        assertTrue(Terminal.mayBeTerminal("/dev/pts/3"));
        assertTrue(Terminal.mayBeTerminal("/dev/tty1"));
    }
}
