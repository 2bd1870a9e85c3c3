package io.minivmm.vmm.devices.virtio;

import io.minivmm.vmm.storage.DiskImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * virtio-blk (virtio 1.x, 5.2) over a {@link DiskImage}: read, write, flush (fdatasync), GET_ID,
 * DISCARD and WRITE_ZEROES, one request queue. A read-only image offers VIRTIO_BLK_F_RO and
 * fails writes with IOERR; request types the device did not offer fail with UNSUPP. A request
 * whose layout is wrong (no room for the header or the status byte) breaks the queue.
 * Data moves between the file and guest RAM directly (no copy) when a buffer lies in one RAM
 * region, else through one fixed bounce buffer: host memory does not grow with the request.
 */
public final class VirtioBlk implements VirtioDevice {
    public static final int ID = 2;
    public static final long F_SIZE_MAX = 1L << 1, F_SEG_MAX = 1L << 2, F_RO = 1L << 5, F_BLK_SIZE = 1L << 6,
            F_FLUSH = 1L << 9, F_DISCARD = 1L << 13, F_WRITE_ZEROES = 1L << 14;
    public static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WRITE_ZEROES = 13;
    public static final int S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;
    /** Largest single buffer and number of data buffers per request the driver may use. */
    public static final int SIZE_MAX = 1 << 20, SEG_MAX = 126;
    /** Bound on one discard/write-zeroes request (sectors) and its segments. */
    static final int MAX_DISCARD_SECTORS = 1 << 16;

    private final DiskImage disk;
    private final byte[] config;
    private final byte[] bounce = new byte[64 << 10];
    private final byte[] header = new byte[16];
    private long negotiated;
    /** Requests served, for tests and benchmarks. */
    private long requests;

    public VirtioBlk(DiskImage disk) {
        this.disk = disk;
        ByteBuffer c = ByteBuffer.allocate(60).order(ByteOrder.LITTLE_ENDIAN);
        c.putLong(0, disk.sectors());
        c.putInt(8, SIZE_MAX);
        c.putInt(12, SEG_MAX);
        c.putInt(20, DiskImage.SECTOR);
        c.putInt(36, MAX_DISCARD_SECTORS); // max_discard_sectors
        c.putInt(40, 1); // max_discard_seg
        c.putInt(44, 1); // discard_sector_alignment
        c.putInt(48, MAX_DISCARD_SECTORS); // max_write_zeroes_sectors
        c.putInt(52, 1); // max_write_zeroes_seg
        this.config = c.array();
    }

    @Override public int deviceId() { return ID; }

    @Override
    public long features() {
        long f = F_SIZE_MAX | F_SEG_MAX | F_BLK_SIZE | F_FLUSH;
        return disk.readOnly() ? f | F_RO : f | F_DISCARD | F_WRITE_ZEROES;
    }

    @Override public int queueCount() { return 1; }

    @Override public byte[] config() { return config; }

    @Override public void activate(long features) { negotiated = features; }

    @Override public void reset() { negotiated = 0; }

    public long requests() { return requests; }

    @Override
    public void process(int index, Virtqueue q) throws VirtioException {
        DescriptorChain c;
        while ((c = q.pop()) != null) {
            if (c.readableLength() < 16) throw new VirtioException("block request without a 16-byte device-readable header");
            if (c.writableLength() < 1 || c.length(c.segments() - 1) < 1 || c.segments() == c.readableSegments()) {
                throw new VirtioException("block request without a device-writable status byte");
            }
            c.read(0, header, 0, 16);
            int type = Virtqueue.le32(header, 0);
            long sector = Virtqueue.le64(header, 8);
            long written = serve(c, type, sector);
            q.push(c, written);
            requests++;
        }
    }

