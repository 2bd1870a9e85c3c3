package io.minivmm.vmm.pc;

import java.io.IOException;
import java.io.DataOutput;
import java.io.DataInput;
import io.minivmm.vmm.devices.I8042;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.Wiring;

/** The i8042 keyboard controller (ports 0x60/0x64, IRQ 1 and 12): A20, the CPU reset line. */
public final class KeyboardControllerPart implements Part {
    private I8042 controller;

    @Override
    public String name() { return "i8042"; }

    @Override
    public void attach(Wiring w) {
        w.resources().claimIrq(name(), I8042.KBD_IRQ);
        w.resources().claimIrq(name(), I8042.AUX_IRQ);
        controller = new I8042(w.control(), w.irq(I8042.KBD_IRQ), w.irq(I8042.AUX_IRQ));
        controller.register(w.pio());
    }

    public I8042 controller() { return controller; }

    @Override
    public void reset() { controller.reset(); }

    @Override
    public void saveState(DataOutput out) throws IOException { controller.saveState(out); }

    @Override
    public void restoreState(DataInput in) throws IOException { controller.restoreState(in); }
}
