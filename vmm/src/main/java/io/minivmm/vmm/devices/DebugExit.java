package io.minivmm.vmm.devices;

import io.minivmm.vmm.devices.DebugExit;
import java.util.Locale;
import java.util.Objects;

/**
 * The debug-exit port (0xf4 by default): a guest write ends the run with a process exit status
 * derived from the value written (CLI contract, "Exit status of the process").
 *
 * <p>Any access width is accepted; the value is what the guest wrote at that width. Reads return
 * all ones, as if nothing were there. The status handed to {@link MachineControl#guestExit} is
 * already reduced to 0..255, as the process exit status would be.
 */
public final class DebugExit implements PioDevice {
    /** The conventional port (QEMU's isa-debug-exit default iobase). */
    public static final int PORT = 0xf4;

    /** How a written value becomes the exit status. */
    public enum Mode {
        /** {@code v & 0xff}: the default. */
        EXACT,
        /** {@code ((v << 1) | 1) & 0xff}: what QEMU's isa-debug-exit makes of it. */
        QEMU,
        /** Writes are ignored (and {@link #register} leaves the port unclaimed). */
        OFF;

        /** Parses {@code exact}, {@code qemu} or {@code off} (any case). */
        public static Mode parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    private final Mode mode;
    private final MachineControl control;

    public DebugExit(Mode mode, MachineControl control) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.control = Objects.requireNonNull(control, "control");
    }

    /**
     * Registers a debug-exit device at {@code port} unless {@code mode} is OFF, in which case the
     * port stays unclaimed (reads all ones, writes ignored and counted like any other).
     */
    public static void register(PioBus bus, int port, Mode mode, MachineControl control) {
        if (mode != Mode.OFF) {
            bus.register(port, 1, new DebugExit(mode, control), "debug-exit");
        }
    }

    /** The exit status for a written value in the given mode, or -1 for OFF. */
    public static int status(Mode mode, int value) {
        switch (mode) {
            case EXACT: return value & 0xff;
            case QEMU: return ((value << 1) | 1) & 0xff;
            case OFF: return -1;
            default: throw new AssertionError(mode);
        }
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public int read(int offset, int size) {
        return PioBus.mask(size);
    }

    @Override
    public void write(int offset, int size, int value) {
        if (mode != Mode.OFF) {
            control.guestExit(status(mode, value & PioBus.mask(size)));
        }
    }
}
