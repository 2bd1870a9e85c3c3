package io.minivmm.vmm.devices;

import static io.minivmm.vmm.devices.I8042.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class I8042Test {
    final FakeMachine machine = new FakeMachine();
    final Serial16550Test.FakeIrq irq1 = new Serial16550Test.FakeIrq();
    final Serial16550Test.FakeIrq irq12 = new Serial16550Test.FakeIrq();
    final I8042 kbc = new I8042(machine, irq1, irq12);
    final PioBus bus = new PioBus();

    {
        kbc.register(bus);
    }

    int status() {
        return bus.read(COMMAND_PORT, 1);
    }

    void command(int c) {
        bus.write(COMMAND_PORT, 1, c);
    }

    /** Like Linux's i8042_wait_read + i8042_read_data, but fails instead of waiting. */
    int reply() {
        assertEquals(STR_OBF, status() & STR_OBF, "a reply is ready");
        return bus.read(DATA_PORT, 1);
    }

    @Test
    void nothingReadyAfterPowerOn() {
        int s = status();
        assertEquals(0, s & STR_OBF);
        assertEquals(STR_SYS | STR_UNLOCKED, s);
    }

    @Test
    void linuxProbeSequenceAnswersEveryCommandAtOnce() {
        command(0xaa);
        assertEquals(0x55, reply());
        assertEquals(STR_CMD, status() & STR_CMD, "A2 remembers the command port write");
        command(0x20);
        assertEquals(DEFAULT_CTR, reply());
        command(0x60);
        bus.write(DATA_PORT, 1, 0x44);
        assertEquals(0, status() & STR_CMD);
        command(0x20);
        assertEquals(0x44, reply());
        assertEquals(0x44, kbc.commandByte());
        command(0xab);
        assertEquals(0x00, reply());
        command(0xa9);
        assertEquals(0x00, reply());
        command(0xad);
        command(0xa7);
        command(0x20);
        assertEquals(0x44 | CTR_KBDDIS | CTR_AUXDIS, reply());
        command(0xae);
        command(0x20);
        assertEquals(0x44 | CTR_AUXDIS, reply());
        command(0xa8);
        command(0x20);
        assertEquals(0x44, reply());
        assertEquals(0, status() & STR_OBF, "everything consumed");
        assertEquals(0, machine.resets);
    }

    @Test
    void auxLoopbackComesBackAsAuxDataWithIrq12() {
        command(0x60);
        bus.write(DATA_PORT, 1, CTR_AUXINT | CTR_SYS);
        command(0xd3);
        bus.write(DATA_PORT, 1, 0x5a);
        assertEquals(STR_OBF | STR_AUXDATA, status() & (STR_OBF | STR_AUXDATA));
        assertEquals(List.of(true), irq12.calls);
        assertEquals(0x5a, bus.read(DATA_PORT, 1));
        assertEquals(List.of(true, false), irq12.calls);
        assertEquals(List.of(), irq1.calls);
    }

    @Test
    void bytesToAbsentDevicesAreNakedOnTheirPort() {
        bus.write(DATA_PORT, 1, 0xf2); // keyboard: get ID
        assertEquals(STR_OBF, status() & (STR_OBF | STR_AUXDATA));
        assertEquals(List.of(true), irq1.calls);
        assertEquals(0xfe, bus.read(DATA_PORT, 1));
        command(0xd4);
        bus.write(DATA_PORT, 1, 0xf2); // mouse: get ID
        assertEquals(STR_OBF | STR_AUXDATA, status() & (STR_OBF | STR_AUXDATA));
        assertEquals(0xfe, bus.read(DATA_PORT, 1));
        assertEquals(List.of(true, false), irq1.calls);
        assertEquals(List.of(true, false), irq12.calls);
    }

    @Test
    void eachQueuedByteGetsItsOwnEdge() {
        command(0x20);
        command(0xab);
        assertEquals(List.of(true), irq1.calls);
        assertEquals(DEFAULT_CTR, bus.read(DATA_PORT, 1));
        assertEquals(List.of(true, false, true), irq1.calls);
        assertEquals(0x00, bus.read(DATA_PORT, 1));
        assertEquals(List.of(true, false, true, false), irq1.calls);
        assertEquals(0x00, bus.read(DATA_PORT, 1), "empty buffer repeats the last byte");
        assertEquals(4, irq1.calls.size());
    }

    @Test
    void noIrqWhenTheCommandByteDisablesIt() {
        command(0x60);
        bus.write(DATA_PORT, 1, 0x00);
        command(0x20);
        assertEquals(0x00, reply());
        assertEquals(List.of(), irq1.calls);
    }

    @Test
    void pulseResetCommandResetsTheMachine() {
        command(0xff); // pulse nothing
        assertEquals(0, machine.resets);
        command(0xfe);
        assertEquals(1, machine.resets);
        command(0xf0);
        assertEquals(2, machine.resets);
    }

    @Test
    void outputPortA20AndResetLine() {
        command(0xd0);
        assertEquals(0x03, reply());
        command(0xdd);
        assertEquals(0x01, kbc.outputPort());
        command(0xdf);
        assertEquals(0x03, kbc.outputPort());
        command(0xd1);
        bus.write(DATA_PORT, 1, 0x01); // A20 off, reset line high
        assertEquals(0, machine.resets);
        command(0xd1);
        bus.write(DATA_PORT, 1, 0x02); // reset line low
        assertEquals(1, machine.resets);
    }

    private int readData() { return kbc.dataPort().read(0, 1) & 0xff; }


    @Test
    void typedCharactersArriveAsSet1MakeAndBreakCodesWithIrq1() {
        assertTrue(kbc.typeKey('a'));
        assertTrue(irq1.level(), "IRQ 1 raised");
        assertEquals(I8042.STR_OBF, status() & I8042.STR_OBF);
        assertEquals(0x1e, readData());
        assertEquals(0x9e, readData());
        assertEquals(0, status() & I8042.STR_OBF);
        assertFalse(irq1.level());
        assertTrue(kbc.typeKey('A'));
        assertEquals(java.util.List.of(0x2a, 0x1e, 0x9e, 0xaa), java.util.List.of(readData(), readData(), readData(), readData()),
                "Shift around the key");
        assertTrue(kbc.typeKey('\n'));
        assertEquals(0x1c, readData(), "LF is Enter");
        assertEquals(0x9c, readData());
        assertTrue(kbc.typeKey(0x03));
        assertEquals(java.util.List.of(0x1d, 0x2e, 0xae, 0x9d), java.util.List.of(readData(), readData(), readData(), readData()),
                "Ctrl-C");
    }

    @Test
    void aFullBufferOrADisabledKeyboardRefusesTheWholeKeystroke() {
        for (int i = 0; i < 8; i++) assertTrue(kbc.typeKey('x'));
        assertFalse(kbc.typeKey('x'), "16 bytes queued");
        assertFalse(kbc.typeKey('X'));
        for (int i = 0; i < 16; i++) readData();
        kbc.commandPort().write(0, 1, 0xad); // disable the keyboard
        assertFalse(kbc.typeKey('x'));
        kbc.commandPort().write(0, 1, 0xae);
        assertTrue(kbc.typeKey('x'));
        assertTrue(kbc.typeKey(0x80), "no key types it: dropped");
    }
}
