package io.minivmm.vmm.devices.virtio;

import io.minivmm.vmm.devices.Doorbell;
import io.minivmm.vmm.devices.IrqEdge;
import io.minivmm.vmm.devices.MmioDevice;
import io.minivmm.vmm.memory.PhysMemory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The virtio-mmio transport, register layout version 2 (virtio 1.x, 4.2.2): a pure state machine
 * over a {@link VirtioDevice}. Register accesses come from vCPU threads; queue work runs in
 * {@link #service()} on the device's worker thread, woken by the {@link Doorbell}.
 *
 * <p>Feature negotiation requires VERSION_1 (FEATURES_OK is refused without it or with a bit the
 * device did not offer). Writing 0 to Status resets the device and its queues for real (after
 * any request in flight finished). A driver that breaks a queue gets DEVICE_NEEDS_RESET and a
 * configuration-change interrupt; the device then ignores its queues until reset.
 */
public final class VirtioMmio implements MmioDevice {
    public static final int MAGIC = 0x74726976; // "virt"
    public static final int VENDOR = 0x4d56_4d4d; // "MMVM": minivmm
    /** Size of the register window (0x100 of registers, then config space). */
    public static final int WINDOW = 0x200;

    public static final int MAGIC_VALUE = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c,
            DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024,
            QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050,
            INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070,
            QUEUE_DESC_LOW = 0x080, QUEUE_DESC_HIGH = 0x084, QUEUE_DRIVER_LOW = 0x090, QUEUE_DRIVER_HIGH = 0x094,
            QUEUE_DEVICE_LOW = 0x0a0, QUEUE_DEVICE_HIGH = 0x0a4, SHM_LEN_LOW = 0x0b0, SHM_LEN_HIGH = 0x0b4,
            CONFIG_GENERATION = 0x0fc, CONFIG = 0x100;

    public static final int S_ACKNOWLEDGE = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8,
            S_NEEDS_RESET = 64, S_FAILED = 128;
    public static final int INT_USED = 1, INT_CONFIG = 2;

    public static final long F_INDIRECT_DESC = 1L << 28, F_EVENT_IDX = 1L << 29, F_VERSION_1 = 1L << 32;

    private final VirtioDevice device;
    private final Virtqueue[] queues;
    private final IrqEdge irq;
    private volatile Doorbell doorbell;
    private final long offered;
    /** Held while queues are served, and by anything that changes what the worker reads. */
    private final Object processLock = new Object();
    private final AtomicInteger interruptStatus = new AtomicInteger();
    private volatile Consumer<String> brokenListener = m -> { };

    // Register state, guarded by this.
    private int status;
    private int deviceFeaturesSel, driverFeaturesSel, queueSel;
    private long driverFeatures;
    private int configGeneration;
    private String broken;

    public VirtioMmio(VirtioDevice device, PhysMemory memory, GuestRam ram, IrqEdge irq) {
        this.device = device;
        this.irq = irq;
        this.queues = new Virtqueue[device.queueCount()];
        for (int i = 0; i < queues.length; i++) queues[i] = new Virtqueue(memory, ram, device.queueMaxSize());
        this.offered = device.features() | F_VERSION_1 | F_INDIRECT_DESC | F_EVENT_IDX;
    }

    /** The doorbell that QueueNotify writes ring when they arrive as MMIO exits (no ioeventfd). */
    public void setDoorbell(Doorbell d) { this.doorbell = d; }

    /** Told (on the device thread) why the device entered NEEDS_RESET. */
    public void onBroken(Consumer<String> l) { this.brokenListener = l; }

    public VirtioDevice device() { return device; }

    public Virtqueue queue(int i) { return queues[i]; }

    /** Features the device offers. */
    public long offeredFeatures() { return offered; }

    public synchronized int status() { return status; }

    public int interruptStatus() { return interruptStatus.get(); }

    /** Why the device needs a reset, or null. */
    public synchronized String broken() { return broken; }

    @Override
    public long read(long offset, int size) {
        if (offset >= CONFIG) return readConfig((int) (offset - CONFIG), size);
        if (size != 4) return 0; // registers are 32-bit wide (4.2.2.2); other widths read 0
        synchronized (this) {
            switch ((int) offset) {
                case MAGIC_VALUE: return MAGIC;
                case VERSION: return 2;
                case DEVICE_ID: return device.deviceId();
                case VENDOR_ID: return VENDOR;
                case DEVICE_FEATURES: return deviceFeaturesSel > 1 ? 0 : (offered >>> (32 * deviceFeaturesSel)) & 0xffff_ffffL;
                case QUEUE_NUM_MAX: return selected() == null ? 0 : selected().maxSize();
                case QUEUE_READY: return selected() != null && selected().ready ? 1 : 0;
                case INTERRUPT_STATUS: return interruptStatus.get();
                case STATUS: return status;
                case SHM_LEN_LOW: case SHM_LEN_HIGH: return 0xffff_ffffL; // no shared memory regions
                case CONFIG_GENERATION: return configGeneration;
                default: return 0;
            }
        }
    }

    private long readConfig(int off, int size) {
        byte[] c = device.config();
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            int at = off + i;
            v = v << 8 | (at < c.length ? c[at] & 0xff : 0);
        }
        return v;
    }

    private Virtqueue selected() { return queueSel < queues.length ? queues[queueSel] : null; }

    @Override
    public void write(long offset, int size, long value) {
        if (offset >= CONFIG) {
            device.writeConfig((int) (offset - CONFIG), size, value);
            return;
        }
        if (size != 4) return;
        int v = (int) value;
        switch ((int) offset) {
            case QUEUE_NOTIFY -> {
                Doorbell d = doorbell;
                if (d != null) d.ring();
            }
            case INTERRUPT_ACK -> interruptStatus.getAndUpdate(s -> s & ~v);
            case STATUS -> writeStatus(v);
            case QUEUE_READY -> {
                synchronized (processLock) {
                    synchronized (this) {
                        Virtqueue q = selected();
                        if (q == null || !queueWritable()) return;
                        if ((v & 1) == 0) {
                            q.ready = false;
                        } else {
                            try {
                                q.validate();
                                q.eventIdx = (driverFeatures & F_EVENT_IDX) != 0;
                                q.indirect = (driverFeatures & F_INDIRECT_DESC) != 0;
                                q.ready = true;
                            } catch (VirtioException e) {
                                markBroken(e.getMessage());
                            }
                        }
                    }
                }
                if (needsResetPending) signalBroken();
            }
            default -> {
                synchronized (this) { writeRegister((int) offset, v); }
            }
        }
    }

    /** Queue registers may change only while the queue is not ready (4.2.2.3). */
    private boolean queueWritable() { return (status & S_FAILED) == 0; }

    private void writeRegister(int offset, int v) {
        Virtqueue q = selected();
        long u = Integer.toUnsignedLong(v);
        switch (offset) {
            case DEVICE_FEATURES_SEL -> deviceFeaturesSel = v;
            case DRIVER_FEATURES_SEL -> driverFeaturesSel = v;
            case DRIVER_FEATURES -> {
                if ((status & S_FEATURES_OK) != 0 || driverFeaturesSel < 0 || driverFeaturesSel > 1) return;
                int shift = 32 * driverFeaturesSel;
                driverFeatures = (driverFeatures & ~(0xffff_ffffL << shift)) | (u << shift);
            }
            case QUEUE_SEL -> queueSel = v;
            case QUEUE_NUM -> { if (q != null && !q.ready) q.size = v; }
            case QUEUE_DESC_LOW -> { if (q != null && !q.ready) q.desc = (q.desc & ~0xffff_ffffL) | u; }
            case QUEUE_DESC_HIGH -> { if (q != null && !q.ready) q.desc = (q.desc & 0xffff_ffffL) | u << 32; }
            case QUEUE_DRIVER_LOW -> { if (q != null && !q.ready) q.avail = (q.avail & ~0xffff_ffffL) | u; }
            case QUEUE_DRIVER_HIGH -> { if (q != null && !q.ready) q.avail = (q.avail & 0xffff_ffffL) | u << 32; }
            case QUEUE_DEVICE_LOW -> { if (q != null && !q.ready) q.used = (q.used & ~0xffff_ffffL) | u; }
            case QUEUE_DEVICE_HIGH -> { if (q != null && !q.ready) q.used = (q.used & 0xffff_ffffL) | u << 32; }
            default -> { } // read-only or unknown: ignored
        }
    }

    private void writeStatus(int v) {
        if (v == 0) {
            reset();
            return;
        }
        boolean activate = false;
        synchronized (this) {
            int s = v & 0xff;
            if ((s & S_FEATURES_OK) != 0 && (status & S_FEATURES_OK) == 0) {
                // Refuse (leave FEATURES_OK clear) what a virtio 1.x device cannot accept.
                if ((driverFeatures & F_VERSION_1) == 0 || (driverFeatures & ~offered) != 0) s &= ~S_FEATURES_OK;
            }
            if ((s & S_DRIVER_OK) != 0 && (status & S_DRIVER_OK) == 0 && (s & S_FEATURES_OK) != 0) activate = true;
            status = s | (status & S_NEEDS_RESET);
        }
        if (activate) {
            synchronized (processLock) { device.activate(negotiated()); }
            Doorbell d = doorbell;
            if (d != null) d.ring(); // serve anything made available before DRIVER_OK
        }
    }

    /** The negotiated features. */
    public synchronized long negotiated() { return driverFeatures & offered; }

    /** Device reset: waits for the request in flight, then clears every register and queue. */
    public void reset() {
        synchronized (processLock) {
            synchronized (this) {
                status = 0;
                driverFeatures = 0;
                deviceFeaturesSel = driverFeaturesSel = queueSel = 0;
                broken = null;
                needsResetPending = false;
                interruptStatus.set(0);
                for (Virtqueue q : queues) q.reset();
            }
            device.reset();
        }
    }

    private volatile boolean needsResetPending;

    private static final int STATE_VERSION = 1;

    /** The transport's guest-visible state: registers, negotiated features and every queue. */
    public void saveState(java.io.DataOutput out) throws java.io.IOException {
        synchronized (processLock) {
            synchronized (this) {
                out.writeInt(STATE_VERSION);
                out.writeInt(device.deviceId());
                out.writeInt(status);
                out.writeLong(driverFeatures);
                out.writeInt(deviceFeaturesSel);
                out.writeInt(driverFeaturesSel);
                out.writeInt(queueSel);
                out.writeInt(configGeneration);
                out.writeInt(interruptStatus.get());
                out.writeUTF(broken == null ? "" : broken);
                out.writeInt(queues.length);
                for (Virtqueue q : queues) q.save(out);
            }
        }
    }

    /** Restores what {@link #saveState} wrote (same device type); the device is active again if DRIVER_OK was set. */
    public void restoreState(java.io.DataInput in) throws java.io.IOException {
        synchronized (processLock) {
            synchronized (this) {
                if (in.readInt() != STATE_VERSION) throw new java.io.IOException("virtio-mmio: unknown snapshot version");
                if (in.readInt() != device.deviceId()) throw new java.io.IOException("virtio-mmio: snapshot of another device type");
                status = in.readInt();
                driverFeatures = in.readLong();
                deviceFeaturesSel = in.readInt();
                driverFeaturesSel = in.readInt();
                queueSel = in.readInt();
                configGeneration = in.readInt();
                interruptStatus.set(in.readInt());
                String b = in.readUTF();
                broken = b.isEmpty() ? null : b;
                if (in.readInt() != queues.length) throw new java.io.IOException("virtio-mmio: snapshot has another queue count");
                for (Virtqueue q : queues) q.restore(in);
            }
            if ((status & S_DRIVER_OK) != 0) device.activate(negotiated());
        }
    }

    private void markBroken(String why) {
        if (broken != null) return;
        broken = why;
        status |= S_NEEDS_RESET;
        configGeneration++;
        needsResetPending = true;
    }

    private void signalBroken() {
        needsResetPending = false;
        String why;
        synchronized (this) { why = broken; }
        interruptStatus.getAndUpdate(s -> s | INT_CONFIG);
        irq.pulse();
        if (why != null) brokenListener.accept(why);
    }

    /**
     * Serves every ready queue once (the worker thread calls this after each doorbell). Never
     * throws: a protocol violation or an unexpected failure puts the device in NEEDS_RESET.
     */
    public void service() {
        boolean interrupt = false;
        synchronized (processLock) {
            synchronized (this) {
                if ((status & S_DRIVER_OK) == 0 || broken != null) return;
            }
            for (int i = 0; i < queues.length; i++) {
                Virtqueue q = queues[i];
                if (!q.ready) continue;
                try {
                    device.process(i, q);
                } catch (VirtioException e) {
                    synchronized (this) { markBroken("queue " + i + ": " + e.getMessage()); }
                } catch (RuntimeException | StackOverflowError e) {
                    synchronized (this) { markBroken("queue " + i + ": " + e); }
                }
                if (q.takeInterrupt()) interrupt = true;
            }
        }
        if (interrupt) raise(INT_USED);
        if (needsResetPending) signalBroken();
    }

    /** Sets an interrupt status bit and raises an edge. */
    public void raise(int bit) {
        interruptStatus.getAndUpdate(s -> s | bit);
        irq.pulse();
    }
}
