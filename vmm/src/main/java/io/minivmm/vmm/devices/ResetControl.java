package io.minivmm.vmm.devices;

import java.util.Objects;

/**
 * The reset control register at port 0xcf9 (Intel PCH/ICH "RST_CNT", used by Linux
 * {@code reboot=pci} and by firmware).
 *
 * <p>Bit 1 selects a system (hard) reset, bit 2 starts the reset, bit 3 requests a full reset
 * (power cycle). A write with both bit 2 and bit 1 set asks for a machine reset: Linux writes
 * {@code 0x02} then {@code 0x06} (warm) or {@code 0x0e} (cold). A write with bit 2 set but not
 * bit 1 (a CPU-only soft reset) is not modelled and only stored. Reads return the last value
 * written, bits 1 and 3 only (bit 2 always reads 0, as on the chipset).
 *
 * <p>The device claims the single port 0xcf9. If a PCI host bridge later wants the whole
 * 0xcf8..0xcff window for configuration mechanism #1, it must absorb this register instead.
 */
public final class ResetControl implements PioDevice {
    public static final int PORT = 0xcf9;
    public static final int SYS_RST = 0x02;
    public static final int RST_CPU = 0x04;
    public static final int FULL_RST = 0x08;

    private final MachineControl control;
    private int value;

    public ResetControl(MachineControl control) {
        this.control = Objects.requireNonNull(control, "control");
    }

    @Override
    public synchronized int read(int offset, int size) {
        return offset == 0 ? value : 0xff;
    }

    @Override
    public void write(int offset, int size, int v) {
        if (offset != 0) {
            return;
        }
        int b = v & 0xff;
        synchronized (this) {
            value = b & (SYS_RST | FULL_RST);
        }
        if ((b & RST_CPU) != 0 && (b & SYS_RST) != 0) {
            control.guestReset();
        }
    }
}
