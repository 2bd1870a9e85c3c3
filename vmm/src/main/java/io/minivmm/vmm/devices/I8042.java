package io.minivmm.vmm.devices;

import java.util.Objects;

/**
 * An 8042 keyboard controller with no keyboard and no mouse attached: enough for Linux's
 * i8042 driver to probe quickly, and for the guest to reset the machine with command 0xFE.
 *
 * <p>Two ports: data at 0x60 ({@link #dataPort()}) and status/command at 0x64
 * ({@link #commandPort()}); {@link #register(PioBus)} claims both. What is modelled:
 * <ul>
 *   <li>Status register: OBF (bit 0) while the output buffer holds a byte, AUX data (bit 5)
 *       when that byte came from the auxiliary port, SYS (bit 2) mirroring the command byte,
 *       A2 (bit 3) set when the last write was to the command port, keyboard not inhibited
 *       (bit 4). Nothing is ready after power-on.
 *   <li>Controller commands: 0x20 read / 0x60 write the command byte (0x21..0x3f / 0x61..0x7f
 *       other internal RAM, read as 0, writes dropped), 0xa7/0xa8 disable/enable the aux port,
 *       0xad/0xae disable/enable the keyboard port (bits 5 and 4 of the command byte), 0xaa
 *       self-test (0x55), 0xab keyboard interface test and 0xa9 aux interface test (0x00: OK),
 *       0xd0/0xd1 read/write the output port, 0xd2/0xd3 write the keyboard/aux output buffer
 *       (0xd3 is the internal loopback Linux uses to detect the aux port and its IRQ), 0xd4
 *       write to the aux device, 0xdd/0xdf A20 off/on (recorded in the output port),
 *       0xf0..0xff pulse output lines: pulsing bit 0 (0xfe, also 0xf0..0xfc even values) or
 *       writing the output port with bit 0 clear resets the machine
 *       ({@link MachineControl#guestReset()}). Unknown commands are ignored.
 *   <li>No devices behind the ports: every byte sent to the keyboard (a data-port write with no
 *       command pending) or to the mouse (after 0xd4) is answered with 0xfe (resend/NAK) on
 *       that port, so Linux's atkbd and psmouse probes fail at once instead of waiting for
 *       their timeouts.
 *   <li>Interrupts: IRQ 1 while a keyboard byte is in the output buffer and command-byte bit 0
 *       is set, IRQ 12 likewise for aux bytes and bit 1. Bytes queue (up to 16) behind the
 *       output buffer; reading the data port drops the line before the next byte is loaded, so
 *       an edge-triggered PIC sees one edge per byte. Wire both lines: without IRQ 12 Linux's
 *       aux IRQ test waits 250 ms and then gives up on the aux port.
 * </ul>
 * Thread-safe; the IRQ lines are driven under the controller's lock, the reset request is made
 * after releasing it.
 */
public final class I8042 implements Stateful {
    public static final int DATA_PORT = 0x60;
    public static final int COMMAND_PORT = 0x64;
    public static final int KBD_IRQ = 1;
    public static final int AUX_IRQ = 12;

    // Status register bits.
    public static final int STR_OBF = 0x01;
    public static final int STR_IBF = 0x02;
    public static final int STR_SYS = 0x04;
    public static final int STR_CMD = 0x08;
    public static final int STR_UNLOCKED = 0x10;
    public static final int STR_AUXDATA = 0x20;

    // Command byte bits.
    public static final int CTR_KBDINT = 0x01;
    public static final int CTR_AUXINT = 0x02;
    public static final int CTR_SYS = 0x04;
    public static final int CTR_KBDDIS = 0x10;
    public static final int CTR_AUXDIS = 0x20;
    public static final int CTR_XLATE = 0x40;

    /** What firmware typically leaves: both interrupts on, POST passed, translation on. */
    public static final int DEFAULT_CTR = CTR_KBDINT | CTR_AUXINT | CTR_SYS | CTR_XLATE;

    private static final int QUEUE = 16;
    private static final int AUX_FLAG = 0x100;
    /** Output port: bit 0 = system reset (active low), bit 1 = A20 gate. */
    private static final int DEFAULT_OUTPUT_PORT = 0x03;

    private final MachineControl control;
    private final IrqLine kbdIrq;
    private final IrqLine auxIrq;
    private final PioDevice data = new Port(true);
    private final PioDevice command = new Port(false);

