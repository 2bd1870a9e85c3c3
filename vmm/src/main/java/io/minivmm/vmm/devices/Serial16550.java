package io.minivmm.vmm.devices;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A 16550A UART (8 registers at offsets 0..7), as a state machine.
 *
 * <p>Model, and where it departs from the silicon (TI/NS PC16550D datasheet):
 * <ul>
 *   <li><b>Transmit is instantaneous.</b> A byte written to THR is written to the output stream
 *       at once (or, in loopback, moved into the receive FIFO), so THR, the transmit FIFO and the
 *       shift register are always empty: LSR.THRE and LSR.TEMT always read 1.
 *   <li><b>Receive FIFO</b>: 1 byte (RBR) with the FIFO disabled (16450 mode), 16 with FCR bit 0
 *       set, 64 with FCR bit 5 also set (the TI16C750's 64-byte mode; trigger levels are then
 *       1/16/32/56 instead of 1/4/8/14). FCR bit 5 is honoured whatever the DLAB (the real
 *       16750 only latches it with DLAB=1); Linux's autoconfig treats such a part as a 16550A
 *       (its "cheap clone" case), so Linux keeps using it as the 16550A the CLI contract
 *       promises. Changing FCR bit 0 or bit 5 empties the receive FIFO. FCR bits other than
 *       bit 0 are only programmed when bit 0 is written as 1, as the datasheet requires.
 *   <li><b>Character timeout</b> (IIR 0x0C): pending when the FIFO is enabled, holds at least one
 *       byte but fewer than the trigger level, and nothing was received or read for the
 *       character-timeout window. The window defaults to 0: the console delivers input in host
 *       chunks and transmission takes no time here, so the end of a chunk is already "4 character
 *       times of silence". With a non-zero window, expiry is noticed on the next register access,
 *       {@link #receive} or {@link #poll()} call.
 *   <li><b>Line errors</b>: no parity or framing errors ever occur (PE/FE read 0). Breaks can be
 *       injected with {@link #receiveBreak()}: a 0x00 character flagged BI, reported in LSR while
 *       it is at the top of the FIFO; LSR bit 7 (error in FIFO) is set while any flagged
 *       character is in the FIFO. Reading LSR clears OE and the BI flag of the top character.
 *   <li><b>Overrun</b>: {@link #receive} is flow-controlled (it takes only what fits) so the
 *       console can never overrun the guest. Overrun happens on the loopback path (a THR write
 *       into a full FIFO), for {@link #receiveOrOverrun} (models a line with no flow control),
 *       and for {@link #receiveBreak()} into a full FIFO. As on the chip, the new character is
 *       lost in FIFO mode and overwrites RBR in 16450 mode.
 *   <li><b>Modem lines</b>: outside loopback the inputs are CTS, DSR and DCD asserted and RI not
 *       ({@link #setModemInputs} changes them); in loopback CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2.
 *       The delta bits of MSR follow every change of the lines the CPU sees (including entering
 *       and leaving loopback), TERI on RI's falling edge; reading MSR clears them.
 *   <li><b>Interrupt output</b>: as on PC hardware the INTR pin reaches the PIC only through
 *       the OUT2-gated buffer, so the line level is "an enabled interrupt is pending" AND
 *       MCR.OUT2. In loopback the datasheet forces the OUT2 pin inactive, so the line is low
 *       (the interrupt is still visible in IIR). {@link IrqLine#set} is called only when the
 *       level changes.
 *   <li>IER bits 4..7 and MCR bits 5..7 read as 0 (no 16750 sleep/auto-flow-control); LCR's
 *       break bit (6) is stored only. The divisor latch powers up as 1 (115200 baud).
 * </ul>
 *
 * <p>Threading: every method takes one internal lock, so vCPU threads (register accesses) and
 * the console thread ({@link #receive}, {@link #awaitSpace}) can call concurrently. The
 * {@link IrqLine} and the output stream are called while that lock is held, which keeps level
 * changes and output bytes in order; neither may call back into this UART. The stream is not
 * flushed here: pass an unbuffered stream or one that the caller flushes.
 */
public final class Serial16550 implements PioDevice, ConsoleInput, Stateful {
    /** Number of I/O ports the UART decodes. */
    public static final int PORT_COUNT = 8;

    /** PC/AT convention: COM1 at 0x3f8 on IRQ 4. */
    public static final int COM1_BASE = 0x3f8;
    public static final int COM1_IRQ = 4;
    /** PC/AT convention: COM2 at 0x2f8 on IRQ 3. */
    public static final int COM2_BASE = 0x2f8;
    public static final int COM2_IRQ = 3;
    /** PC/AT convention: COM3 at 0x3e8, sharing IRQ 4 with COM1. */
    public static final int COM3_BASE = 0x3e8;
    public static final int COM3_IRQ = 4;
    /** PC/AT convention: COM4 at 0x2e8, sharing IRQ 3 with COM2. */
    public static final int COM4_BASE = 0x2e8;
    public static final int COM4_IRQ = 3;

    // Register offsets (datasheet table 2).
    public static final int RBR_THR_DLL = 0;
    public static final int IER_DLM = 1;
    public static final int IIR_FCR = 2;
    public static final int LCR = 3;
    public static final int MCR = 4;
    public static final int LSR = 5;
    public static final int MSR = 6;
    public static final int SCR = 7;

    // IER bits.
    public static final int IER_ERBFI = 0x01;
    public static final int IER_ETBEI = 0x02;
    public static final int IER_ELSI = 0x04;
    public static final int IER_EDSSI = 0x08;

    // IIR values (bits 3..0) and flags.
    public static final int IIR_NONE = 0x01;
    public static final int IIR_RLS = 0x06;
    public static final int IIR_RDA = 0x04;
    public static final int IIR_CTI = 0x0c;
    public static final int IIR_THRE = 0x02;
    public static final int IIR_MS = 0x00;
    public static final int IIR_FIFO_ENABLED = 0xc0;
    public static final int IIR_FIFO64 = 0x20;

    // FCR bits.
    public static final int FCR_ENABLE = 0x01;
    public static final int FCR_CLEAR_RX = 0x02;
    public static final int FCR_CLEAR_TX = 0x04;
    public static final int FCR_DMA = 0x08;
    public static final int FCR_FIFO64 = 0x20;

    // LCR / MCR bits.
    public static final int LCR_DLAB = 0x80;
    public static final int MCR_DTR = 0x01;
    public static final int MCR_RTS = 0x02;
    public static final int MCR_OUT1 = 0x04;
    public static final int MCR_OUT2 = 0x08;
    public static final int MCR_LOOP = 0x10;

    // LSR bits.
    public static final int LSR_DR = 0x01;
    public static final int LSR_OE = 0x02;
    public static final int LSR_PE = 0x04;
    public static final int LSR_FE = 0x08;
    public static final int LSR_BI = 0x10;
    public static final int LSR_THRE = 0x20;
    public static final int LSR_TEMT = 0x40;
    public static final int LSR_FIFO_ERROR = 0x80;

    // MSR bits.
    public static final int MSR_DCTS = 0x01;
    public static final int MSR_DDSR = 0x02;
    public static final int MSR_TERI = 0x04;
    public static final int MSR_DDCD = 0x08;
    public static final int MSR_CTS = 0x10;
    public static final int MSR_DSR = 0x20;
    public static final int MSR_RI = 0x40;
    public static final int MSR_DCD = 0x80;

    private static final int MAX_FIFO = 64;
    private static final int[] TRIGGER_16 = {1, 4, 8, 14};
    private static final int[] TRIGGER_64 = {1, 16, 32, 56};

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition spaceAvailable = lock.newCondition();
    private final IrqLine irq;
    private final OutputStream out;
    private final LongSupplier nanoClock;
    private final long charTimeoutNanos;

    // Receive FIFO: a ring of bytes with a break flag per entry.
    private final byte[] rx = new byte[MAX_FIFO];
    private final boolean[] rxBreak = new boolean[MAX_FIFO];
    private int rxHead;
    private int rxCount;
    private int lastRbr;
    private long lastRxActivity;

    private int ier;
    private int lcr;
    private int mcr;
    private int scr;
    private int dll = 1;
    private int dlm;
    private boolean fifoEnabled;
    private boolean fifo64;
    private int triggerIndex;
    private int fcrBits;
    private boolean overrun;
    private boolean thrPending;
    private int modemInputs = MSR_CTS | MSR_DSR | MSR_DCD;
    private int msrDelta;
    private boolean irqLevel;
    private long outputErrors;

    /** A UART whose character-timeout window is 0 (see the class comment). */
    public Serial16550(IrqLine irq, OutputStream out) {
        this(irq, out, SYSTEM_NANOS, 0);
    }

    /** System.nanoTime as a class rather than a method reference: no lambda to link at start (docs/STARTUP.md). */
    private static final LongSupplier SYSTEM_NANOS = new LongSupplier() {
        @Override
        public long getAsLong() {
            return System.nanoTime();
        }
    };

    /**
     * @param nanoClock monotonic time source for the character timeout
     * @param charTimeoutNanos how long the receiver must be idle before the character-timeout
     *     indication (0: immediately)
     */
    public Serial16550(IrqLine irq, OutputStream out, LongSupplier nanoClock, long charTimeoutNanos) {
        this.irq = Objects.requireNonNull(irq, "irq");
        this.out = Objects.requireNonNull(out, "out");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        if (charTimeoutNanos < 0) {
            throw new IllegalArgumentException("charTimeoutNanos " + charTimeoutNanos);
        }
        this.charTimeoutNanos = charTimeoutNanos;
        this.lastRxActivity = nanoClock.getAsLong();
    }

    // ---- the register interface -------------------------------------------------------------

    @Override
    public int read(int offset, int size) {
        lock.lock();
        try {
            int value = 0;
            for (int i = 0; i < size; i++) {
                int reg = offset + i;
                int b = reg >= 0 && reg < PORT_COUNT ? readRegister(reg) : 0xff;
                value |= b << (8 * i);
            }
            updateIrq();
            return value;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(int offset, int size, int value) {
        lock.lock();
        try {
            for (int i = 0; i < size; i++) {
                int reg = offset + i;
                if (reg >= 0 && reg < PORT_COUNT) {
                    writeRegister(reg, (value >>> (8 * i)) & 0xff);
                }
            }
            updateIrq();
        } finally {
            lock.unlock();
        }
    }

    private int readRegister(int reg) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (reg) {
            case RBR_THR_DLL: return dlab ? dll : readRbr();
            case IER_DLM: return dlab ? dlm : ier;
            case IIR_FCR: return readIir();
            case LCR: return lcr;
            case MCR: return mcr;
            case LSR: return readLsr();
            case MSR: return readMsr();
            case SCR: return scr;
            default: throw new AssertionError(reg);
        }
    }

    private void writeRegister(int reg, int v) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (reg) {
            case RBR_THR_DLL:
                if (dlab) {
                    dll = v;
                } else {
                    writeThr(v);
                }
                break;
            case IER_DLM:
                if (dlab) {
                    dlm = v;
                } else {
                    writeIer(v);
                }
                break;
            case IIR_FCR: writeFcr(v); break;
            case LCR: lcr = v; break;
            case MCR: writeMcr(v); break;
            case LSR: break; // LSR is read-only here (factory test writes are ignored)
            case MSR: break; // MSR is read-only
            case SCR: scr = v; break;
            default: throw new AssertionError(reg);
        }
    }

    private int readRbr() {
        if (rxCount > 0) {
            lastRbr = rx[rxHead] & 0xff;
            rxBreak[rxHead] = false;
            rxHead = (rxHead + 1) % MAX_FIFO;
            rxCount--;
            // Datasheet: reading a character restarts the timeout timer.
            lastRxActivity = nanoClock.getAsLong();
            spaceAvailable.signalAll();
        }
        return lastRbr;
    }

    private int readIir() {
        int id = pendingInterrupt();
        if (id == IIR_THRE) {
            thrPending = false; // reading IIR clears THRE when it is the reported source
        }
        int v = id;
        if (fifoEnabled) {
            v |= IIR_FIFO_ENABLED;
            if (fifo64) {
                v |= IIR_FIFO64;
            }
        }
        return v;
    }

    private int readLsr() {
        int v = LSR_THRE | LSR_TEMT;
        if (rxCount > 0) {
            v |= LSR_DR;
            if (rxBreak[rxHead]) {
                v |= LSR_BI;
            }
        }
        if (overrun) {
            v |= LSR_OE;
        }
        if (fifoEnabled && anyBreakInFifo()) {
            v |= LSR_FIFO_ERROR;
        }
        // Reading LSR clears the error indications it just reported.
        overrun = false;
        if (rxCount > 0) {
            rxBreak[rxHead] = false;
        }
        return v;
    }

    private int readMsr() {
        int v = modemLines() | msrDelta;
        msrDelta = 0;
        return v;
    }

    private void writeThr(int v) {
        thrPending = false;
        if ((mcr & MCR_LOOP) != 0) {
            push((byte) v, false);
            lastRxActivity = nanoClock.getAsLong();
        } else {
            try {
                out.write(v);
            } catch (IOException e) {
                outputErrors++;
            }
        }
        // The byte left THR at once, so THR is empty again.
        if ((ier & IER_ETBEI) != 0) {
            thrPending = true;
        }
    }

    private void writeIer(int v) {
        int changed = (ier ^ v) & IER_ETBEI;
        ier = v & 0x0f;
        if (changed != 0) {
            // Enabling ETBEI while THR is empty (always, here) raises THRE at once; Linux's
            // serial8250 startup checks for exactly this (UART_BUG_THRE otherwise).
            thrPending = (ier & IER_ETBEI) != 0;
        }
    }

    private void writeFcr(int v) {
        boolean enable = (v & FCR_ENABLE) != 0;
        if (enable != fifoEnabled) {
            clearRx();
            fifoEnabled = enable;
        }
        if (!enable) {
            fcrBits &= ~FCR_ENABLE;
            return; // the other bits are only programmed together with FCR0 = 1
        }
        boolean want64 = (v & FCR_FIFO64) != 0;
        if (want64 != fifo64) {
            clearRx();
            fifo64 = want64;
        }
        if ((v & FCR_CLEAR_RX) != 0) {
            clearRx();
        }
        // FCR_CLEAR_TX: the transmit FIFO is always empty here.
        triggerIndex = (v >>> 6) & 3;
        fcrBits = v & (FCR_ENABLE | FCR_DMA | FCR_FIFO64 | 0xc0);
    }

    private void writeMcr(int v) {
        int before = modemLines();
        mcr = v & 0x1f;
        noteModemChange(before, modemLines());
    }

    // ---- interrupt logic --------------------------------------------------------------------

    /** The IIR identification code of the highest-priority pending, enabled interrupt. */
    private int pendingInterrupt() {
        if ((ier & IER_ELSI) != 0 && (overrun || (rxCount > 0 && rxBreak[rxHead]))) {
            return IIR_RLS;
        }
        if ((ier & IER_ERBFI) != 0) {
            if (fifoEnabled ? rxCount >= triggerLevel() : rxCount > 0) {
                return IIR_RDA;
            }
            if (fifoEnabled && rxCount > 0 && (charTimeoutNanos == 0
                    || nanoClock.getAsLong() - lastRxActivity >= charTimeoutNanos)) {
                return IIR_CTI;
            }
        }
        if ((ier & IER_ETBEI) != 0 && thrPending) {
            return IIR_THRE;
        }
        if ((ier & IER_EDSSI) != 0 && (msrDelta & 0x0f) != 0) {
            return IIR_MS;
        }
        return IIR_NONE;
    }

    private void updateIrq() {
        boolean level = pendingInterrupt() != IIR_NONE
                && (mcr & MCR_OUT2) != 0 && (mcr & MCR_LOOP) == 0;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    // ---- FIFO helpers -----------------------------------------------------------------------

    private int capacity() {
        return fifoEnabled ? (fifo64 ? 64 : 16) : 1;
    }

    private int triggerLevel() {
        return (fifo64 ? TRIGGER_64 : TRIGGER_16)[triggerIndex];
    }

    private void clearRx() {
        rxHead = 0;
        rxCount = 0;
        java.util.Arrays.fill(rxBreak, false);
        spaceAvailable.signalAll();
    }

    private boolean anyBreakInFifo() {
        for (int i = 0; i < rxCount; i++) {
            if (rxBreak[(rxHead + i) % MAX_FIFO]) {
                return true;
            }
        }
        return false;
    }

    /** Stores one received character; on a full FIFO sets OE (and in 16450 mode overwrites). */
    private boolean push(byte b, boolean brk) {
        if (rxCount < capacity()) {
            int at = (rxHead + rxCount) % MAX_FIFO;
            rx[at] = b;
            rxBreak[at] = brk;
            rxCount++;
            return true;
        }
        overrun = true;
        if (!fifoEnabled) {
            rx[rxHead] = b; // 16450: the new character destroys the one in RBR
            rxBreak[rxHead] = brk;
        }
        return false;
    }

    private int modemLines() {
        if ((mcr & MCR_LOOP) == 0) {
            return modemInputs;
        }
        int v = 0;
        if ((mcr & MCR_RTS) != 0) {
            v |= MSR_CTS;
        }
        if ((mcr & MCR_DTR) != 0) {
            v |= MSR_DSR;
        }
        if ((mcr & MCR_OUT1) != 0) {
            v |= MSR_RI;
        }
        if ((mcr & MCR_OUT2) != 0) {
            v |= MSR_DCD;
        }
        return v;
    }

    private void noteModemChange(int before, int after) {
        int changed = before ^ after;
        if ((changed & MSR_CTS) != 0) {
            msrDelta |= MSR_DCTS;
        }
        if ((changed & MSR_DSR) != 0) {
            msrDelta |= MSR_DDSR;
        }
        if ((before & MSR_RI) != 0 && (after & MSR_RI) == 0) {
            msrDelta |= MSR_TERI;
        }
        if ((changed & MSR_DCD) != 0) {
            msrDelta |= MSR_DDCD;
        }
    }

    // ---- the console side -------------------------------------------------------------------

    /**
     * Offers received bytes; takes as many as fit in the receive FIFO (possibly 0) and returns
     * how many it took. Never overruns: the caller keeps the rest and retries, for example after
     * {@link #awaitSpace}.
     */
    public int receive(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        lock.lock();
        try {
            int n = Math.min(len, capacity() - rxCount);
            for (int i = 0; i < n; i++) {
                push(buf[off + i], false);
            }
            if (n > 0) {
                lastRxActivity = nanoClock.getAsLong();
                updateIrq();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Delivers bytes as a line without flow control would: what does not fit is lost and sets
     * LSR.OE (in 16450 mode each extra byte overwrites RBR). Returns how many were stored.
     */
    public int receiveOrOverrun(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        lock.lock();
        try {
            int stored = 0;
            for (int i = 0; i < len; i++) {
                if (push(buf[off + i], false)) {
                    stored++;
                }
            }
            if (len > 0) {
                lastRxActivity = nanoClock.getAsLong();
                updateIrq();
            }
            return stored;
        } finally {
            lock.unlock();
        }
    }

    /** Receives a break condition: a 0x00 character flagged BI (overrun if the FIFO is full). */
    public void receiveBreak() {
        lock.lock();
        try {
            push((byte) 0, true);
            lastRxActivity = nanoClock.getAsLong();
            updateIrq();
        } finally {
            lock.unlock();
        }
    }

    /** Free space in the receive FIFO, in bytes. */
    public int freeSpace() {
        lock.lock();
        try {
            return capacity() - rxCount;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until the receive FIFO has room (the guest read a byte, cleared or resized the
     * FIFO) or the timeout elapses; returns whether there is room.
     */
    public boolean awaitSpace(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (capacity() - rxCount <= 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = spaceAvailable.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Re-evaluates the interrupt line (for a non-zero character-timeout window). */
    public void poll() {
        lock.lock();
        try {
            updateIrq();
        } finally {
            lock.unlock();
        }
    }

    /** Sets the modem input lines seen outside loopback (any of MSR_CTS/DSR/RI/DCD). */
    public void setModemInputs(int lines) {
        lock.lock();
        try {
            int before = modemLines();
            modemInputs = lines & 0xf0;
            noteModemChange(before, modemLines());
            updateIrq();
        } finally {
            lock.unlock();
        }
    }

    /** Returns the UART to its power-on state (as on a machine reset); SCR is kept. */
    public void reset() {
        lock.lock();
        try {
            ier = 0;
            lcr = 0;
            mcr = 0;
            dll = 1;
            dlm = 0;
            fifoEnabled = false;
            fifo64 = false;
            triggerIndex = 0;
            fcrBits = 0;
            overrun = false;
            thrPending = false;
            msrDelta = 0;
            clearRx();
            updateIrq();
        } finally {
            lock.unlock();
        }
    }

    // ---- observers (for the VMM and tests) --------------------------------------------------

    /** The current level of the interrupt output. */
    public boolean irqLevel() {
        lock.lock();
        try {
            return irqLevel;
        } finally {
            lock.unlock();
        }
    }

    /** The divisor latch (DLM:DLL). */
    public int divisor() {
        lock.lock();
        try {
            return (dlm << 8) | dll;
        } finally {
            lock.unlock();
        }
    }

    /** The last FCR value programmed (FIFO enable, DMA, 64-byte and trigger bits). */
    public int fcr() {
        lock.lock();
        try {
            return fcrBits;
        } finally {
            lock.unlock();
        }
    }

    /** Output bytes dropped because the output stream threw. */
    public long outputErrors() {
        lock.lock();
        try {
            return outputErrors;
        } finally {
            lock.unlock();
        }
    }

    // ---- snapshots --------------------------------------------------------------------------

    /** Format of {@link #saveState}: bump when a field is added. */
    private static final int STATE_VERSION = 1;

    @Override
    public void saveState(java.io.DataOutput out) throws java.io.IOException {
        lock.lock();
        try {
            out.writeByte(STATE_VERSION);
            out.writeByte(ier);
            out.writeByte(lcr);
            out.writeByte(mcr);
            out.writeByte(scr);
            out.writeByte(dll);
            out.writeByte(dlm);
            out.writeBoolean(fifoEnabled);
            out.writeBoolean(fifo64);
            out.writeByte(triggerIndex);
            out.writeByte(fcrBits);
            out.writeBoolean(overrun);
            out.writeBoolean(thrPending);
            out.writeByte(modemInputs);
            out.writeByte(msrDelta);
            out.writeByte(lastRbr);
            out.writeByte(rxCount);
            for (int i = 0; i < rxCount; i++) {
                out.writeByte(rx[(rxHead + i) % MAX_FIFO]);
                out.writeBoolean(rxBreak[(rxHead + i) % MAX_FIFO]);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void restoreState(java.io.DataInput in) throws java.io.IOException {
        Stateful.check("uart state version", in.readUnsignedByte(), STATE_VERSION, STATE_VERSION);
        int nIer = in.readUnsignedByte() & 0x0f, nLcr = in.readUnsignedByte(), nMcr = in.readUnsignedByte() & 0x1f;
        int nScr = in.readUnsignedByte(), nDll = in.readUnsignedByte(), nDlm = in.readUnsignedByte();
        boolean nFifo = in.readBoolean(), nFifo64 = in.readBoolean();
        int nTrig = Stateful.check("uart trigger index", in.readUnsignedByte(), 0, 3);
        int nFcr = in.readUnsignedByte();
        boolean nOverrun = in.readBoolean(), nThr = in.readBoolean();
        int nModem = in.readUnsignedByte() & 0xf0, nDelta = in.readUnsignedByte() & 0x0f, nLastRbr = in.readUnsignedByte();
        int n = Stateful.check("uart rx count", in.readUnsignedByte(), 0, nFifo ? (nFifo64 ? 64 : 16) : 1);
        byte[] nRx = new byte[MAX_FIFO];
        boolean[] nBrk = new boolean[MAX_FIFO];
        for (int i = 0; i < n; i++) {
            nRx[i] = in.readByte();
            nBrk[i] = in.readBoolean();
        }
        lock.lock();
        try {
            ier = nIer;
            lcr = nLcr;
            mcr = nMcr;
            scr = nScr;
            dll = nDll;
            dlm = nDlm;
            fifoEnabled = nFifo;
            fifo64 = nFifo64;
            triggerIndex = nTrig;
            fcrBits = nFcr;
            overrun = nOverrun;
            thrPending = nThr;
            modemInputs = nModem;
            msrDelta = nDelta;
            lastRbr = nLastRbr;
            System.arraycopy(nRx, 0, rx, 0, MAX_FIFO);
            System.arraycopy(nBrk, 0, rxBreak, 0, MAX_FIFO);
            rxHead = 0;
            rxCount = n;
            lastRxActivity = nanoClock.getAsLong();
            if (rxCount < capacity()) spaceAvailable.signalAll();
            // The line level follows the restored registers (the in-kernel irqchip was restored with the same level).
            irqLevel = !(pendingInterrupt() != IIR_NONE && (mcr & MCR_OUT2) != 0 && (mcr & MCR_LOOP) == 0);
            updateIrq();
        } finally {
            lock.unlock();
        }
    }
}
