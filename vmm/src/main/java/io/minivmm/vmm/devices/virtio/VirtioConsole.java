package io.minivmm.vmm.devices.virtio;

import io.minivmm.vmm.devices.ConsoleInput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * virtio-console (virtio 1.x, 5.3) with one port (Linux {@code hvc0}): the transmit queue goes to
 * an output stream (the run's serial sink, so --expect and --fail-on see it), host input is held
 * in a bounded buffer and handed to the receive queue as the driver posts buffers. No
 * MULTIPORT: queue 0 is receiveq, queue 1 is transmitq.
 */
public final class VirtioConsole implements VirtioDevice, ConsoleInput {
    public static final int ID = 3;
    static final int RX = 0, TX = 1;
    static final int INPUT_BUFFER = 4096;

    private final OutputStream out;
    private final byte[] chunk = new byte[16 << 10];
    private final byte[] input = new byte[INPUT_BUFFER];
    private int inHead, inCount; // guarded by this
    private volatile Runnable wake = () -> { };
    private volatile boolean outputBroken;
    private long transmitted;

    public VirtioConsole(OutputStream out) { this.out = out; }

    /** What rings the device's doorbell when host input arrives. */
    public void setWake(Runnable wake) { this.wake = wake; }

    @Override public int deviceId() { return ID; }

    @Override public long features() { return 0; }

    @Override public int queueCount() { return 2; }

    @Override
    public byte[] config() {
        // cols, rows (unused without F_SIZE), max_nr_ports = 1, emerg_wr.
        return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 1).array();
    }

    /** Bytes the guest transmitted. */
    public synchronized long transmitted() { return transmitted; }

    @Override
    public void process(int index, Virtqueue q) throws VirtioException {
        if (index == TX) transmit(q);
        else receive(q);
    }

    private void transmit(Virtqueue q) throws VirtioException {
        DescriptorChain c;
        while ((c = q.pop()) != null) {
            long len = c.readableLength();
            long done = 0;
            while (done < len) {
                int n = c.read(done, chunk, 0, (int) Math.min(chunk.length, len - done));
                if (n <= 0) break;
                if (!outputBroken) {
                    try {
                        out.write(chunk, 0, n);
                    } catch (IOException e) {
                        outputBroken = true; // the guest keeps running without an output
                    }
                }
                done += n;
            }
            synchronized (this) { transmitted += done; }
            q.push(c, 0);
        }
    }

    private void receive(Virtqueue q) throws VirtioException {
        while (true) {
            synchronized (this) {
                if (inCount == 0) return;
            }
            DescriptorChain c = q.pop();
            if (c == null) return;
            long room = c.writableLength();
            long done = 0;
            synchronized (this) {
                while (inCount > 0 && done < room) {
                    int n = (int) Math.min(Math.min(inCount, input.length - inHead), room - done);
                    c.write(done, input, inHead, n);
                    inHead = (inHead + n) % input.length;
                    inCount -= n;
                    done += n;
                }
                notifyAll();
            }
            q.push(c, done);
        }
    }

    @Override
    public int receive(byte[] buf, int off, int len) {
        int n;
        synchronized (this) {
            n = Math.min(len, input.length - inCount);
            for (int i = 0; i < n; i++) input[(inHead + inCount + i) % input.length] = buf[off + i];
            inCount += n;
        }
        if (n > 0) wake.run();
        return n;
    }

    @Override
    public synchronized boolean awaitSpace(long timeout, TimeUnit unit) throws InterruptedException {
        if (inCount < input.length) return true;
        unit.timedWait(this, timeout);
        return inCount < input.length;
    }

    @Override
    public synchronized void reset() {
        inHead = inCount = 0;
        notifyAll();
    }
}
