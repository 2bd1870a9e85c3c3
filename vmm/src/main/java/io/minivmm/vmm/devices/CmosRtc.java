package io.minivmm.vmm.devices;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * The PC CMOS RAM and real-time clock (Motorola MC146818A), at ports 0x70 (index, write only;
 * bit 7 masks NMI) and 0x71 (data). Register it with {@code bus.register(0x70, 2, rtc, "cmos")}.
 *
 * <p>Model:
 * <ul>
 *   <li>Time of day (registers 0x00, 0x02, 0x04, 0x06..0x09 and the century at 0x32) is
 *       computed on every read from the injected {@link Clock}, in UTC, plus an offset the
 *       guest sets by writing those registers (directly, or between setting and clearing
 *       register B's SET bit, during which reads return the frozen values). Values honour
 *       register B at read time: binary or BCD (bit 2) and 24- or 12-hour (bit 1; in 12-hour
 *       mode bit 7 of the hour is PM). Day of week runs 1 (Sunday) .. 7. Writes that make an
 *       impossible date are dropped; day-of-week writes are dropped (it follows the date).
 *   <li>Register A: bit 7 UIP is set during the last 244 µs of every second (the MC146818
 *       raises it 244 µs before each update cycle) and never while SET is on; bits 0..6
 *       (divider and rate select) are stored, 0x26 at power-on, but do not stop the clock.
 *   <li>Register B is stored (0x02 at power-on: 24-hour, BCD). No periodic, alarm or update
 *       interrupts are generated, so register C always reads 0; register D reads 0x80 (VRT:
 *       the battery is fine). Alarm registers 0x01/0x03/0x05 are plain RAM.
 *   <li>Memory size bytes as firmware leaves them (the QEMU/SeaBIOS layout): 0x15/0x16 base
 *       memory in KiB (640), 0x17/0x18 and 0x30/0x31 extended memory above 1 MiB in KiB capped
 *       at 0xffff, 0x34/0x35 memory between 16 MiB and the 32-bit MMIO gap in 64 KiB units
 *       (capped at 0xffff), 0x5b..0x5d memory above 4 GiB in 64 KiB units. No checksum at
 *       0x2e/0x2f is maintained.
 *   <li>Every other index of the 128 is plain CMOS RAM.
 * </ul>
 * Thread-safe (one monitor).
 */
public final class CmosRtc implements PioDevice, Stateful {
    public static final int INDEX_PORT = 0x70;
    public static final int DATA_PORT = 0x71;
    public static final int PORT_COUNT = 2;

    /** Where guest RAM stops below 4 GiB when the caller does not say (QEMU pc: 3 GiB). */
    public static final long DEFAULT_LOW_RAM_LIMIT = 0xC000_0000L;

    public static final int REG_SECONDS = 0x00;
    public static final int REG_MINUTES = 0x02;
    public static final int REG_HOURS = 0x04;
    public static final int REG_DAY_OF_WEEK = 0x06;
    public static final int REG_DAY_OF_MONTH = 0x07;
    public static final int REG_MONTH = 0x08;
    public static final int REG_YEAR = 0x09;
    public static final int REG_A = 0x0a;
    public static final int REG_B = 0x0b;
    public static final int REG_C = 0x0c;
    public static final int REG_D = 0x0d;
    public static final int REG_CENTURY = 0x32;

    public static final int A_UIP = 0x80;
    public static final int B_SET = 0x80;
    public static final int B_BINARY = 0x04;
    public static final int B_24H = 0x02;
    public static final int D_VRT = 0x80;

    /** MC146818A: UIP goes high this long before each update cycle (at 32.768 kHz). */
    public static final long UIP_NANOS = 244_000;

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    private final Clock clock;
    private final byte[] ram = new byte[128];
    private int index;
    private boolean nmiMasked;
    private long offsetSeconds;
    private LocalDateTime frozen; // non-null while register B's SET bit is on

    /** RAM of {@code ramBytes}, split at {@link #DEFAULT_LOW_RAM_LIMIT} like QEMU's pc. */
    public CmosRtc(Clock clock, long ramBytes) {
        this(clock, ramBytes, DEFAULT_LOW_RAM_LIMIT);
    }

    /**
     * @param ramBytes guest RAM size
     * @param lowRamLimit where the 32-bit MMIO gap begins: RAM beyond it is placed above 4 GiB
     */
    public CmosRtc(Clock clock, long ramBytes, long lowRamLimit) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (ramBytes < 0 || lowRamLimit <= 0 || lowRamLimit > 4 * GIB) {
            throw new IllegalArgumentException("ramBytes " + ramBytes + ", lowRamLimit " + lowRamLimit);
        }
        ram[REG_A] = 0x26;
        ram[REG_B] = B_24H;
        long below = Math.min(ramBytes, lowRamLimit);
        long above = ramBytes - below;
        put16(0x15, Math.min(below / KIB, 640));
        long ext = below > MIB ? Math.min((below - MIB) / KIB, 0xffff) : 0;
        put16(0x17, ext);
        put16(0x30, ext);
        put16(0x34, below > 16 * MIB ? Math.min((below - 16 * MIB) / (64 * KIB), 0xffff) : 0);
        long high = Math.min(above / (64 * KIB), 0xff_ffff);
        ram[0x5b] = (byte) high;
        ram[0x5c] = (byte) (high >>> 8);
        ram[0x5d] = (byte) (high >>> 16);
    }

    private void put16(int at, long v) {
        ram[at] = (byte) v;
        ram[at + 1] = (byte) (v >>> 8);
    }

    /** Whether the last index write had bit 7 set (NMI disabled). */
    public synchronized boolean nmiMasked() {
        return nmiMasked;
    }

    /** The raw CMOS byte at {@code i} as stored (time registers are computed, not stored). */
    public synchronized int ramByte(int i) {
        return ram[i & 0x7f] & 0xff;
    }

    @Override
    public synchronized int read(int offset, int size) {
        int v = 0;
        for (int i = 0; i < size; i++) {
            int b = offset + i == 1 ? readRegister(index) : 0xff; // the index port is write-only
            v |= b << (8 * i);
        }
        return v;
    }

    @Override
    public synchronized void write(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            int b = (value >>> (8 * i)) & 0xff;
            if (offset + i == 0) {
                index = b & 0x7f;
                nmiMasked = (b & 0x80) != 0;
            } else if (offset + i == 1) {
                writeRegister(index, b);
            }
        }
    }

    private int readRegister(int reg) {
        switch (reg) {
            case REG_SECONDS: return encode(guestTime().getSecond());
            case REG_MINUTES: return encode(guestTime().getMinute());
            case REG_HOURS: return encodeHour(guestTime().getHour());
            case REG_DAY_OF_WEEK: return guestTime().getDayOfWeek().getValue() % 7 + 1;
            case REG_DAY_OF_MONTH: return encode(guestTime().getDayOfMonth());
            case REG_MONTH: return encode(guestTime().getMonthValue());
            case REG_YEAR: return encode(guestTime().getYear() % 100);
            case REG_CENTURY: return encode(guestTime().getYear() / 100);
            case REG_A: return (ram[REG_A] & 0x7f) | (updateInProgress() ? A_UIP : 0);
            case REG_C: return 0;
            case REG_D: return D_VRT;
            default: return ram[reg] & 0xff;
        }
    }

    private void writeRegister(int reg, int v) {
        switch (reg) {
            case REG_SECONDS: setTime(t -> t.withSecond(decode(v))); break;
            case REG_MINUTES: setTime(t -> t.withMinute(decode(v))); break;
            case REG_HOURS: setTime(t -> t.withHour(decodeHour(v))); break;
            case REG_DAY_OF_WEEK: break;
            case REG_DAY_OF_MONTH: setTime(t -> t.withDayOfMonth(decode(v))); break;
            case REG_MONTH: setTime(t -> t.withMonth(decode(v))); break;
            case REG_YEAR: setTime(t -> t.withYear(t.getYear() / 100 * 100 + decode(v))); break;
            case REG_CENTURY: setTime(t -> t.withYear(decode(v) * 100 + t.getYear() % 100)); break;
            case REG_A: ram[REG_A] = (byte) (v & 0x7f); break;
            case REG_B: writeB(v); break;
            case REG_C: case REG_D: break; // read-only
            default: ram[reg] = (byte) v;
        }
    }

    private void writeB(int v) {
        boolean wasSet = frozen != null;
        boolean set = (v & B_SET) != 0;
        if (set && !wasSet) {
            frozen = guestTime();
        } else if (!set && wasSet) {
            offsetSeconds = frozen.toEpochSecond(ZoneOffset.UTC) - clock.instant().getEpochSecond();
            frozen = null;
        }
        ram[REG_B] = (byte) v;
    }

    private interface TimeEdit {
        LocalDateTime apply(LocalDateTime t);
    }

    private void setTime(TimeEdit edit) {
        LocalDateTime next;
        try {
            next = edit.apply(guestTime());
        } catch (DateTimeException e) {
            return; // an impossible value: the write is dropped
        }
        if (frozen != null) {
            frozen = next;
        } else {
            offsetSeconds = next.toEpochSecond(ZoneOffset.UTC) - clock.instant().getEpochSecond();
        }
    }

    private LocalDateTime guestTime() {
        if (frozen != null) {
            return frozen;
        }
        Instant now = clock.instant().plusSeconds(offsetSeconds);
        return LocalDateTime.ofInstant(now, ZoneOffset.UTC);
    }

    private boolean updateInProgress() {
        if (frozen != null) {
            return false; // SET inhibits updates and clears UIP
        }
        return clock.instant().getNano() >= 1_000_000_000L - UIP_NANOS;
    }

    private boolean binary() {
        return (ram[REG_B] & B_BINARY) != 0;
    }

    private int encode(int v) {
        return binary() ? v : ((v / 10) << 4) | (v % 10);
    }

    private int decode(int v) {
        return binary() ? v : ((v >>> 4) & 0x0f) * 10 + (v & 0x0f);
    }

    private int encodeHour(int h) {
        if ((ram[REG_B] & B_24H) != 0) {
            return encode(h);
        }
        int h12 = h % 12 == 0 ? 12 : h % 12;
        return encode(h12) | (h >= 12 ? 0x80 : 0);
    }

    private int decodeHour(int v) {
        if ((ram[REG_B] & B_24H) != 0) {
            return decode(v);
        }
        int h12 = decode(v & 0x7f);
        return h12 % 12 + ((v & 0x80) != 0 ? 12 : 0);
    }

    /** Format of {@link #saveState}. */
    private static final int STATE_VERSION = 1;

    /**
     * The RTC keeps wall-clock time across a snapshot: what is saved is the guest's offset from
     * the host clock (and a time frozen by register B's SET bit), not a time of day.
     */
    @Override
    public synchronized void saveState(java.io.DataOutput out) throws java.io.IOException {
        out.writeByte(STATE_VERSION);
        out.write(ram);
        out.writeByte(index);
        out.writeBoolean(nmiMasked);
        out.writeLong(offsetSeconds);
        out.writeBoolean(frozen != null);
        out.writeLong(frozen == null ? 0 : frozen.toEpochSecond(ZoneOffset.UTC));
    }

    @Override
    public synchronized void restoreState(java.io.DataInput in) throws java.io.IOException {
        Stateful.check("rtc state version", in.readUnsignedByte(), STATE_VERSION, STATE_VERSION);
        byte[] nRam = new byte[ram.length];
        in.readFully(nRam);
        int nIndex = Stateful.check("rtc index", in.readUnsignedByte(), 0, ram.length - 1);
        boolean nNmi = in.readBoolean();
        long nOffset = in.readLong();
        boolean isFrozen = in.readBoolean();
        long frozenAt = in.readLong();
        // Bounded to +-10000 years so the date arithmetic cannot overflow.
        long limit = 10_000L * 366 * 86_400;
        if (Math.abs(nOffset) > limit || Math.abs(frozenAt) > limit * 2) throw new java.io.IOException("rtc time out of range");
        System.arraycopy(nRam, 0, ram, 0, ram.length);
        index = nIndex;
        nmiMasked = nNmi;
        offsetSeconds = nOffset;
        frozen = isFrozen ? LocalDateTime.ofEpochSecond(frozenAt, 0, ZoneOffset.UTC) : null;
    }
}
