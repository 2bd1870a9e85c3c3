package io.minivmm.vmm.devices.ata;

import io.minivmm.vmm.devices.IrqLine;
import io.minivmm.vmm.devices.PioDevice;
import io.minivmm.vmm.storage.DiskImage;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * One parallel ATA (IDE) channel with a master (device 0) and a slave (device 1), each a disk
 * image or absent, driven by PIO as ATA/ATAPI-6 describes. {@link #commandBlock()} is the
 * device at the eight command-block ports (0x1F0-0x1F7 on the primary channel),
 * {@link #controlBlock()} the one at the alternate status / device control port (0x3F6).
 *
 * <p>Model, and where it departs from a drive:
 * <ul>
 *   <li><b>Commands complete at once.</b> The disk is read or written while the command (or the
 *       last data word of a block) is being written, so BSY is never seen except while SRST is
 *       held; a PIO-in command has its first block ready (DRQ) when the command write returns.
 *       Status after a good command is DRDY|DSC (0x50).</li>
 *   <li><b>Commands</b>: IDENTIFY DEVICE; READ/WRITE SECTORS (LBA28 or CHS) and their EXT forms
 *       (LBA48); READ/WRITE MULTIPLE (+EXT) in blocks of the SET MULTIPLE count (power-on
 *       default {@link AtaIdentify#MAX_MULTIPLE}); READ VERIFY (+EXT); FLUSH CACHE (+EXT), an
 *       {@code fdatasync} of the image; INITIALIZE DEVICE PARAMETERS (the CHS translation);
 *       SET FEATURES (write cache on/off, PIO transfer modes, read look-ahead and revert-to-
 *       defaults, accepted and ignored); EXECUTE DEVICE DIAGNOSTIC; RECALIBRATE, SEEK and the
 *       power-management commands (no-ops). Any other command, DMA included, ends with ERR and
 *       ABRT.</li>
 *   <li><b>Errors</b> (status ERR, with the error register): ABRT for an unknown command, a bad
 *       parameter or a write to an {@code ro} image (a fixed disk has no write-protect bit);
 *       IDNF for a request that reaches past the last sector or a CHS address outside the
 *       translation (checked before any data moves, so nothing is written); UNC when the image
 *       cannot be read; DF with ABRT when it cannot be written or flushed.</li>
 *   <li><b>Interrupts</b>: INTRQ is asserted when a PIO-in block is ready, when a PIO-out block
 *       has been taken (except the first) and when a command without data ends; it is cleared by
 *       reading the status register (not the alternate status), by a new command and by SRST.
 *       Only the selected device drives the line, and nIEN in the device control register
 *       releases it.</li>
 *   <li><b>Absent devices</b>: on a channel with one device, selecting the missing one reads
 *       status and alternate status as 0 (as ATA-6 requires of device 0 answering for an absent
 *       device 1; Linux and SeaBIOS take 0 as "no device"), the other registers as the present
 *       device's, data as 0xFFFF, and commands to it are ignored except EXECUTE DEVICE
 *       DIAGNOSTIC. A channel with no device reads 0xFF everywhere (a floating bus); the board
 *       does not even claim its ports.</li>
 *   <li><b>Data port</b>: a 16-bit access moves one word, a 32-bit access two (low word first,
 *       as the host bridge splits it), an 8-bit access one word of which it keeps the low byte.
 *       With DRQ clear, reads return all ones and writes are dropped.</li>
 *   <li><b>Out of order</b>: a command written during a data transfer abandons the transfer and
 *       runs; a command written while SRST is held is ignored; SRST abandons any transfer and,
 *       when released, leaves the ATA signature (count 1, LBA 1, 0, 0) and diagnostic code 1.</li>
 *   <li><b>HOB</b>: each taskfile register keeps its previous value for LBA48; reading with
 *       device-control HOB set returns it; writing any command-block register clears HOB.</li>
 * </ul>
 *
 * <p>Threading: one lock for all state; the {@link IrqLine} is called with it held and only on a
 * level change. Disk I/O happens on the calling (vCPU) thread.
 */
public final class AtaChannel {
    /** Command-block register offsets. */
    public static final int REG_DATA = 0, REG_ERROR_FEATURES = 1, REG_COUNT = 2, REG_LBA_LOW = 3, REG_LBA_MID = 4,
            REG_LBA_HIGH = 5, REG_DEVICE = 6, REG_STATUS_COMMAND = 7;
    /** Ports in the command block. */
    public static final int COMMAND_BLOCK_PORTS = 8;

    /** Status bits. */
    public static final int BSY = 0x80, DRDY = 0x40, DF = 0x20, DSC = 0x10, DRQ = 0x08, ERR = 0x01;
    /** Error bits. */
    public static final int UNC = 0x40, IDNF = 0x10, ABRT = 0x04;
    /** Device control bits. */
    public static final int NIEN = 0x02, SRST = 0x04, HOB = 0x80;
    /** Device register bits. */
    public static final int DEV = 0x10, LBA = 0x40;

    /** Commands. */
    public static final int CMD_READ_SECTORS = 0x20, CMD_READ_SECTORS_NR = 0x21, CMD_READ_SECTORS_EXT = 0x24,
            CMD_READ_MULTIPLE_EXT = 0x29, CMD_WRITE_SECTORS = 0x30, CMD_WRITE_SECTORS_NR = 0x31,
            CMD_WRITE_SECTORS_EXT = 0x34, CMD_WRITE_MULTIPLE_EXT = 0x39, CMD_READ_VERIFY = 0x40,
            CMD_READ_VERIFY_NR = 0x41, CMD_READ_VERIFY_EXT = 0x42, CMD_SEEK = 0x70, CMD_EXECUTE_DIAGNOSTIC = 0x90,
            CMD_INITIALIZE_PARAMETERS = 0x91, CMD_READ_MULTIPLE = 0xc4, CMD_WRITE_MULTIPLE = 0xc5,
            CMD_SET_MULTIPLE = 0xc6, CMD_STANDBY_IMMEDIATE = 0xe0, CMD_IDLE_IMMEDIATE = 0xe1, CMD_STANDBY = 0xe2,
            CMD_IDLE = 0xe3, CMD_CHECK_POWER_MODE = 0xe5, CMD_FLUSH_CACHE = 0xe7, CMD_FLUSH_CACHE_EXT = 0xea,
            CMD_IDENTIFY = 0xec, CMD_SET_FEATURES = 0xef;

    private static final int SECTOR = DiskImage.SECTOR;
    private static final int STATE_VERSION = 1;

    private enum Transfer { NONE, READ, IDENTIFY, WRITE }

    /** One device's own state: status, error, settings and its data transfer. */
    private static final class Drive {
        final DiskImage image;
        final long sectors;
        final String serial;
        final byte[] buf = new byte[AtaIdentify.MAX_MULTIPLE * SECTOR];
        int status;
        int error;
        boolean intrq;
        int multiple;
        boolean writeCache;
        ChsGeometry chs;
        Transfer transfer = Transfer.NONE;
        int pos;               // next byte of the current DRQ block
        int len;               // bytes in the current DRQ block
        long nextLba;          // first sector of the current (write) or next (read) block
        long pendingSectors;   // sectors after the current block
        int perBlock;          // sectors per DRQ block

        Drive(DiskImage image) {
            this.image = image;
            this.sectors = image.sectors();
            this.serial = image.serial();
            powerOn();
        }

        void powerOn() {
            status = DRDY | DSC;
            error = 0x01;
            intrq = false;
            multiple = AtaIdentify.MAX_MULTIPLE;
            writeCache = true;
            chs = ChsGeometry.forSectors(sectors);
            stop();
        }

        void stop() {
            transfer = Transfer.NONE;
            pos = 0;
            len = 0;
            pendingSectors = 0;
            status &= ~DRQ;
        }
    }

    private final Drive[] drives = new Drive[2];
    private final IrqLine irq;
    private boolean irqLevel;
    // The taskfile: both devices latch every write, so one copy serves both.
    private int features, count, lbaLow, lbaMid, lbaHigh;
    private int hobFeatures, hobCount, hobLbaLow, hobLbaMid, hobLbaHigh;
    private int device;
    private int control;

    private final PioDevice commandBlock = new PioDevice() {
        @Override public int read(int offset, int size) { return readCommandBlock(offset, size); }
        @Override public void write(int offset, int size, int value) { writeCommandBlock(offset, size, value); }
    };
    private final PioDevice controlBlock = new PioDevice() {
        @Override public int read(int offset, int size) { return readAltStatus(); }
        @Override public void write(int offset, int size, int value) { writeControl(value); }
    };

    /**
     * @param master device 0, or null when absent
     * @param slave  device 1, or null when absent
     * @param irq    the channel's INTRQ line (IRQ 14 or 15 on a PC)
     */
    public AtaChannel(DiskImage master, DiskImage slave, IrqLine irq) {
        drives[0] = master == null ? null : new Drive(master);
        drives[1] = slave == null ? null : new Drive(slave);
        this.irq = irq == null ? IrqLine.NONE : irq;
        reset();
    }

    /** The eight command-block registers (data, error/features, count, LBA low/mid/high, device, status/command). */
    public PioDevice commandBlock() { return commandBlock; }

    /** The control-block register: alternate status (read), device control (write). */
    public PioDevice controlBlock() { return controlBlock; }

    /** Power-on reset: both devices idle with their defaults, the signature in the taskfile, INTRQ low. */
    public synchronized void reset() {
        for (Drive d : drives) if (d != null) d.powerOn();
        control = 0;
        signature();
        updateIrq();
    }

    /** Whether nothing is on this channel (every register floats). */
    private boolean empty() { return drives[0] == null && drives[1] == null; }

    private Drive selected() { return drives[(device & DEV) != 0 ? 1 : 0]; }

    private Drive other() { return drives[(device & DEV) != 0 ? 0 : 1]; }

    // ---- register access ----

    synchronized int readCommandBlock(int offset, int size) {
        if (empty()) return 0xffffffff;
        if (offset == REG_DATA) {
            if (size == 4) return readWord() | readWord() << 16;
            return size == 1 ? readWord() & 0xff : readWord();
        }
        boolean hob = (control & HOB) != 0;
        Drive d = selected();
        int v = switch (offset) {
            case REG_ERROR_FEATURES -> d != null ? d.error : other().error;
            case REG_COUNT -> hob ? hobCount : count;
            case REG_LBA_LOW -> hob ? hobLbaLow : lbaLow;
            case REG_LBA_MID -> hob ? hobLbaMid : lbaMid;
            case REG_LBA_HIGH -> hob ? hobLbaHigh : lbaHigh;
            case REG_DEVICE -> device;
            case REG_STATUS_COMMAND -> readStatus();
            default -> 0xff;
        };
        return v | (size > 1 ? 0xffffff00 : 0); // the bytes above an 8-bit register float
    }

    synchronized void writeCommandBlock(int offset, int size, int value) {
        if (empty()) return;
        if (offset == REG_DATA) {
            if (size == 4) {
                writeWord(value & 0xffff);
                writeWord(value >>> 16);
            } else {
                writeWord(value & 0xffff);
            }
            return;
        }
        int v = value & 0xff;
        control &= ~HOB;
        switch (offset) {
            case REG_ERROR_FEATURES -> { hobFeatures = features; features = v; }
            case REG_COUNT -> { hobCount = count; count = v; }
            case REG_LBA_LOW -> { hobLbaLow = lbaLow; lbaLow = v; }
            case REG_LBA_MID -> { hobLbaMid = lbaMid; lbaMid = v; }
            case REG_LBA_HIGH -> { hobLbaHigh = lbaHigh; lbaHigh = v; }
            case REG_DEVICE -> { device = v; updateIrq(); }
            case REG_STATUS_COMMAND -> command(v);
            default -> { }
        }
    }

    synchronized int readAltStatus() {
        if (empty()) return 0xff;
        Drive d = selected();
        return d == null ? 0 : d.status;
    }

    synchronized void writeControl(int value) {
        if (empty()) return;
        boolean wasReset = (control & SRST) != 0;
        control = value & (NIEN | SRST | HOB);
        boolean reset = (control & SRST) != 0;
        if (reset && !wasReset) {
            for (Drive d : drives) {
                if (d == null) continue;
                d.stop();
                d.status = BSY;
                d.error = 0;
                d.intrq = false;
            }
        } else if (!reset && wasReset) {
            for (Drive d : drives) {
                if (d == null) continue;
                d.status = DRDY | DSC;
                d.error = 0x01;
            }
            signature();
        }
        updateIrq();
    }

    private int readStatus() {
        Drive d = selected();
        if (d == null) return 0;
        int s = d.status;
        if (d.intrq) {
            d.intrq = false;
            updateIrq();
        }
        return s;
    }

    private int readWord() {
        Drive d = selected();
        if (d == null || (d.status & DRQ) == 0 || d.transfer == Transfer.WRITE || d.transfer == Transfer.NONE) return 0xffff;
        int v = (d.buf[d.pos] & 0xff) | (d.buf[d.pos + 1] & 0xff) << 8;
        d.pos += 2;
        if (d.pos >= d.len) {
            if (d.transfer == Transfer.READ && d.pendingSectors > 0) {
                loadReadBlock(d);
            } else {
                d.stop();
                d.status = DRDY | DSC; // PIO in: no interrupt after the last block
            }
        }
        return v;
    }

    private void writeWord(int v) {
        Drive d = selected();
        if (d == null || (d.status & DRQ) == 0 || d.transfer != Transfer.WRITE) return;
        d.buf[d.pos] = (byte) v;
        d.buf[d.pos + 1] = (byte) (v >>> 8);
        d.pos += 2;
        if (d.pos < d.len) return;
        int n = d.len / SECTOR;
        try {
            d.image.write(d.nextLba * SECTOR, d.buf, 0, d.len);
            if (!d.writeCache) d.image.flush();
        } catch (IOException | RuntimeException e) {
            d.stop();
            fail(d, DF | ERR, ABRT);
            setLba(d.nextLba);
            return;
        }
        d.nextLba += n;
        if (d.pendingSectors > 0) {
            startWriteBlock(d);
            raise(d);
        } else {
            d.stop();
            complete(d);
        }
    }

    // ---- commands ----

    private void command(int cmd) {
        if ((control & SRST) != 0) return; // the devices are in reset (BSY): nothing listens
        if (cmd == CMD_EXECUTE_DIAGNOSTIC) {
            diagnostic();
            return;
        }
        Drive d = selected();
        if (d == null) return; // an absent device runs nothing
        d.stop();
        d.intrq = false;
        d.error = 0;
        d.status = DRDY | DSC;
        switch (cmd) {
            case CMD_IDENTIFY -> identify(d);
            case CMD_READ_SECTORS, CMD_READ_SECTORS_NR -> read(d, lba28(d), count28(), 1);
            case CMD_READ_SECTORS_EXT -> read(d, lba48(), count48(), 1);
            case CMD_READ_MULTIPLE -> read(d, d.multiple == 0 ? -2 : lba28(d), count28(), d.multiple);
            case CMD_READ_MULTIPLE_EXT -> read(d, d.multiple == 0 ? -2 : lba48(), count48(), d.multiple);
            case CMD_WRITE_SECTORS, CMD_WRITE_SECTORS_NR -> write(d, lba28(d), count28(), 1);
            case CMD_WRITE_SECTORS_EXT -> write(d, lba48(), count48(), 1);
            case CMD_WRITE_MULTIPLE -> write(d, d.multiple == 0 ? -2 : lba28(d), count28(), d.multiple);
            case CMD_WRITE_MULTIPLE_EXT -> write(d, d.multiple == 0 ? -2 : lba48(), count48(), d.multiple);
            case CMD_READ_VERIFY, CMD_READ_VERIFY_NR -> verify(d, lba28(d), count28());
            case CMD_READ_VERIFY_EXT -> verify(d, lba48(), count48());
            case CMD_SEEK -> verify(d, lba28(d), 1);
            case CMD_SET_MULTIPLE -> setMultiple(d);
            case CMD_FLUSH_CACHE, CMD_FLUSH_CACHE_EXT -> flush(d);
            case CMD_INITIALIZE_PARAMETERS -> initializeParameters(d);
            case CMD_SET_FEATURES -> setFeatures(d);
            case CMD_STANDBY_IMMEDIATE, CMD_IDLE_IMMEDIATE, CMD_STANDBY, CMD_IDLE -> complete(d);
            case CMD_CHECK_POWER_MODE -> {
                count = 0xff; // active or idle
                complete(d);
            }
            default -> {
                if (cmd >= 0x10 && cmd <= 0x1f) complete(d); // RECALIBRATE: nothing to move
                else fail(d, DRDY | DSC | ERR, ABRT);
            }
        }
    }

    private void identify(Drive d) {
        short[] w = AtaIdentify.words(d.sectors, d.serial,
                new AtaIdentify.Settings(d.chs, d.multiple, d.writeCache));
        for (int i = 0; i < 256; i++) {
            d.buf[2 * i] = (byte) w[i];
            d.buf[2 * i + 1] = (byte) (w[i] >>> 8);
        }
        d.transfer = Transfer.IDENTIFY;
        d.pos = 0;
        d.len = SECTOR;
        d.status = DRDY | DSC | DRQ;
        raise(d);
    }

    /** lba = -1: outside the disk or the CHS translation (IDNF); -2: the command is not allowed now (ABRT). */
    private void read(Drive d, long lba, int n, int perBlock) {
        if (!checkRange(d, lba, n)) return;
        d.transfer = Transfer.READ;
        d.nextLba = lba;
        d.pendingSectors = n;
        d.perBlock = perBlock;
        loadReadBlock(d);
    }

    private void loadReadBlock(Drive d) {
        int n = (int) Math.min(d.perBlock, d.pendingSectors);
        try {
            d.image.read(d.nextLba * SECTOR, d.buf, 0, n * SECTOR);
        } catch (IOException | RuntimeException e) {
            long bad = d.nextLba;
            d.stop();
            fail(d, DRDY | DSC | ERR, UNC);
            setLba(bad);
            return;
        }
        d.nextLba += n;
        d.pendingSectors -= n;
        d.pos = 0;
        d.len = n * SECTOR;
        d.status = DRDY | DSC | DRQ;
        raise(d);
    }

    private void write(Drive d, long lba, int n, int perBlock) {
        if (d.image.readOnly()) { // a fixed disk has no write-protect error: abort
            fail(d, DRDY | DSC | ERR, ABRT);
            return;
        }
        if (!checkRange(d, lba, n)) return;
        d.transfer = Transfer.WRITE;
        d.nextLba = lba;
        d.pendingSectors = n;
        d.perBlock = perBlock;
        startWriteBlock(d); // the first block is requested without an interrupt
    }

    private void startWriteBlock(Drive d) {
        int n = (int) Math.min(d.perBlock, d.pendingSectors);
        d.pendingSectors -= n;
        d.pos = 0;
        d.len = n * SECTOR;
        d.status = DRDY | DSC | DRQ;
    }

    private void verify(Drive d, long lba, int n) {
        if (checkRange(d, lba, n)) complete(d);
    }

    private boolean checkRange(Drive d, long lba, int n) {
        if (lba == -2) {
            fail(d, DRDY | DSC | ERR, ABRT);
            return false;
        }
        if (lba < 0 || lba > d.sectors - n) {
            fail(d, DRDY | DSC | ERR, IDNF);
            return false;
        }
        return true;
    }

    private void setMultiple(Drive d) {
        int n = count;
        if (n > AtaIdentify.MAX_MULTIPLE || (n & (n - 1)) != 0) {
            fail(d, DRDY | DSC | ERR, ABRT);
            return;
        }
        d.multiple = n; // 0 disables READ/WRITE MULTIPLE
        complete(d);
    }

    private void flush(Drive d) {
        try {
            d.image.flush();
        } catch (IOException | RuntimeException e) {
            fail(d, DRDY | DF | DSC | ERR, ABRT);
            return;
        }
        complete(d);
    }

    private void initializeParameters(Drive d) {
        if (count == 0) {
            fail(d, DRDY | DSC | ERR, ABRT);
            return;
        }
        d.chs = ChsGeometry.current(d.sectors, (device & 0x0f) + 1, count);
        complete(d);
    }

    private void setFeatures(Drive d) {
        switch (features) {
            case 0x02 -> d.writeCache = true;
            case 0x82 -> {
                // Turning the cache off makes what it holds durable, as a drive writes its cache back.
                try {
                    d.image.flush();
                } catch (IOException | RuntimeException e) {
                    fail(d, DRDY | DF | DSC | ERR, ABRT);
                    return;
                }
                d.writeCache = false;
            }
            case 0x03 -> {
                int mode = count;
                boolean pio = mode == 0x00 || mode == 0x01 || (mode >= 0x08 && mode <= 0x0c);
                if (!pio) { // no DMA modes
                    fail(d, DRDY | DSC | ERR, ABRT);
                    return;
                }
            }
            case 0x55, 0xaa, 0x66, 0xcc -> { } // read look-ahead, revert to defaults: nothing to change here
            default -> {
                fail(d, DRDY | DSC | ERR, ABRT);
                return;
            }
        }
        complete(d);
    }

    private void diagnostic() {
        for (Drive d : drives) {
            if (d == null) continue;
            d.stop();
            d.status = DRDY | DSC;
            d.error = 0x01; // device 0 passed, device 1 passed or absent
            d.intrq = true;
        }
        signature();
        updateIrq();
    }

    // ---- helpers ----

    private long lba28(Drive d) {
        if ((device & LBA) != 0) return (long) (device & 0x0f) << 24 | lbaHigh << 16 | lbaMid << 8 | lbaLow;
        return d.chs.toLba(lbaHigh << 8 | lbaMid, device & 0x0f, lbaLow);
    }

    private long lba48() {
        return (long) hobLbaHigh << 40 | (long) hobLbaMid << 32 | (long) hobLbaLow << 24
                | (long) lbaHigh << 16 | (long) lbaMid << 8 | lbaLow;
    }

    private int count28() { return count == 0 ? 256 : count; }

    private int count48() {
        int n = hobCount << 8 | count;
        return n == 0 ? 65536 : n;
    }

    /** Reports a failing sector in the LBA registers (LBA28 layout; the HOB bytes for LBA48). */
    private void setLba(long lba) {
        lbaLow = (int) lba & 0xff;
        lbaMid = (int) (lba >>> 8) & 0xff;
        lbaHigh = (int) (lba >>> 16) & 0xff;
        hobLbaLow = (int) (lba >>> 24) & 0xff;
        hobLbaMid = (int) (lba >>> 32) & 0xff;
        hobLbaHigh = (int) (lba >>> 40) & 0xff;
        if ((device & LBA) != 0) device = (device & 0xf0) | (int) (lba >>> 24) & 0x0f;
    }

    private void signature() {
        count = 1;
        lbaLow = 1;
        lbaMid = 0;
        lbaHigh = 0;
        hobCount = hobLbaLow = hobLbaMid = hobLbaHigh = features = hobFeatures = 0;
        device = 0;
    }

    private void complete(Drive d) {
        d.status = DRDY | DSC;
        raise(d);
    }

    private void fail(Drive d, int status, int error) {
        d.status = status;
        d.error = error;
        raise(d);
    }

    private void raise(Drive d) {
        d.intrq = true;
        updateIrq();
    }

    private void updateIrq() {
        Drive d = selected();
        boolean level = (control & (NIEN | SRST)) == 0 && d != null && d.intrq;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    // ---- introspection for tests and snapshots ----

    /** Whether INTRQ is asserted now. */
    public synchronized boolean irqAsserted() { return irqLevel; }

    /** Bytes of transfer buffer a device holds: fixed, whatever the guest asks for. */
    synchronized int bufferBytes(int dev) { return drives[dev] == null ? 0 : drives[dev].buf.length; }

    /** Writes the guest-visible state (registers, settings, a transfer in progress with its data). */
    public synchronized void saveState(DataOutput out) throws IOException {
        out.writeInt(STATE_VERSION);
        for (int r : new int[] {features, count, lbaLow, lbaMid, lbaHigh, hobFeatures, hobCount, hobLbaLow, hobLbaMid,
                hobLbaHigh, device, control}) {
            out.writeByte(r);
        }
        for (Drive d : drives) {
            out.writeBoolean(d != null);
            if (d == null) continue;
            out.writeLong(d.sectors);
            out.writeByte(d.status);
            out.writeByte(d.error);
            out.writeBoolean(d.intrq);
            out.writeByte(d.multiple);
            out.writeBoolean(d.writeCache);
            out.writeShort(d.chs.cylinders());
            out.writeByte(d.chs.heads());
            out.writeByte(d.chs.sectorsPerTrack());
            out.writeByte(d.transfer.ordinal());
            out.writeShort(d.pos);
            out.writeShort(d.len);
            out.writeLong(d.nextLba);
            out.writeLong(d.pendingSectors);
            out.writeByte(d.perBlock);
            out.write(d.buf, 0, d.len);
        }
    }

    /**
     * Reads what {@link #saveState} wrote, for the same disks.
     *
     * @throws IOException when the state is malformed or was saved with other disks
     */
    public synchronized void restoreState(DataInput in) throws IOException {
        if (in.readInt() != STATE_VERSION) throw new IOException("ata: unknown state version");
        int[] r = new int[12];
        for (int i = 0; i < r.length; i++) r[i] = in.readUnsignedByte();
        for (Drive d : drives) {
            if (in.readBoolean() != (d != null)) throw new IOException("ata: the state was saved with other devices");
            if (d == null) continue;
            if (in.readLong() != d.sectors) throw new IOException("ata: the state was saved with a disk of another size");
            int status = in.readUnsignedByte(), error = in.readUnsignedByte();
            boolean intrq = in.readBoolean();
            int multiple = in.readUnsignedByte();
            boolean writeCache = in.readBoolean();
            ChsGeometry chs = new ChsGeometry(in.readUnsignedShort(), in.readUnsignedByte(), in.readUnsignedByte());
            int t = in.readUnsignedByte();
            int pos = in.readUnsignedShort(), len = in.readUnsignedShort();
            long nextLba = in.readLong(), pending = in.readLong();
            int perBlock = in.readUnsignedByte();
            if (t >= Transfer.values().length || len > d.buf.length || pos > len || (pos & 1) != 0 || (len % SECTOR) != 0
                    || multiple > AtaIdentify.MAX_MULTIPLE || chs.heads() < 1 || chs.sectorsPerTrack() < 1
                    || perBlock < 1 && t != Transfer.NONE.ordinal() || perBlock > AtaIdentify.MAX_MULTIPLE
                    || nextLba < 0 || pending < 0 || nextLba > d.sectors || pending > d.sectors - nextLba) {
                throw new IOException("ata: malformed device state");
            }
            in.readFully(d.buf, 0, len);
            d.status = status;
            d.error = error;
            d.intrq = intrq;
            d.multiple = multiple;
            d.writeCache = writeCache;
            d.chs = chs;
            d.transfer = Transfer.values()[t];
            d.pos = pos;
            d.len = len;
            d.nextLba = nextLba;
            d.pendingSectors = pending;
            d.perBlock = perBlock;
        }
        features = r[0]; count = r[1]; lbaLow = r[2]; lbaMid = r[3]; lbaHigh = r[4];
        hobFeatures = r[5]; hobCount = r[6]; hobLbaLow = r[7]; hobLbaMid = r[8]; hobLbaHigh = r[9];
        device = r[10]; control = r[11] & (NIEN | SRST | HOB);
        boolean level = irqLevel;
        updateIrq();
        if (level == irqLevel) irq.set(irqLevel); // drive the line to the restored level in any case
    }
}
