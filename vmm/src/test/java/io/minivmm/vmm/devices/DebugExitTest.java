package io.minivmm.vmm.devices;

import io.minivmm.vmm.devices.DebugExit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class DebugExitTest {
    private List<Integer> run(DebugExit.Mode mode, int size, int... values) {
        FakeMachine m = new FakeMachine();
        PioBus bus = new PioBus();
        DebugExit.register(bus, DebugExit.PORT, mode, m);
        for (int v : values) {
            bus.write(DebugExit.PORT, size, v);
        }
        return m.exits;
    }

    @Test
    void exactModeUsesTheLowByte() {
        assertEquals(List.of(0, 1, 42, 255, 0, 0x34), run(DebugExit.Mode.EXACT, 1, 0, 1, 42, 255, 256, 0x1234));
        assertEquals(List.of(0x34, 0x78), run(DebugExit.Mode.EXACT, 4, 0x1234, 0x12345678));
        assertEquals(List.of(0x00), run(DebugExit.Mode.EXACT, 2, 0x10000), "a 2-byte write sees 16 bits");
    }

    @Test
    void qemuModeShiftsAndSetsBitZero() {
        assertEquals(List.of(1, 3, 85, 255, 1, 0x69), run(DebugExit.Mode.QEMU, 1, 0, 1, 42, 127, 128, 0x1234));
        assertEquals(List.of(0x69), run(DebugExit.Mode.QEMU, 2, 0x1234));
        assertEquals(List.of(0xf1), run(DebugExit.Mode.QEMU, 4, 0x12345678));
    }

    @Test
    void offModeLeavesThePortUnclaimed() {
        FakeMachine m = new FakeMachine();
        PioBus bus = new PioBus();
        DebugExit.register(bus, DebugExit.PORT, DebugExit.Mode.OFF, m);
        bus.write(DebugExit.PORT, 1, 3);
        assertEquals(0xff, bus.read(DebugExit.PORT, 1));
        assertNull(bus.deviceAt(DebugExit.PORT));
        assertEquals(2, bus.unclaimed().count(DebugExit.PORT));
        // the device itself also ignores writes in OFF mode
        new DebugExit(DebugExit.Mode.OFF, m).write(0, 1, 7);
        assertEquals(List.of(), m.exits);
    }

    @Test
    void readsAreAllOnesAndModesParse() {
        DebugExit d = new DebugExit(DebugExit.Mode.EXACT, new FakeMachine());
        assertEquals(0xff, d.read(0, 1));
        assertEquals(0xffff, d.read(0, 2));
        assertEquals(DebugExit.Mode.QEMU, DebugExit.Mode.parse("qemu"));
        assertEquals(DebugExit.Mode.EXACT, DebugExit.Mode.parse(" Exact "));
        assertEquals(DebugExit.Mode.OFF, DebugExit.Mode.parse("OFF"));
        assertThrows(IllegalArgumentException.class, () -> DebugExit.Mode.parse("loud"));
    }
}
