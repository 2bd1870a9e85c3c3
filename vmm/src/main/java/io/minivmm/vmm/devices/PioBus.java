package io.minivmm.vmm.devices;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The x86 I/O port space (0x0000..0xffff): routes each access to the device registered over
 * that port.
 *
 * <p>Lookup is two array loads (256 pages of 256 ports; a page nobody claims a port in is not
 * allocated), so dispatch allocates nothing. Registration is copy-on-write: the page index and
 * the pages it changes are copied and published through a volatile field, so it is safe (if
 * unusual) to register while vCPUs run, and a board's registrations cost a few KiB, not a 64K
 * table each.
 *
 * <p>An access to a port nobody claims reads as all ones (0xff, 0xffff, 0xffffffff by size, as an
 * ISA bus with nothing driving it does), is ignored when written, is counted in
 * {@link #unclaimed()} and is reported to the {@link UnclaimedAccessListener}.
 *
 * <p>An access is routed by its first port: a 2- or 4-byte access starting inside a device goes
 * to that device in full, with the offset of its first byte.
 */
public final class PioBus {
    /** Number of I/O ports on x86. */
    public static final int PORTS = 0x10000;

    private record Registration(int base, int length, PioDevice device, String name) { }

    private final Object registerLock = new Object();
    private static final int PAGE = 256;
    private volatile Registration[][] table = new Registration[PORTS / PAGE][];
    private final List<Registration> registrations = new ArrayList<>();
    private final UnclaimedAccesses unclaimed = new UnclaimedAccesses();
    private volatile UnclaimedAccessListener listener = UnclaimedAccessListener.IGNORE;

    /**
     * Claims ports {@code [base, base + length)} for {@code device}.
     *
     * @throws IllegalArgumentException if the range is empty, leaves the port space, or overlaps
     *     a registered device (the message names both)
     */
    public void register(int base, int length, PioDevice device, String name) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(name, "name");
        if (base < 0 || length <= 0 || base > PORTS - length) {
            throw new IllegalArgumentException(String.format(
                    "%s: port range 0x%x+0x%x is outside 0x0..0xffff", name, base, length));
        }
        synchronized (registerLock) {
            Registration[][] old = table;
            for (int p = base; p < base + length; p++) {
                Registration r = at(old, p);
                if (r != null) {
                    throw new IllegalArgumentException(String.format(
                            "%s at ports 0x%x..0x%x overlaps %s at ports 0x%x..0x%x", name, base,
                            base + length - 1, r.name, r.base, r.base + r.length - 1));
                }
            }
            Registration reg = new Registration(base, length, device, name);
            Registration[][] next = old.clone();
            for (int page = base / PAGE; page <= (base + length - 1) / PAGE; page++) {
                next[page] = old[page] == null ? new Registration[PAGE] : old[page].clone();
            }
            for (int p = base; p < base + length; p++) {
                next[p / PAGE][p % PAGE] = reg;
            }
            registrations.add(reg);
            table = next;
        }
    }

    private static Registration at(Registration[][] table, int port) {
        Registration[] page = table[port >>> 8];
        return page == null ? null : page[port & (PAGE - 1)];
    }

    /** Sets the hook told about unclaimed accesses (replaces the previous one). */
    public void setUnclaimedListener(UnclaimedAccessListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Counters of unclaimed accesses (by port). */
    public UnclaimedAccesses unclaimed() {
        return unclaimed;
    }

    /** The name of the device claiming {@code port}, or null. */
    public String deviceAt(int port) {
        Registration r = at(table, port & 0xffff);
        return r == null ? null : r.name;
    }

    /** Registered devices as "name base+length" lines, in registration order. */
    public List<String> describe() {
        synchronized (registerLock) {
            List<String> out = new ArrayList<>();
            for (Registration r : registrations) {
                out.add(String.format("%s 0x%04x+0x%x", r.name, r.base, r.length));
            }
            return out;
        }
    }

    /** The trap device at {@code port} (see {@link PioTrap}), or null when the port has none. */
    public PioTrap trapAt(int port) {
        Registration r = at(table, port & 0xffff);
        return r != null && r.device instanceof PioTrap t ? t : null;
    }

    /** The offset of {@code port} inside the device that claims it (0 when unclaimed). */
    public int offsetOf(int port) {
        Registration r = at(table, port & 0xffff);
        return r == null ? 0 : (port & 0xffff) - r.base;
    }

    /** Performs an {@code IN}: returns the value, masked to {@code size} bytes. */
    public int read(int port, int size) {
        Registration r = at(table, port & 0xffff);
        int mask = mask(size);
        if (r == null) {
            report(false, port & 0xffff, size, mask);
            return mask;
        }
        return r.device.read((port & 0xffff) - r.base, size) & mask;
    }

    /** Performs an {@code OUT} of the low {@code size} bytes of {@code value}. */
    public void write(int port, int size, int value) {
        Registration r = at(table, port & 0xffff);
        int mask = mask(size);
        if (r == null) {
            report(true, port & 0xffff, size, value & mask);
            return;
        }
        r.device.write((port & 0xffff) - r.base, size, value & mask);
    }

    private void report(boolean write, int port, int size, int value) {
        long count = unclaimed.record(port);
        listener.unclaimed(write, port, size, value & 0xffffffffL, count);
    }

    /** All-ones mask for an access of {@code size} bytes (1, 2 or 4). */
    static int mask(int size) {
        switch (size) {
            case 1: return 0xff;
            case 2: return 0xffff;
            case 4: return 0xffffffff;
            default: throw new IllegalArgumentException("port access size " + size);
        }
    }
}
