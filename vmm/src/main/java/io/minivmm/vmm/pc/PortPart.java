package io.minivmm.vmm.pc;

import io.minivmm.vmm.devices.Stateful;
import java.io.IOException;
import java.io.DataOutput;
import java.io.DataInput;
import io.minivmm.vmm.devices.PioDevice;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.Wiring;
import java.util.Objects;
import java.util.function.Function;

/**
 * A part that is one device on a fixed I/O port range, built when it attaches from what the
 * wiring offers (e.g. the machine control for a reset or exit port).
 */
public class PortPart implements Part {
    private final String name;
    private final int base;
    private final int length;
    private final Function<Wiring, PioDevice> factory;
    private PioDevice device;

    public PortPart(String name, int base, int length, Function<Wiring, PioDevice> factory) {
        this.name = Objects.requireNonNull(name);
        this.base = base;
        this.length = length;
        this.factory = Objects.requireNonNull(factory);
    }

    private PortPart(String name, int base, int length, PioDevice device) {
        this.name = Objects.requireNonNull(name);
        this.base = base;
        this.length = length;
        this.factory = null;
        this.device = Objects.requireNonNull(device);
    }

    /** A part over a device that needs nothing from the machine ({@link #device()} is that device from the start). */
    public static PortPart of(String name, int base, int length, PioDevice device) {
        return new PortPart(name, base, length, device);
    }

    @Override
    public String name() { return name; }

    @Override
    public void attach(Wiring w) {
        if (factory != null) device = factory.apply(w);
        w.pio().register(base, length, device, name);
    }

    /** The device behind the ports (after {@link #attach}). */
    public PioDevice device() { return device; }

    /**
     * Port 0x80, the PC's POST/IO-delay port: Linux and firmware write it constantly. Claimed as a
     * sink so those writes skip the unclaimed-access accounting.
     */
    public static PortPart ioDelay() {
        return of("io-delay", 0x80, 1, new PioDevice() {
            @Override
            public int read(int offset, int size) { return 0xffffffff; }

            @Override
            public void write(int offset, int size, int value) { }
        });
    }

    /** A device with state ({@link Stateful}) saves it; a stateless one (debug exit, reset port) writes nothing. */
    @Override
    public void saveState(DataOutput out) throws IOException {
        if (device instanceof Stateful s) s.saveState(out);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        if (device instanceof Stateful s) s.restoreState(in);
    }
}
