package io.minivmm.vmm.pc;

import java.io.IOException;
import java.io.DataOutput;
import java.io.DataInput;
import io.minivmm.vmm.devices.Serial16550;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.PlatformInfo;
import io.minivmm.vmm.machine.Wiring;
import java.io.OutputStream;

/** A 16550A UART at a legacy COM port, its transmitter writing to {@code out}. */
public final class SerialPart implements Part {
    private final int index;
    private final int base;
    private final int irq;
    private final OutputStream out;
    private Serial16550 uart;

    /** COM1 (0x3f8, IRQ 4). */
    public static SerialPart com1(OutputStream out) { return new SerialPart(0, Serial16550.COM1_BASE, Serial16550.COM1_IRQ, out); }

    public SerialPart(int index, int base, int irq, OutputStream out) {
        this.index = index;
        this.base = base;
        this.irq = irq;
        this.out = out;
    }

    @Override
    public String name() { return "com" + (index + 1); }

    @Override
    public void attach(Wiring w) {
        w.resources().claimIrq(name(), irq);
        uart = new Serial16550(w.irq(irq), out);
        w.pio().register(base, Serial16550.PORT_COUNT, uart, name());
        w.platform().addSerialPort(new PlatformInfo.SerialPort(index, base, irq));
    }

    /** The UART (after {@link #attach}): the input pump feeds its receiver. */
    public Serial16550 uart() { return uart; }

    @Override
    public void reset() { uart.reset(); }

    @Override
    public void saveState(DataOutput out) throws IOException { uart.saveState(out); }

    @Override
    public void restoreState(DataInput in) throws IOException { uart.restoreState(in); }
}
