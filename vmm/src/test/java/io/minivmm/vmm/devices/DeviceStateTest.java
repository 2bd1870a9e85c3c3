package io.minivmm.vmm.devices;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Snapshot state of the devices: what a device saves, a fresh device restores to the same
 * guest-visible behaviour (registers, FIFO contents, IRQ level); corrupt records are refused.
 */
class DeviceStateTest {
    static byte[] save(Stateful d) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        d.saveState(new DataOutputStream(b));
        return b.toByteArray();
    }

    static void restore(Stateful d, byte[] state) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(state));
        d.restoreState(in);
        assertEquals(0, in.available(), "the whole record is read");
    }

    @Test
    void uartRegistersFifoAndIrqSurvive() throws Exception {
        Serial16550Test.FakeIrq irq = new Serial16550Test.FakeIrq();
        Serial16550 a = new Serial16550(irq, new ByteArrayOutputStream());
        a.write(3, 1, 0x83);            // LCR: DLAB, 8 bits
        a.write(0, 1, 0x0c);            // DLL: 9600 baud
        a.write(3, 1, 0x03);
        a.write(2, 1, 0xc7);            // FCR: FIFO on, 14-byte trigger
        a.write(4, 1, 0x0b);            // MCR: DTR, RTS, OUT2
        a.write(1, 1, 0x01);            // IER: data available
        a.write(7, 1, 0x5a);            // SCR
        a.receive("hello".getBytes(), 0, 5);
        assertEquals('h', a.read(0, 1));
        byte[] state = save(a);

        Serial16550Test.FakeIrq irq2 = new Serial16550Test.FakeIrq();
        Serial16550 b = new Serial16550(irq2, new ByteArrayOutputStream());
        restore(b, state);
        assertEquals(0x0c, b.divisor());
        assertEquals(a.fcr(), b.fcr());
        assertEquals(0x5a, b.read(7, 1));
        assertEquals(a.read(5, 1), b.read(5, 1), "LSR");
        assertTrue(irq2.level(), "the restored UART raises its line again (data pending, IER set, OUT2)");
        StringBuilder rest = new StringBuilder();
        for (int i = 0; i < 4; i++) rest.append((char) b.read(0, 1));
        assertEquals("ello", rest.toString());
        assertEquals(0, b.read(5, 1) & 1, "FIFO empty");
    }

    @Test
    void i8042QueueAndCommandByteSurvive() throws Exception {
        FakeMachine m = new FakeMachine();
        I8042 a = new I8042(m, new Serial16550Test.FakeIrq(), new Serial16550Test.FakeIrq());
        a.commandPort().write(0, 1, 0x60);  // write command byte
        a.dataPort().write(0, 1, 0x45);
        a.commandPort().write(0, 1, 0x20);  // read command byte: queued
        I8042 b = new I8042(m, new Serial16550Test.FakeIrq(), new Serial16550Test.FakeIrq());
        restore(b, save(a));
        assertEquals(0x45, b.commandByte());
        assertEquals(0x45, b.dataPort().read(0, 1));
        b.reset();
        assertEquals(I8042.DEFAULT_CTR, b.commandByte());
    }

    @Test
    void rtcKeepsCmosAndTimeOffset() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        CmosRtc a = new CmosRtc(clock, 64 << 20);
        a.write(0, 1, 0x40);
        a.write(1, 1, 0x77);                // CMOS RAM byte 0x40
        a.write(0, 1, 0x04);                // hours
        a.write(1, 1, 0x13);                // set 13 h (BCD)
        CmosRtc b = new CmosRtc(clock, 64 << 20);
        restore(b, save(a));
        assertEquals(0x77, b.ramByte(0x40));
        b.write(0, 1, 0x04);
        assertEquals(0x13, b.read(1, 1));
    }

    @Test
    void corruptRecordsAreRefusedNotApplied() throws Exception {
        Serial16550 a = new Serial16550(new Serial16550Test.FakeIrq(), new ByteArrayOutputStream());
        a.receive("x".getBytes(), 0, 1);
        byte[] good = save(a);
        Random rnd = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] bad = java.util.Arrays.copyOf(good, rnd.nextInt(good.length + 4));
            if (bad.length > 0) bad[rnd.nextInt(bad.length)] ^= (byte) (1 + rnd.nextInt(255));
            Serial16550 b = new Serial16550(new Serial16550Test.FakeIrq(), new ByteArrayOutputStream());
            try {
                b.restoreState(new DataInputStream(new ByteArrayInputStream(bad)));
            } catch (IOException expected) {
                assertEquals(1, b.divisor(), "a refused record changes nothing");
                continue;
            }
            // Accepted: every register value is in range, so the device still works.
            b.read(5, 1);
            b.read(2, 1);
            b.receive("y".getBytes(), 0, 1);
        }
        byte[] wrongVersion = good.clone();
        wrongVersion[0] = 9;
        assertThrows(IOException.class, () -> restore(new Serial16550(new Serial16550Test.FakeIrq(), new ByteArrayOutputStream()),
                wrongVersion));
    }
}
