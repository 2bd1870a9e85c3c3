package io.minivmm.vmm.devices;

/**
 * QEMU's pvpanic device on an I/O port: a guest that panics writes bit 0 (PANICKED) and the run
 * ends with the panic outcome; bit 1 (CRASH_LOADED: a kdump kernel takes over) is noted and the
 * guest continues. Reading returns the supported events, which is how a driver detects it.
 */
public final class PvPanic implements PioDevice {
    /** QEMU's default port for the ISA pvpanic device. */
    public static final int PORT = 0x505;
    public static final int PANICKED = 1, CRASH_LOADED = 2;

    /** What a pvpanic event asks of the run. */
    public interface Listener {
        void guestPanicked(String how);
    }

    private final Listener listener;

    public PvPanic(Listener listener) { this.listener = listener; }

    @Override
    public int read(int offset, int size) { return PANICKED | CRASH_LOADED; }

    @Override
    public void write(int offset, int size, int value) {
        if ((value & PANICKED) != 0) listener.guestPanicked("the guest reported a panic through pvpanic (port 0x505)");
    }
}
