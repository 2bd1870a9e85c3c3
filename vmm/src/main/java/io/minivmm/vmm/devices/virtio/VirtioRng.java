package io.minivmm.vmm.devices.virtio;

import java.security.SecureRandom;

/**
 * virtio-rng (virtio 1.x, 5.4): fills each device-writable buffer chain with bytes from the
 * host's CSPRNG, at most {@link #MAX_PER_REQUEST} bytes per request so that one request cannot
 * make the device thread generate gigabytes.
 */
public final class VirtioRng implements VirtioDevice {
    public static final int ID = 4;
    public static final int MAX_PER_REQUEST = 64 << 10;

    private final SecureRandom random;
    private final byte[] buf = new byte[4096];
    private long bytesServed;

    public VirtioRng(SecureRandom random) { this.random = random; }

    public VirtioRng() { this(new SecureRandom()); }

    @Override public int deviceId() { return ID; }

    @Override public long features() { return 0; }

    @Override public int queueCount() { return 1; }

    @Override public byte[] config() { return new byte[0]; }

    /** Bytes of entropy handed to the guest. */
    public synchronized long bytesServed() { return bytesServed; }

    @Override
    public void process(int index, Virtqueue q) throws VirtioException {
        DescriptorChain c;
        while ((c = q.pop()) != null) {
            long want = Math.min(c.writableLength(), MAX_PER_REQUEST);
            long done = 0;
            while (done < want) {
                int n = (int) Math.min(buf.length, want - done);
                random.nextBytes(buf);
                c.write(done, buf, 0, n);
                done += n;
            }
            synchronized (this) { bytesServed += done; }
            q.push(c, done);
        }
    }
}
