package io.minivmm.vmm.devices.virtio;

import io.minivmm.vmm.memory.PhysMemory;
import java.lang.invoke.VarHandle;

/**
 * A split virtqueue (virtio 1.x, 2.7) walked by the device: pops available descriptor chains and
 * pushes used ones. Everything read from the rings is untrusted: an available index that runs
 * more than a queue ahead, a head or next index past the table, a chain longer than the queue (a
 * loop), a buffer outside RAM or whose end wraps, a readable buffer after a writable one, an
 * indirect table with a bad length, nested or not negotiated — each is a {@link VirtioException}
 * and nothing outside the checked ranges is touched. The walker allocates nothing per request.
 *
 * <p>Configuration (size, addresses, ready) is written by the transport while the queue is not
 * in use; pop/push run on the device thread only.
 */
public final class Virtqueue {
    static final int DESC_F_NEXT = 1, DESC_F_WRITE = 2, DESC_F_INDIRECT = 4;
    static final int AVAIL_F_NO_INTERRUPT = 1;

    private final PhysMemory memory;
    private final GuestRam ram;
    private final int maxSize;
    private final byte[] scratch = new byte[16];
    private final DescriptorChain chain;

    int size;
    boolean ready;
    long desc, avail, used;
    boolean eventIdx;
    boolean indirect;
    private int lastAvail;
    private int usedIdx;
    private int signalledUsed;
    private boolean pushedSinceSignal;

    public Virtqueue(PhysMemory memory, GuestRam ram, int maxSize) {
        this.memory = memory;
        this.ram = ram;
        this.maxSize = maxSize;
        this.chain = new DescriptorChain(memory, maxSize);
        reset();
    }

    /** Back to the state after device reset: not ready, no addresses, maximum size. */
    public void reset() {
        size = maxSize;
        ready = false;
        desc = avail = used = 0;
        eventIdx = indirect = false;
        lastAvail = usedIdx = signalledUsed = 0;
        pushedSinceSignal = false;
    }

    public int maxSize() { return maxSize; }

    public int size() { return size; }

    public boolean ready() { return ready; }

    /** The next available index the device will read (for tests). */
    public int lastAvail() { return lastAvail; }

    /**
     * Checks the ring layout the driver configured (sizes, alignment, RAM) before the queue is used.
     *
     * @throws VirtioException when the rings do not lie in RAM or are misaligned
     */
    public void validate() throws VirtioException {
        if (size == 0 || size > maxSize || (size & (size - 1)) != 0) throw new VirtioException("queue size " + size + " is not a power of 2 up to " + maxSize);
        if ((desc & 15) != 0 || (avail & 1) != 0 || (used & 3) != 0) throw new VirtioException("misaligned ring");
        if (!ram.isRam(desc, 16L * size)) throw new VirtioException(String.format("descriptor table 0x%x is not in RAM", desc));
        if (!ram.isRam(avail, 6L + 2L * size)) throw new VirtioException(String.format("available ring 0x%x is not in RAM", avail));
        if (!ram.isRam(used, 6L + 8L * size)) throw new VirtioException(String.format("used ring 0x%x is not in RAM", used));
    }

    private int readU16(long gpa) {
        memory.read(gpa, scratch, 0, 2);
        return (scratch[0] & 0xff) | (scratch[1] & 0xff) << 8;
    }

    private void writeU16(long gpa, int v) {
        scratch[0] = (byte) v;
        scratch[1] = (byte) (v >>> 8);
        memory.write(gpa, scratch, 0, 2);
    }

    /**
     * The next available chain, or null when the driver has made none available. With EVENT_IDX
     * the device publishes how far it has read (avail_event) so the driver kicks only when needed.
     */
    public DescriptorChain pop() throws VirtioException {
        int availIdx = readU16(avail + 2);
        if (availIdx == lastAvail) {
            if (!eventIdx) return null;
            // Tell the driver where to kick, then look again: a buffer made available between
            // the read above and this write would otherwise wait for a kick that never comes.
            writeU16(used + 4 + 8L * size, lastAvail);
            VarHandle.fullFence();
            availIdx = readU16(avail + 2);
            if (availIdx == lastAvail) return null;
        }
        if (((availIdx - lastAvail) & 0xffff) > size) {
            throw new VirtioException("available index " + availIdx + " is more than a queue ahead of " + lastAvail);
        }
        VarHandle.acquireFence(); // the ring entry and descriptors are read after the index
        int head = readU16(avail + 4 + 2L * (lastAvail % size));
        if (head >= size) throw new VirtioException("head descriptor " + head + " is past the queue of " + size);
        walk(head);
        lastAvail = (lastAvail + 1) & 0xffff;
        return chain;
    }

