package io.minivmm.vmm.devices;

import static io.minivmm.vmm.devices.Serial16550.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class Serial16550Test {
    /** Records every IrqLine.set call. */
    static final class FakeIrq implements IrqLine {
        final List<Boolean> calls = new ArrayList<>();

        @Override public synchronized void set(boolean level) {
            calls.add(level);
        }

        synchronized boolean level() {
            return !calls.isEmpty() && calls.get(calls.size() - 1);
        }
    }

    /** A manually advanced nanosecond clock. */
    static final class FakeClock {
        long now = 1_000_000;
    }

    final FakeIrq irq = new FakeIrq();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final Serial16550 uart = new Serial16550(irq, out);

    int rd(int reg) {
        return uart.read(reg, 1);
    }

    void wr(int reg, int value) {
        uart.write(reg, 1, value);
    }

    int feed(Serial16550 u, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return u.receive(b, 0, n);
    }

    @Test
    void powerOnState() {
        assertEquals(0x00, rd(IER_DLM));
        assertEquals(0x01, rd(IIR_FCR));
        assertEquals(0x00, rd(LCR));
        assertEquals(0x00, rd(MCR));
        assertEquals(LSR_THRE | LSR_TEMT, rd(LSR));
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD, rd(MSR)); // asserted, and no delta bits
        assertEquals(1, uart.divisor());
        assertEquals(1, uart.freeSpace());
        assertTrue(irq.calls.isEmpty());
    }

    @Test
    void dlabSwitchesOffsetsZeroAndOneToTheDivisorLatch() {
        wr(IER_DLM, 0x05); // IER while DLAB=0
        wr(LCR, LCR_DLAB | 0x03);
        wr(RBR_THR_DLL, 0x0c);
        wr(IER_DLM, 0x01);
        assertEquals(0x0c, rd(RBR_THR_DLL));
        assertEquals(0x01, rd(IER_DLM));
        assertEquals(0x10c, uart.divisor());
        assertEquals(0, out.size(), "a DLL write is not a THR write");
        wr(LCR, 0x03);
        assertEquals(0x05, rd(IER_DLM), "IER kept while the latch was visible");
        wr(RBR_THR_DLL, 'x');
        assertEquals("x", out.toString());
        wr(LCR, LCR_DLAB);
        assertEquals(0x0c, rd(RBR_THR_DLL), "THR write did not touch DLL");
        assertEquals(0x01, rd(IER_DLM));
    }

    @Test
    void lcrScrAndIerReadBack() {
        for (int v = 0; v < 256; v++) {
            wr(SCR, v);
            assertEquals(v, rd(SCR));
            wr(LCR, v);
            assertEquals(v, rd(LCR));
        }
        wr(LCR, 0x03);
        wr(IER_DLM, 0xff);
        assertEquals(0x0f, rd(IER_DLM));
        wr(MCR, 0xff);
        assertEquals(0x1f, rd(MCR));
    }

    @Test
    void transmitWritesEachByteAtOnceAndKeepsThrEmpty() {
        for (char c : "hello\n".toCharArray()) {
            wr(RBR_THR_DLL, c);
            assertEquals(LSR_THRE | LSR_TEMT, rd(LSR) & (LSR_THRE | LSR_TEMT));
        }
        assertEquals("hello\n", out.toString());
    }

    @Test
    void loopbackSendsThrToRbrAndNotToTheOutput() {
        wr(MCR, MCR_LOOP);
        wr(RBR_THR_DLL, 0x5a);
        wr(RBR_THR_DLL, 0xa5);
        assertEquals(0, out.size());
        // 16450 mode holds one byte: the second one overran the first
        assertEquals(LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT, rd(LSR));
        assertEquals(0xa5, rd(RBR_THR_DLL));
        wr(IIR_FCR, FCR_ENABLE);
        wr(RBR_THR_DLL, 1);
        wr(RBR_THR_DLL, 2);
        wr(RBR_THR_DLL, 3);
        assertEquals(1, rd(RBR_THR_DLL));
        assertEquals(2, rd(RBR_THR_DLL));
        assertEquals(3, rd(RBR_THR_DLL));
        assertEquals(0, rd(LSR) & LSR_DR);
        wr(MCR, 0);
        wr(RBR_THR_DLL, 'z');
        assertEquals("z", out.toString());
    }

    @Test
    void loopbackMapsMcrOutputsToMsrInputs() {
        int[][] cases = {
            {0, 0},
            {MCR_RTS, MSR_CTS},
            {MCR_DTR, MSR_DSR},
            {MCR_OUT1, MSR_RI},
            {MCR_OUT2, MSR_DCD},
            {MCR_RTS | MCR_OUT2, MSR_CTS | MSR_DCD}, // Linux's autoconfig check: 0x0a -> 0x90
            {MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2, 0xf0},
        };
        for (int[] c : cases) {
            wr(MCR, MCR_LOOP | c[0]);
            assertEquals(c[1], rd(MSR) & 0xf0, "MCR " + Integer.toHexString(c[0]));
        }
        wr(MCR, MCR_LOOP | 0x0a);
        rd(MSR);
        wr(MCR, 0x0a);
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD | MSR_DDSR, rd(MSR), "back to the real lines, DSR changed");
    }

    @Test
    void msrDeltaBitsAndModemStatusInterrupt() {
        wr(MCR, MCR_OUT2);
        wr(IER_DLM, IER_EDSSI);
        assertEquals(IIR_NONE, rd(IIR_FCR));
        uart.setModemInputs(MSR_DSR | MSR_RI); // CTS and DCD drop, RI rises
        assertEquals(IIR_MS, rd(IIR_FCR));
        assertTrue(irq.level());
        assertEquals(MSR_DSR | MSR_RI | MSR_DCTS | MSR_DDCD, rd(MSR), "TERI only on RI's falling edge");
        assertEquals(IIR_NONE, rd(IIR_FCR), "reading MSR clears the deltas");
        assertFalse(irq.level());
        uart.setModemInputs(MSR_DSR);
        assertEquals(MSR_DSR | MSR_TERI, rd(MSR));
        assertEquals(MSR_DSR, rd(MSR));
    }

    @Test
    void iirReportsInDatasheetPriorityOrder() {
        wr(IIR_FCR, FCR_ENABLE); // trigger level 1
        wr(MCR, MCR_OUT2);
        wr(IER_DLM, 0x0f); // all four sources; ETBEI newly set raises THRE
        uart.setModemInputs(MSR_CTS); // modem status delta
        byte[] seventeen = new byte[17];
        assertEquals(16, uart.receiveOrOverrun(seventeen, 0, 17)); // data + overrun
        assertEquals(0xc0 | IIR_RLS, rd(IIR_FCR));
        assertEquals(0xc0 | IIR_RLS, rd(IIR_FCR), "reading IIR does not clear line status");
        assertEquals(LSR_OE, rd(LSR) & LSR_OE);
        assertEquals(0xc0 | IIR_RDA, rd(IIR_FCR));
        for (int i = 0; i < 16; i++) {
            rd(RBR_THR_DLL);
        }
        assertEquals(0xc0 | IIR_THRE, rd(IIR_FCR));
        assertEquals(0xc0 | IIR_MS, rd(IIR_FCR), "reading IIR cleared THRE");
        rd(MSR);
        assertEquals(0xc0 | IIR_NONE, rd(IIR_FCR));
        assertEquals(List.of(true, false), irq.calls, "one rise, one fall");
    }

    @Test
    void characterTimeoutRanksWithReceivedDataAboveThre() {
        wr(IIR_FCR, FCR_ENABLE | 0x80); // trigger 8
        wr(IER_DLM, IER_ERBFI | IER_ETBEI);
        feed(uart, 3);
        assertEquals(0xc0 | IIR_CTI, rd(IIR_FCR));
        assertEquals(0xc0 | IIR_CTI, rd(IIR_FCR), "reading IIR does not clear the timeout");
        for (int i = 0; i < 3; i++) {
            rd(RBR_THR_DLL);
        }
        assertEquals(0xc0 | IIR_THRE, rd(IIR_FCR));
    }

    @Test
    void threInterruptRaiseAndClearRules() {
        wr(MCR, MCR_OUT2);
        assertEquals(IIR_NONE, rd(IIR_FCR));
        wr(IER_DLM, IER_ETBEI);
        assertEquals(IIR_THRE, rd(IIR_FCR), "enabling ETBEI with THR empty raises THRE");
        assertEquals(IIR_NONE, rd(IIR_FCR), "reading IIR cleared it");
        wr(IER_DLM, IER_ETBEI);
        assertEquals(IIR_NONE, rd(IIR_FCR), "rewriting the same IER does not re-raise");
        wr(RBR_THR_DLL, 'a');
        assertEquals(IIR_THRE, rd(IIR_FCR), "THR emptied again after the write");
        wr(IER_DLM, 0);
        assertEquals(IIR_NONE, rd(IIR_FCR));
        wr(IER_DLM, IER_ETBEI);
        wr(IER_DLM, 0);
        wr(IER_DLM, IER_ETBEI | IER_ERBFI);
        assertEquals(IIR_THRE, rd(IIR_FCR), "toggling ETBEI off and on re-raises (Linux UART_BUG_THRE test)");
        wr(IER_DLM, IER_ETBEI);
        wr(IER_DLM, 0);
        wr(RBR_THR_DLL, 'b');
        assertEquals(IIR_NONE, rd(IIR_FCR), "no THRE without ETBEI");
        wr(IER_DLM, IER_ETBEI);
        feed(uart, 1);
        wr(IER_DLM, IER_ETBEI | IER_ERBFI);
        assertEquals(IIR_RDA, rd(IIR_FCR), "data outranks THRE; IIR read of RDA leaves THRE pending");
        rd(RBR_THR_DLL);
        assertEquals(IIR_THRE, rd(IIR_FCR));
        assertEquals("ab", out.toString());
    }

    @Test
    void fifoDepthIs1Then16Then64() {
        assertEquals(1, feed(uart, 5));
        assertEquals(0, feed(uart, 5));
        wr(IIR_FCR, FCR_ENABLE);
        assertEquals(0, rd(LSR) & LSR_DR, "enabling the FIFO empties it");
        assertEquals(16, uart.freeSpace());
        assertEquals(16, feed(uart, 20));
        assertEquals(0, feed(uart, 1));
        assertEquals(0xc0, rd(IIR_FCR) & 0xe0);
        wr(IIR_FCR, FCR_ENABLE | FCR_FIFO64);
        assertEquals(0xe0, rd(IIR_FCR) & 0xe0);
        assertEquals(64, uart.freeSpace(), "resizing empties the FIFO");
        assertEquals(64, feed(uart, 100));
        int n = 0;
        while ((rd(LSR) & LSR_DR) != 0) {
            assertEquals('a' + n % 26, rd(RBR_THR_DLL));
            n++;
        }
        assertEquals(64, n);
        wr(IIR_FCR, 0);
        assertEquals(0x00, rd(IIR_FCR) & 0xe0);
        assertEquals(1, uart.freeSpace());
    }

    @Test
    void triggerLevelsFor16And64ByteFifos() {
        int[][] levels = {{0x00, 1}, {0x40, 4}, {0x80, 8}, {0xc0, 14}};
        int[][] levels64 = {{0x00, 1}, {0x40, 16}, {0x80, 32}, {0xc0, 56}};
        checkTriggers(levels, 0);
        checkTriggers(levels64, FCR_FIFO64);
    }

    private void checkTriggers(int[][] levels, int extra) {
        for (int[] l : levels) {
            FakeClock clock = new FakeClock();
            Serial16550 u = new Serial16550(irq, out, () -> clock.now, 1_000_000);
            u.write(IIR_FCR, 1, FCR_ENABLE | extra | l[0]);
            u.write(IER_DLM, 1, IER_ERBFI);
            assertEquals(l[1] - 1, feed(u, l[1] - 1));
            assertEquals(IIR_NONE, u.read(IIR_FCR, 1) & 0x0f, "below trigger " + l[1]);
            assertEquals(1, feed(u, 1));
            assertEquals(IIR_RDA, u.read(IIR_FCR, 1) & 0x0f, "at trigger " + l[1]);
            u.read(RBR_THR_DLL, 1);
            if (l[1] > 1) {
                assertEquals(IIR_NONE, u.read(IIR_FCR, 1) & 0x0f, "below trigger again " + l[1]);
            }
        }
    }

    @Test
    void characterTimeoutWaitsForTheIdleWindow() {
        FakeClock clock = new FakeClock();
        Serial16550 u = new Serial16550(irq, out, () -> clock.now, 1000);
        u.write(IIR_FCR, 1, FCR_ENABLE | 0xc0); // trigger 14
        u.write(MCR, 1, MCR_OUT2);
        u.write(IER_DLM, 1, IER_ERBFI);
        feed(u, 2);
        assertEquals(IIR_NONE, u.read(IIR_FCR, 1) & 0x0f);
        clock.now += 999;
        u.poll();
        assertTrue(irq.calls.isEmpty());
        clock.now += 1;
        u.poll();
        assertEquals(List.of(true), irq.calls, "timeout raised the line without a register access");
        assertEquals(IIR_CTI, u.read(IIR_FCR, 1) & 0x0f);
        u.read(RBR_THR_DLL, 1); // reading restarts the timer
        assertEquals(IIR_NONE, u.read(IIR_FCR, 1) & 0x0f);
        clock.now += 1000;
        assertEquals(IIR_CTI, u.read(IIR_FCR, 1) & 0x0f);
        u.read(RBR_THR_DLL, 1);
        clock.now += 5000;
        assertEquals(IIR_NONE, u.read(IIR_FCR, 1) & 0x0f, "no timeout on an empty FIFO");
        // 16450 mode has no timeout indication, only data available
        u.write(IIR_FCR, 1, 0);
        feed(u, 1);
        assertEquals(IIR_RDA, u.read(IIR_FCR, 1));
    }

    @Test
    void fcrClearBitsAndProgrammingRules() {
        wr(IIR_FCR, FCR_ENABLE | 0x80);
        feed(uart, 10);
        wr(IIR_FCR, FCR_ENABLE | 0x80 | FCR_CLEAR_TX);
        assertEquals(LSR_DR, rd(LSR) & LSR_DR, "clearing TX leaves RX alone");
        wr(IIR_FCR, FCR_ENABLE | 0x80 | FCR_CLEAR_RX);
        assertEquals(0, rd(LSR) & LSR_DR);
        assertEquals(16, uart.freeSpace());
        assertEquals(FCR_ENABLE | 0x80, uart.fcr(), "clear bits self-clear");
        feed(uart, 3);
        wr(IIR_FCR, FCR_ENABLE | 0x80);
        assertEquals(13, uart.freeSpace(), "rewriting FCR without clear bits keeps data");
        wr(IIR_FCR, FCR_CLEAR_RX | 0xc0 | FCR_FIFO64); // FIFO off: other bits not programmed
        assertEquals(0x80, uart.fcr(), "only FCR0 changed: trigger kept, 64-byte mode not set");
        assertEquals(0x01, rd(IIR_FCR));
    }

    @Test
    void overrunInFifoModeKeepsTheFifoAndLosesTheNewByte() {
        wr(IIR_FCR, FCR_ENABLE);
        wr(IER_DLM, IER_ELSI);
        wr(MCR, MCR_OUT2);
        byte[] b = new byte[18];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        assertEquals(16, uart.receiveOrOverrun(b, 0, 18));
        assertTrue(irq.level());
        assertEquals(LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT, rd(LSR));
        assertFalse(irq.level(), "reading LSR cleared the line status interrupt");
        assertEquals(LSR_DR | LSR_THRE | LSR_TEMT, rd(LSR), "OE clears on read");
        for (int i = 0; i < 16; i++) {
            assertEquals(i, rd(RBR_THR_DLL));
        }
        assertEquals(0, rd(LSR) & LSR_DR);
    }

    @Test
    void receiveIsFlowControlledAndNeverOverruns() {
        wr(IIR_FCR, FCR_ENABLE);
        assertEquals(16, feed(uart, 40));
        assertEquals(0, feed(uart, 40));
        assertEquals(0, rd(LSR) & LSR_OE);
        rd(RBR_THR_DLL);
        assertEquals(1, feed(uart, 40));
    }

    @Test
    void breakIsReportedWithItsCharacter() {
        wr(IIR_FCR, FCR_ENABLE);
        wr(IER_DLM, IER_ELSI | IER_ERBFI);
        feed(uart, 1);
        uart.receiveBreak();
        assertEquals(0xc0 | IIR_RDA, rd(IIR_FCR), "break not yet at the top of the FIFO");
        assertEquals(LSR_DR | LSR_FIFO_ERROR | LSR_THRE | LSR_TEMT, rd(LSR));
        assertEquals('a', rd(RBR_THR_DLL));
        assertEquals(0xc0 | IIR_RLS, rd(IIR_FCR));
        assertEquals(LSR_DR | LSR_BI | LSR_FIFO_ERROR | LSR_THRE | LSR_TEMT, rd(LSR));
        assertEquals(LSR_DR | LSR_THRE | LSR_TEMT, rd(LSR), "BI and bit 7 clear once read");
        assertEquals(0, rd(RBR_THR_DLL));
    }

    @Test
    void irqLineIsGatedByOut2AndOnlyToggledOnChange() {
        wr(IER_DLM, IER_ERBFI | IER_ETBEI); // THRE pending, but OUT2 is low
        feed(uart, 1);
        assertTrue(irq.calls.isEmpty(), "OUT2 low: the line stays low");
        assertEquals(IIR_RDA, rd(IIR_FCR), "the interrupt is still visible in IIR");
        wr(MCR, MCR_OUT2 | MCR_DTR | MCR_RTS);
        assertEquals(List.of(true), irq.calls);
        wr(RBR_THR_DLL, 'x');
        wr(MCR, MCR_OUT2 | MCR_DTR | MCR_RTS);
        rd(LSR);
        assertEquals(List.of(true), irq.calls, "no call while the level is unchanged");
        rd(RBR_THR_DLL); // data gone, THRE still pending
        assertEquals(List.of(true), irq.calls);
        rd(IIR_FCR); // THRE cleared by reading it
        assertEquals(List.of(true, false), irq.calls);
        wr(IER_DLM, 0);
        wr(IER_DLM, IER_ETBEI);
        assertEquals(List.of(true, false, true), irq.calls);
        wr(MCR, MCR_OUT2 | MCR_LOOP);
        assertEquals(List.of(true, false, true, false), irq.calls, "loopback forces OUT2 inactive");
        wr(MCR, MCR_OUT2);
        assertEquals(List.of(true, false, true, false, true), irq.calls);
        wr(MCR, 0);
        assertEquals(List.of(true, false, true, false, true, false), irq.calls);
    }

    @Test
    void awaitSpaceBlocksUntilTheGuestReads() throws Exception {
        assertEquals(1, feed(uart, 1));
        assertFalse(uart.awaitSpace(10, TimeUnit.MILLISECONDS));
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicBoolean result = new AtomicBoolean();
        Thread t = new Thread(() -> {
            waiting.countDown();
            try {
                result.set(uart.awaitSpace(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        waiting.await();
        Thread.sleep(20);
        assertTrue(t.isAlive(), "still waiting while the FIFO is full");
        rd(RBR_THR_DLL);
        t.join(5000);
        assertFalse(t.isAlive());
        assertTrue(result.get());
        assertTrue(uart.awaitSpace(0, TimeUnit.SECONDS));
    }

    @Test
    void concurrentConsoleAndGuestLoseNothing() throws Exception {
        wr(IIR_FCR, FCR_ENABLE);
        byte[] data = new byte[5000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        Thread console = new Thread(() -> {
            int off = 0;
            try {
                while (off < data.length) {
                    off += uart.receive(data, off, Math.min(37, data.length - off));
                    if (off < data.length) {
                        uart.awaitSpace(1, TimeUnit.SECONDS);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        console.start();
        byte[] got = new byte[data.length];
        int n = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (n < got.length && System.nanoTime() < deadline) {
            if ((rd(LSR) & LSR_DR) != 0) {
                got[n++] = (byte) rd(RBR_THR_DLL);
            }
        }
        console.join(5000);
        assertArrayEquals(data, got);
        assertEquals(0, rd(LSR) & LSR_OE);
    }

    @Test
    void wideAccessesAreSplitIntoConsecutiveRegisters() {
        wr(SCR, 0x77);
        uart.write(LCR, 2, 0x0b03); // LCR=0x03, MCR=0x0b
        assertEquals(0x03, rd(LCR));
        assertEquals(0x0b, rd(MCR));
        assertEquals(0xff77, uart.read(SCR, 2), "bytes beyond the UART read as 0xff");
        assertEquals(0x0b03, uart.read(LCR, 2));
    }

    @Test
    void resetRestoresPowerOnState() {
        wr(IIR_FCR, FCR_ENABLE | FCR_FIFO64);
        wr(LCR, 0x83);
        wr(RBR_THR_DLL, 0x30);
        wr(LCR, 0x03);
        wr(MCR, MCR_OUT2);
        wr(IER_DLM, 0x0f);
        feed(uart, 5);
        assertTrue(irq.level());
        uart.reset();
        assertFalse(irq.level());
        assertEquals(0, rd(IER_DLM));
        assertEquals(0x01, rd(IIR_FCR));
        assertEquals(0, rd(LCR));
        assertEquals(1, uart.divisor());
        assertEquals(LSR_THRE | LSR_TEMT, rd(LSR));
    }

    @Test
    void outputErrorsAreCountedNotThrown() {
        Serial16550 u = new Serial16550(irq, new java.io.OutputStream() {
            @Override public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("closed");
            }
        });
        u.write(RBR_THR_DLL, 1, 'a');
        u.write(RBR_THR_DLL, 1, 'b');
        assertEquals(2, u.outputErrors());
    }
}
