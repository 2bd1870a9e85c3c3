package io.minivmm.vmm.snapshot;

import io.minivmm.kvm.x86.VcpuState;
import io.minivmm.kvm.x86.VmState;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.memory.GuestRegion;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * Writes a snapshot file (docs/SNAPSHOT.md): header, guest RAM as a sparse image at a page-aligned
 * offset (only the pages asked for, all-zero pages of a full snapshot left as holes), then the
 * metadata. Written to a temporary name and renamed, so a reader never sees half a file.
 */
final class SnapshotWriter {
    private static final int RUN_PAGES = 256;
    private static final byte[] ZERO_PAGE = new byte[(int) Snapshot.PAGE];

    private SnapshotWriter() {}

    /**
     * @param candidates per region, the pages to consider (a full snapshot: every page that may be
     *     non-zero; a diff: the pages changed since {@code parent})
     * @param keepZero per region, pages stored even when all zero (RAM mapped from another file
     *     shows that file's bytes where this snapshot has a hole)
     * @param parent null for a full snapshot; for a diff, the snapshot it is taken against (its
     *     file must be in the same directory as {@code out})
     */
    static Snapshot write(Path out, MachineConfig config, VmState vm, List<VcpuState> vcpus, List<Snapshot.PartState> parts,
                          GuestMemory mem, BitSet[] candidates, BitSet[] keepZero, Snapshot parent, boolean temporary) throws IOException {
        if (parent != null && !parent.path().toAbsolutePath().getParent().equals(out.toAbsolutePath().getParent())) {
            throw new IOException("a diff snapshot must be written next to its parent " + parent.path());
        }
        long id = ThreadLocalRandom.current().nextLong();
        Path tmp = out.resolveSibling(out.getFileName() + ".part");
        List<Long> ext = new ArrayList<>();
        CRC32C memCrc = new CRC32C();
        long memLen = mem.size();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            byte[] buf = new byte[RUN_PAGES * (int) Snapshot.PAGE];
            long linear = 0; // the region's offset in the memory image
            List<GuestRegion> regions = mem.regions();
            for (int r = 0; r < regions.size(); r++) {
                GuestRegion g = regions.get(r);
                BitSet pages = candidates[r];
                long firstPage = linear / Snapshot.PAGE;
                int p = pages.nextSetBit(0);
                long regionPages = g.size() / Snapshot.PAGE;
                while (p >= 0 && p < regionPages) {
                    int end = pages.nextClearBit(p);
                    end = (int) Math.min(end, Math.min(regionPages, (long) p + RUN_PAGES));
                    int n = end - p;
                    mem.read(g.base() + p * Snapshot.PAGE, buf, 0, n * (int) Snapshot.PAGE);
                    // Store maximal runs of pages that must be stored (non-zero, or any page of a diff).
                    int i = 0;
                    BitSet keep = keepZero[r];
                    while (i < n) {
                        while (i < n && parent == null && !keep.get(p + i) && isZero(buf, i)) i++;
                        int j = i;
                        while (j < n && (parent != null || keep.get(p + j) || !isZero(buf, j))) j++;
                        if (j > i) {
                            int off = i * (int) Snapshot.PAGE, len = (j - i) * (int) Snapshot.PAGE;
                            long page = firstPage + p + i;
                            writeFully(ch, ByteBuffer.wrap(buf, off, len), Snapshot.MEMORY_OFFSET + page * Snapshot.PAGE);
                            memCrc.update(buf, off, len);
                            addExtent(ext, page, j - i);
                        }
                        i = j;
                    }
                    p = pages.nextSetBit(end);
                }
                linear += g.size();
            }
            long[] extents = ext.stream().mapToLong(Long::longValue).toArray();
            byte[] meta = metadata(config, extents, vm, vcpus, parts, parent);
            long metaOff = Snapshot.MEMORY_OFFSET + memLen;
            writeFully(ch, ByteBuffer.wrap(meta), metaOff);
            ByteBuffer h = ByteBuffer.allocate(Snapshot.HEADER_SIZE);
            h.put(Snapshot.MAGIC).putInt(Snapshot.FORMAT_VERSION).putInt(0).putLong(id)
                    .putLong(Snapshot.MEMORY_OFFSET).putLong(memLen).putLong(metaOff)
                    .putInt(meta.length).putInt(Snapshot.crc(meta, 0, meta.length)).putInt((int) memCrc.getValue());
            h.putInt(12, Snapshot.crc(h.array(), 0, Snapshot.HEADER_SIZE));
            writeFully(ch, ByteBuffer.wrap(h.array()), 0);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return Snapshot.written(out, id, config, vm, vcpus, parts, memLen, extents, parent, temporary);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean isZero(byte[] buf, int page) {
        int off = page * (int) Snapshot.PAGE;
        return Arrays.mismatch(buf, off, off + (int) Snapshot.PAGE, ZERO_PAGE, 0, ZERO_PAGE.length) < 0;
    }

    private static void addExtent(List<Long> ext, long page, long count) {
        int n = ext.size();
        if (n >= 2 && ext.get(n - 2) + ext.get(n - 1) == page) {
            ext.set(n - 1, ext.get(n - 1) + count);
        } else {
            ext.add(page);
            ext.add(count);
        }
    }

    private static byte[] metadata(MachineConfig config, long[] extents, VmState vm, List<VcpuState> vcpus,
                                   List<Snapshot.PartState> parts, Snapshot parent) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        config.writeTo(out);
        out.writeInt(extents.length / 2);
        for (long e : extents) out.writeLong(e);
        blob(out, vm.toBytes());
        out.writeInt(vcpus.size());
        for (VcpuState v : vcpus) blob(out, v.toBytes());
        out.writeInt(parts.size());
        for (Snapshot.PartState p : parts) {
            out.writeUTF(p.name());
            blob(out, p.data());
        }
        out.writeUTF(parent == null ? "" : parent.fileName());
        out.writeLong(parent == null ? 0 : parent.id());
        out.flush();
        return bytes.toByteArray();
    }

    private static void blob(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        long at = pos;
        while (b.hasRemaining()) at += ch.write(b, at);
    }
}