    private int ctr = DEFAULT_CTR;
    private int outputPort = DEFAULT_OUTPUT_PORT;
    private boolean lastWriteWasCommand;
    private int pendingCommand = -1;
    private final int[] queue = new int[QUEUE];
    private int qHead;
    private int qCount;
    private int lastData;
    private boolean kbdLevel;
    private boolean auxLevel;

    public I8042(MachineControl control, IrqLine kbdIrq, IrqLine auxIrq) {
        this.control = Objects.requireNonNull(control, "control");
        this.kbdIrq = Objects.requireNonNull(kbdIrq, "kbdIrq");
        this.auxIrq = Objects.requireNonNull(auxIrq, "auxIrq");
    }

    /** Claims ports 0x60 and 0x64 on {@code bus}. */
    public void register(PioBus bus) {
        bus.register(DATA_PORT, 1, data, "i8042-data");
        bus.register(COMMAND_PORT, 1, command, "i8042-command");
    }

    /** The device for port 0x60. */
    public PioDevice dataPort() {
        return data;
    }

    /** The device for port 0x64. */
    public PioDevice commandPort() {
        return command;
    }

    /** The command byte (controller RAM byte 0). */
    public synchronized int commandByte() {
        return ctr;
    }

    /** The output port (bit 1 is the A20 gate). */
    public synchronized int outputPort() {
        return outputPort;
    }

    private final class Port implements PioDevice {
        private final boolean isData;

        Port(boolean isData) {
            this.isData = isData;
        }

        @Override
        public int read(int offset, int size) {
            int v = isData ? readData() : readStatus();
            return size == 1 ? v : v | (PioBus.mask(size) & ~0xff);
        }

        @Override
        public void write(int offset, int size, int value) {
            boolean reset;
            synchronized (I8042.this) {
                reset = isData ? writeData(value & 0xff) : writeCommand(value & 0xff);
                updateIrqs();
            }
            if (reset) {
                control.guestReset();
            }
        }
    }

    private synchronized int readStatus() {
        int s = STR_UNLOCKED;
        if ((ctr & CTR_SYS) != 0) {
            s |= STR_SYS;
        }
        if (lastWriteWasCommand) {
            s |= STR_CMD;
        }
        if (qCount > 0) {
            s |= STR_OBF;
            if ((queue[qHead] & AUX_FLAG) != 0) {
                s |= STR_AUXDATA;
            }
        }
        return s;
    }

    private synchronized int readData() {
        if (qCount > 0) {
            lastData = queue[qHead] & 0xff;
            qHead = (qHead + 1) % QUEUE;
            qCount--;
            // The output buffer is empty for a moment before the next byte is loaded: let the
            // lines fall so that the next byte raises a fresh edge.
            setLevels(false, false);
            updateIrqs();
        }
        return lastData;
    }

    /** Returns true if the write asks for a machine reset. */
    private boolean writeData(int v) {
        lastWriteWasCommand = false;
        int cmd = pendingCommand;
        pendingCommand = -1;
        switch (cmd) {
            case 0x60:
                ctr = v;
                return false;
            case 0xd1:
                outputPort = v;
                return (v & 0x01) == 0; // the reset line is active low
            case 0xd2:
                enqueue(v, false);
                return false;
            case 0xd3:
                enqueue(v, true);
                return false;
            case 0xd4:
                enqueue(0xfe, true); // no mouse: NAK
                return false;
            default:
                if (cmd >= 0x61 && cmd <= 0x7f) {
                    return false; // controller RAM write: dropped
                }
                enqueue(0xfe, false); // no keyboard: NAK
                return false;
        }
    }

    /** Returns true if the command asks for a machine reset. */
    private boolean writeCommand(int c) {
        lastWriteWasCommand = true;
        pendingCommand = -1;
        switch (c) {
            case 0x20: enqueue(ctr, false); return false;
            case 0xa7: ctr |= CTR_AUXDIS; return false;
            case 0xa8: ctr &= ~CTR_AUXDIS; return false;
            case 0xa9: enqueue(0x00, false); return false;
            case 0xaa:
                ctr |= CTR_SYS;
                enqueue(0x55, false);
                return false;
            case 0xab: enqueue(0x00, false); return false;
            case 0xad: ctr |= CTR_KBDDIS; return false;
            case 0xae: ctr &= ~CTR_KBDDIS; return false;
            case 0xd0: enqueue(outputPort, false); return false;
            case 0xdd: outputPort &= ~0x02; return false;
            case 0xdf: outputPort |= 0x02; return false;
            case 0x60: case 0xd1: case 0xd2: case 0xd3: case 0xd4:
                pendingCommand = c;
                return false;
            default:
                if (c >= 0x21 && c <= 0x3f) {
                    enqueue(0x00, false);
                } else if (c >= 0x61 && c <= 0x7f) {
                    pendingCommand = c;
                } else if (c >= 0xf0) {
                    return (c & 0x01) == 0; // bit 0 of the pulse mask is the reset line
                }
                return false;
        }
    }