    private void walk(int head) throws VirtioException {
        chain.clear(head);
        long table = desc;
        int tableSize = size;
        boolean inIndirect = false;
        boolean seenWritable = false;
        int idx = head;
        int visited = 0;
        while (true) {
            if (visited++ >= tableSize) throw new VirtioException("descriptor chain from " + head + " is longer than the queue (a loop?)");
            memory.read(table + 16L * idx, scratch, 0, 16);
            long addr = le64(scratch, 0);
            int len = le32(scratch, 8);
            int flags = (scratch[12] & 0xff) | (scratch[13] & 0xff) << 8;
            int next = (scratch[14] & 0xff) | (scratch[15] & 0xff) << 8;
            long ulen = Integer.toUnsignedLong(len);
            if ((flags & DESC_F_INDIRECT) != 0) {
                if (!indirect) throw new VirtioException("indirect descriptor without VIRTIO_F_INDIRECT_DESC");
                if (inIndirect) throw new VirtioException("nested indirect descriptor table");
                if ((flags & DESC_F_NEXT) != 0) throw new VirtioException("indirect descriptor with NEXT set");
                if (ulen == 0 || ulen % 16 != 0 || ulen / 16 > size) {
                    throw new VirtioException("indirect table length " + ulen + " is not 16..16*" + size + " in steps of 16");
                }
                if (!ram.isRam(addr, ulen)) throw new VirtioException(String.format("indirect table 0x%x+%d is not in RAM", addr, ulen));
                table = addr;
                tableSize = (int) (ulen / 16);
                inIndirect = true;
                idx = 0;
                visited = 0;
                continue;
            }
            if (!ram.isRam(addr, ulen)) throw new VirtioException(String.format("buffer 0x%x+%d is not in RAM", addr, ulen));
            boolean writable = (flags & DESC_F_WRITE) != 0;
            if (writable) seenWritable = true;
            else if (seenWritable) throw new VirtioException("device-readable buffer after a device-writable one");
            if (chain.count >= maxSize) throw new VirtioException("descriptor chain longer than the queue");
            chain.addr[chain.count] = addr;
            chain.len[chain.count] = len;
            chain.count++;
            if (!writable) chain.readable++;
            if ((flags & DESC_F_NEXT) == 0) return;
            if (next >= tableSize) throw new VirtioException("next descriptor " + next + " is past the table of " + tableSize);
            idx = next;
        }
    }

    /** Returns the chain to the driver with {@code written} bytes written into its writable buffers. */
    public void push(DescriptorChain c, long written) {
        long slot = used + 4 + 8L * (usedIdx % size);
        byte[] s = scratch;
        putLe32(s, 0, c.head);
        putLe32(s, 4, (int) Math.min(written, 0xffff_ffffL));
        memory.write(slot, s, 0, 8);
        VarHandle.releaseFence(); // the element before the index
        usedIdx = (usedIdx + 1) & 0xffff;
        writeU16(used + 2, usedIdx);
        pushedSinceSignal = true;
    }

    /**
     * Whether the driver wants an interrupt for what was pushed since the last call (used_event
     * with EVENT_IDX, else the NO_INTERRUPT flag); resets the pending state.
     */
    public boolean takeInterrupt() {
        if (!pushedSinceSignal) return false;
        pushedSinceSignal = false;
        VarHandle.fullFence(); // used idx written before used_event / flags are read
        int old = signalledUsed;
        signalledUsed = usedIdx;
        if (eventIdx) {
            int usedEvent = readU16(avail + 4 + 2L * size);
            return ((usedIdx - usedEvent - 1) & 0xffff) < ((usedIdx - old) & 0xffff);
        }
        return (readU16(avail) & AVAIL_F_NO_INTERRUPT) == 0;
    }

    /** The queue's configuration and ring positions (snapshots). */
    void save(java.io.DataOutput out) throws java.io.IOException {
        out.writeInt(size);
        out.writeBoolean(ready);
        out.writeLong(desc);
        out.writeLong(avail);
        out.writeLong(used);
        out.writeBoolean(eventIdx);
        out.writeBoolean(indirect);
        out.writeShort(lastAvail);
        out.writeShort(usedIdx);
        out.writeShort(signalledUsed);
        out.writeBoolean(pushedSinceSignal);
    }

    /** Reads what {@link #save} wrote; a ready queue is validated again (the snapshot is input too). */
    void restore(java.io.DataInput in) throws java.io.IOException {
        size = in.readInt();
        ready = in.readBoolean();
        desc = in.readLong();
        avail = in.readLong();
        used = in.readLong();
        eventIdx = in.readBoolean();
        indirect = in.readBoolean();
        lastAvail = in.readShort() & 0xffff;
        usedIdx = in.readShort() & 0xffff;
        signalledUsed = in.readShort() & 0xffff;
        pushedSinceSignal = in.readBoolean();
        if (ready) {
            try {
                validate();
            } catch (VirtioException e) {
                throw new java.io.IOException("snapshot: " + e.getMessage());
            }
        }
    }

    static long le64(byte[] b, int o) {
        return (le32(b, o) & 0xffff_ffffL) | (long) le32(b, o + 4) << 32;
    }

    static int le32(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    static void putLe32(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
        b[o + 2] = (byte) (v >>> 16);
        b[o + 3] = (byte) (v >>> 24);
    }
}
