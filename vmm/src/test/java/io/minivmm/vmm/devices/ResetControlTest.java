package io.minivmm.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ResetControlTest {
    @Test
    void linuxRebootPciSequenceResets() {
        FakeMachine m = new FakeMachine();
        ResetControl r = new ResetControl(m);
        r.write(0, 1, 0x02); // request hard reset
        assertEquals(0, m.resets);
        assertEquals(0x02, r.read(0, 1));
        r.write(0, 1, 0x06); // warm: do it
        assertEquals(1, m.resets);
        r.write(0, 1, 0x0e); // cold
        assertEquals(2, m.resets);
        assertEquals(0x0a, r.read(0, 1), "bit 2 reads back as 0");
    }

    @Test
    void onlyBitsOneAndTwoTogetherReset() {
        FakeMachine m = new FakeMachine();
        ResetControl r = new ResetControl(m);
        for (int v : new int[] {0x00, 0x02, 0x04, 0x08, 0x0c, 0xf1, 0xfb & ~0x04}) {
            r.write(0, 1, v);
        }
        assertEquals(0, m.resets);
        r.write(0, 1, 0xff);
        assertEquals(1, m.resets);
    }

    @Test
    void registeredAtCf9() {
        FakeMachine m = new FakeMachine();
        PioBus bus = new PioBus();
        bus.register(ResetControl.PORT, 1, new ResetControl(m), "reset");
        bus.write(0xcf9, 1, 0x06);
        bus.write(0xcf8, 1, 0x06);
        assertEquals(1, m.resets);
    }
}
