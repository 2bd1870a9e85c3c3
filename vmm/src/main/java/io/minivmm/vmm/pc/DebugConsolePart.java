package io.minivmm.vmm.pc;

import io.minivmm.vmm.devices.DebugConsole;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.Wiring;
import java.io.OutputStream;

/** The debug console on ports 0xE9 (Bochs/QEMU debugcon) and 0x402 (SeaBIOS's log). */
public final class DebugConsolePart implements Part {
    private final DebugConsole console;

    /** @param out where the guest's bytes go, or null to count them only */
    public DebugConsolePart(OutputStream out) { this.console = new DebugConsole(out); }

    @Override
    public String name() { return "debugcon"; }

    @Override
    public void attach(Wiring w) {
        w.pio().register(DebugConsole.PORT_E9, 1, console, "debugcon");
        w.pio().register(DebugConsole.PORT_402, 1, console, "debugcon-402");
    }

    public DebugConsole console() { return console; }

    @Override
    public void close() { console.flush(); }
}