    /** Performs one request; returns the bytes written into the writable buffers (data and status). */
    private long serve(DescriptorChain c, int type, long sector) {
        long dataOut = c.readableLength() - 16; // data the driver sends after the header
        long dataIn = c.writableLength() - 1;   // room for data before the status byte
        int status;
        long produced = 0;
        try {
            switch (type) {
                case T_IN -> {
                    status = transfer(c, sector, dataIn, false);
                    if (status == S_OK) produced = dataIn;
                }
                case T_OUT -> status = disk.readOnly() ? S_IOERR : transfer(c, sector, dataOut, true);
                case T_FLUSH -> {
                    if ((negotiated & F_FLUSH) == 0) status = S_UNSUPP;
                    else {
                        disk.flush();
                        status = S_OK;
                    }
                }
                case T_GET_ID -> {
                    byte[] id = new byte[20];
                    byte[] s = disk.serial().getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(s, 0, id, 0, Math.min(20, s.length));
                    int n = (int) Math.min(20, dataIn);
                    c.write(0, id, 0, n);
                    produced = n;
                    status = S_OK;
                }
                case T_DISCARD, T_WRITE_ZEROES -> status = zeroes(c, type, dataOut);
                default -> status = S_UNSUPP;
            }
        } catch (IOException e) {
            status = S_IOERR;
            produced = 0;
        }
        writeStatus(c, status);
        return produced + 1;
    }

    private void writeStatus(DescriptorChain c, int status) {
        int last = c.segments() - 1;
        c.memory().write(c.address(last) + c.length(last) - 1, new byte[] {(byte) status}, 0, 1);
    }

    /** Moves {@code len} bytes (a multiple of 512) between the disk at {@code sector} and the data buffers. */
    private int transfer(DescriptorChain c, long sector, long len, boolean toDisk) throws IOException {
        if (len % DiskImage.SECTOR != 0) return S_IOERR;
        if (sector < 0 || sector > disk.sectors() || !disk.inBounds(sector * DiskImage.SECTOR, len)) return S_IOERR;
        long pos = sector * DiskImage.SECTOR;
        long left = len;
        // Data buffers: after the header (readable, for writes) or before the status byte (writable, for reads).
        int first = toDisk ? 0 : c.readableSegments();
        int end = toDisk ? c.readableSegments() : c.segments();
        long skip = toDisk ? 16 : 0;
        for (int i = first; i < end && left > 0; i++) {
            long segLen = c.length(i);
            if (skip >= segLen) {
                skip -= segLen;
                continue;
            }
            long a = c.address(i) + skip;
            long n = Math.min(segLen - skip, left);
            skip = 0;
            moveSegment(c, a, n, pos, toDisk);
            pos += n;
            left -= n;
        }
        return S_OK;
    }

    /**
     * Moves one guest buffer to or from the disk through the bounce buffer: no raw host view of
     * guest memory is handed to the file channel (one that outlived the mapping could crash the
     * JVM), at the cost of one memory copy per byte.
     */
    private void moveSegment(DescriptorChain c, long gpa, long n, long pos, boolean toDisk) throws IOException {
        long done = 0;
        while (done < n) {
            int k = (int) Math.min(n - done, bounce.length);
            if (toDisk) {
                c.memory().read(gpa + done, bounce, 0, k);
                disk.write(pos + done, bounce, 0, k);
            } else {
                disk.read(pos + done, bounce, 0, k);
                c.memory().write(gpa + done, bounce, 0, k);
            }
            done += k;
        }
    }

    /** DISCARD / WRITE_ZEROES: one 16-byte segment {sector, num_sectors, flags}. */
    private int zeroes(DescriptorChain c, int type, long dataOut) throws IOException {
        long feature = type == T_DISCARD ? F_DISCARD : F_WRITE_ZEROES;
        if ((negotiated & feature) == 0 || disk.readOnly()) return S_UNSUPP;
        if (dataOut != 16) return S_UNSUPP; // more segments than max_*_seg, or a torn one
        byte[] seg = new byte[16];
        c.read(16, seg, 0, 16);
        long sector = Virtqueue.le64(seg, 0);
        long count = Integer.toUnsignedLong(Virtqueue.le32(seg, 8));
        int flags = Virtqueue.le32(seg, 12);
        if (type == T_DISCARD && flags != 0) return S_UNSUPP; // unmap is only meaningful for write zeroes
        if ((flags & ~1) != 0) return S_UNSUPP;
        if (count > MAX_DISCARD_SECTORS || sector < 0 || sector > disk.sectors()) return S_IOERR;
        if (!disk.inBounds(sector * DiskImage.SECTOR, count * DiskImage.SECTOR)) return S_IOERR;
        // The image is a plain file: both zero the range, so a later read sees zeroes either way.
        disk.writeZeroes(sector * DiskImage.SECTOR, count * DiskImage.SECTOR);
        return S_OK;
    }
}
