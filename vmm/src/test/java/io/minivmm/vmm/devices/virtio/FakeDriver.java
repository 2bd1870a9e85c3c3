package io.minivmm.vmm.devices.virtio;

import static io.minivmm.vmm.devices.virtio.VirtioMmio.*;

import io.minivmm.vmm.devices.IrqEdge;
import io.minivmm.vmm.memory.GuestMemoryException;
import io.minivmm.vmm.memory.PhysMemory;
import io.minivmm.vmm.paging.ArrayPhysMemory;
import java.nio.ByteBuffer;

/**
 * A virtio driver written the way the spec describes it, over array-backed "guest RAM", for
 * driving {@link VirtioMmio} in unit tests: negotiation, one queue, descriptor chains, the used
 * ring. {@link #outside} counts any access the device made outside RAM (there must be none: the
 * walker checks first).
 */
final class FakeDriver {
    static final int RAM = 1 << 20;
    static final long DESC = 0x1000, AVAIL = 0x2000, USED = 0x3000, INDIRECT = 0x4000, DATA = 0x10000;

    final ArrayPhysMemory ram = new ArrayPhysMemory(0, RAM);
    int outside;
    final PhysMemory memory = new PhysMemory() {
        private void check(long gpa, long len) {
            if (gpa < 0 || len < 0 || gpa > RAM - len) {
                outside++;
                throw new GuestMemoryException(gpa, len);
            }
        }
        @Override public long readU64(long gpa) { check(gpa, 8); return ram.readU64(gpa); }
        @Override public void writeU64(long gpa, long v) { check(gpa, 8); ram.writeU64(gpa, v); }
        @Override public void read(long gpa, byte[] d, int o, int l) { check(gpa, l); ram.read(gpa, d, o, l); }
        @Override public void write(long gpa, byte[] s, int o, int l) { check(gpa, l); ram.write(gpa, s, o, l); }
        @Override public void fill(long gpa, long l, byte v) { check(gpa, l); ram.fill(gpa, l, v); }
        @Override public io.minivmm.kvm.memory.MemoryView view(long gpa, int l) { check(gpa, l); return ram.view(gpa, l); }
    };
    final GuestRam guestRam = (base, size) -> base >= 0 && size >= 0 && base <= RAM - size;
    int edges;
    final IrqEdge irq = () -> edges++;
    final VirtioMmio dev;
    int size = 16;
    int availIdx;
    int nextDesc;

    FakeDriver(VirtioDevice device) {
        dev = new VirtioMmio(device, memory, guestRam, irq);
    }

    int reg(int off) { return (int) dev.read(off, 4); }

    void reg(int off, long v) { dev.write(off, 4, v & 0xffff_ffffL); }

    long deviceFeatures() {
        reg(DEVICE_FEATURES_SEL, 0);
        long lo = reg(DEVICE_FEATURES) & 0xffff_ffffL;
        reg(DEVICE_FEATURES_SEL, 1);
        return lo | (long) reg(DEVICE_FEATURES) << 32;
    }

    /** Negotiates {@code features} (masked by what the device offers); returns whether FEATURES_OK stuck. */
    boolean negotiate(long features) {
        reg(STATUS, 0);
        reg(STATUS, S_ACKNOWLEDGE);
        reg(STATUS, S_ACKNOWLEDGE | S_DRIVER);
        long f = features & deviceFeatures();
        reg(DRIVER_FEATURES_SEL, 0);
        reg(DRIVER_FEATURES, f);
        reg(DRIVER_FEATURES_SEL, 1);
        reg(DRIVER_FEATURES, f >>> 32);
        reg(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
        return (reg(STATUS) & S_FEATURES_OK) != 0;
    }

    /** Sets up queue {@code q} at the fixed ring addresses (rings for each queue 0x10000 apart... only q 0 and 1 used). */
    void queue(int q, long desc, long avail, long used) {
        reg(QUEUE_SEL, q);
        reg(QUEUE_NUM, size);
        reg(QUEUE_DESC_LOW, desc);
        reg(QUEUE_DESC_HIGH, desc >>> 32);
        reg(QUEUE_DRIVER_LOW, avail);
        reg(QUEUE_DRIVER_HIGH, avail >>> 32);
        reg(QUEUE_DEVICE_LOW, used);
        reg(QUEUE_DEVICE_HIGH, used >>> 32);
        reg(QUEUE_READY, 1);
    }

    /** Full bring-up with one queue at DESC/AVAIL/USED. */
    void start(long features) {
        if (!negotiate(features)) throw new AssertionError("FEATURES_OK refused");
        ram.fill(DESC, 0x3000, (byte) 0);
        queue(0, DESC, AVAIL, USED);
        reg(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    }

    /** Writes descriptor {@code i} of the table at {@code table}. */
    void desc(long table, int i, long addr, long len, int flags, int next) {
        long at = table + 16L * i;
        ram.writeU64(at, addr);
        ByteBuffer b = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) len).putShort((short) flags).putShort((short) next);
        ram.write(at + 8, b.array(), 0, 8);
    }

    /** A buffer for a chain: {addr, len, writable}. */
    record Buf(long addr, long len, boolean writable) { }

    /** Adds a direct chain of the buffers using the next free descriptors; returns its head. */
    int add(Buf... bufs) {
        int head = nextDesc;
        for (int k = 0; k < bufs.length; k++) {
            int i = (nextDesc + k) % size;
            boolean more = k < bufs.length - 1;
            desc(DESC, i, bufs[k].addr, bufs[k].len, (bufs[k].writable ? 2 : 0) | (more ? 1 : 0), (i + 1) % size);
        }
        nextDesc = (nextDesc + bufs.length) % size;
        publish(head);
        return head;
    }

    /** Puts {@code head} in the available ring and bumps the index. */
    void publish(int head) {
        u16(AVAIL + 4 + 2L * (availIdx % size), head);
        availIdx = (availIdx + 1) & 0xffff;
        u16(AVAIL + 2, availIdx);
    }

    void u16(long gpa, int v) { ram.write(gpa, new byte[] {(byte) v, (byte) (v >>> 8)}, 0, 2); }

    int u16(long gpa) {
        byte[] b = new byte[2];
        ram.read(gpa, b, 0, 2);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8;
    }

    int usedIdx() { return u16(USED + 2); }

    /** {id, len} of used element {@code n}. */
    long[] used(int n) {
        long v = ram.readU64(USED + 4 + 8L * (n % size));
        return new long[] {v & 0xffff_ffffL, v >>> 32};
    }

    boolean needsReset() { return (reg(STATUS) & S_NEEDS_RESET) != 0; }

    byte[] bytes(long gpa, int n) {
        byte[] b = new byte[n];
        ram.read(gpa, b, 0, n);
        return b;
    }
}