    /**
     * A character typed on the host: the key that types it pressed and released, as scan code
     * set 1 (what the controller delivers with translation on, the PC default), with Shift or Ctrl
     * around it when the character needs them, and IRQ 1. Returns false (nothing queued) when the
     * keyboard is disabled (command byte bit 4), translation is off (set 2 is not emulated) or the
     * output buffer lacks room for the whole sequence: the caller retries or drops it. Characters
     * no key types are dropped (true).
     */
    public synchronized boolean typeKey(int ch) {
        int code = ScanCodes.of(ch & 0xff);
        if (code < 0) return true;
        if ((ctr & CTR_KBDDIS) != 0 || (ctr & CTR_XLATE) == 0) return false;
        int mod = (code & ScanCodes.SHIFT) != 0 ? ScanCodes.LEFT_SHIFT : (code & ScanCodes.CTRL) != 0 ? ScanCodes.LEFT_CTRL : -1;
        int make = code & 0x7f;
        if (QUEUE - qCount < (mod < 0 ? 2 : 4)) return false;
        if (mod >= 0) enqueue(mod, false);
        enqueue(make, false);
        enqueue(make | 0x80, false);
        if (mod >= 0) enqueue(mod | 0x80, false);
        updateIrqs();
        return true;
    }

    private void enqueue(int v, boolean aux) {
        if (qCount == QUEUE) {
            return; // a guest that never reads loses the newest bytes
        }
        queue[(qHead + qCount) % QUEUE] = (v & 0xff) | (aux ? AUX_FLAG : 0);
        qCount++;
    }

    private void updateIrqs() {
        boolean full = qCount > 0;
        boolean aux = full && (queue[qHead] & AUX_FLAG) != 0;
        setLevels(full && !aux && (ctr & CTR_KBDINT) != 0, aux && (ctr & CTR_AUXINT) != 0);
    }

    private void setLevels(boolean kbd, boolean aux) {
        if (kbd != kbdLevel) {
            kbdLevel = kbd;
            kbdIrq.set(kbd);
        }
        if (aux != auxLevel) {
            auxLevel = aux;
            auxIrq.set(aux);
        }
    }

    /** Format of {@link #saveState}. */
    private static final int STATE_VERSION = 1;

    /** Back to the power-on state: default command byte, A20 on, empty queue, lines low. */
    public synchronized void reset() {
        ctr = DEFAULT_CTR;
        outputPort = DEFAULT_OUTPUT_PORT;
        lastWriteWasCommand = false;
        pendingCommand = -1;
        qHead = 0;
        qCount = 0;
        lastData = 0;
        updateIrqs();
    }

    @Override
    public synchronized void saveState(java.io.DataOutput out) throws java.io.IOException {
        out.writeByte(STATE_VERSION);
        out.writeByte(ctr);
        out.writeByte(outputPort);
        out.writeBoolean(lastWriteWasCommand);
        out.writeShort(pendingCommand);
        out.writeByte(lastData);
        out.writeByte(qCount);
        for (int i = 0; i < qCount; i++) out.writeShort(queue[(qHead + i) % QUEUE]);
    }

    @Override
    public synchronized void restoreState(java.io.DataInput in) throws java.io.IOException {
        Stateful.check("i8042 state version", in.readUnsignedByte(), STATE_VERSION, STATE_VERSION);
        int nCtr = in.readUnsignedByte(), nOut = in.readUnsignedByte();
        boolean nLast = in.readBoolean();
        int nPending = Stateful.check("i8042 pending command", in.readShort(), -1, 0xff);
        int nData = in.readUnsignedByte();
        int n = Stateful.check("i8042 queue length", in.readUnsignedByte(), 0, QUEUE);
        int[] q = new int[QUEUE];
        for (int i = 0; i < n; i++) q[i] = Stateful.check("i8042 queue entry", in.readUnsignedShort(), 0, 0x1ff);
        ctr = nCtr;
        outputPort = nOut;
        lastWriteWasCommand = nLast;
        pendingCommand = nPending;
        lastData = nData;
        System.arraycopy(q, 0, queue, 0, QUEUE);
        qHead = 0;
        qCount = n;
        updateIrqs();
    }
}
