package io.minivmm.vmm.devices;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The Bochs/QEMU debug console: bytes written to its port go straight to a host stream, one exit
 * per byte and no UART to program (GRUB prints "Found no Xen signature!" there, SeaBIOS its log on
 * 0x402). Reading the port returns 0xE9, which is how guests detect it. With no stream, writes
 * are only counted, so the run can say once at the end that the guest wrote there.
 */
public final class DebugConsole implements PioDevice {
    /** Bochs's and QEMU's isa-debugcon default port. */
    public static final int PORT_E9 = 0xe9;
    /** SeaBIOS's debug output port. */
    public static final int PORT_402 = 0x402;

    private final OutputStream out;
    private long bytes;
    private boolean broken;

    /** @param out where the bytes go, or null to count them only */
    public DebugConsole(OutputStream out) { this.out = out; }

    @Override
    public int read(int offset, int size) { return 0xe9; }

    @Override
    public synchronized void write(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            bytes++;
            if (out != null && !broken) {
                try {
                    out.write((value >>> (8 * i)) & 0xff);
                } catch (IOException e) {
                    broken = true; // a closed stderr or full disk must not stop the guest
                }
            }
        }
    }

    /** Flushes the host stream (at the end of a run, and periodically if the caller likes). */
    public synchronized void flush() {
        if (out == null || broken) return;
        try {
            out.flush();
        } catch (IOException e) {
            broken = true;
        }
    }

    /** Bytes the guest wrote. */
    public synchronized long bytes() { return bytes; }
}
