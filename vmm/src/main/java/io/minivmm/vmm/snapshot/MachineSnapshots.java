package io.minivmm.vmm.snapshot;

import io.minivmm.kvm.VcpuFd;
import io.minivmm.kvm.x86.VcpuState;
import io.minivmm.kvm.x86.VmState;
import io.minivmm.vmm.machine.Machine;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.memory.GuestRegion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Taking a machine's snapshot and loading one into a machine. Both run with every vCPU parked
 * (or not yet started): the vCPU fds are used from the calling thread.
 */
public final class MachineSnapshots {
    private MachineSnapshots() {}

    /** The configuration record of machine {@code m} built from these settings. */
    public static MachineConfig configOf(Machine m, long memory, String cpuModel, String debugExit) {
        List<String> names = new ArrayList<>();
        for (Part p : m.parts()) names.add(p.name());
        return new MachineConfig(memory, m.vcpus().size(), cpuModel, debugExit, names);
    }

    /**
     * Writes the snapshot of the parked machine {@code m} to {@code out}.
     *
     * @param memBase the snapshot whose file {@code m}'s RAM is mapped from (its stored pages are
     *     part of RAM even where the page cache dropped them), or null for anonymous RAM
     * @param parent for a diff snapshot, the snapshot the machine was at when its dirty log was
     *     last cleared ({@link #clearDirtyLog}); null for a full snapshot
     */
    public static Snapshot take(Machine m, MachineConfig config, Path out, Snapshot memBase, Snapshot parent,
                                boolean dirtyLogging, boolean temporary) throws IOException {
        List<VcpuState> vcpus = new ArrayList<>();
        for (VcpuFd v : m.vcpus()) vcpus.add(v.saveState());
        VmState vm = m.vm().saveState();
        List<Snapshot.PartState> parts = new ArrayList<>();
        for (Part p : m.parts()) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(b);
            p.saveState(d);
            d.flush();
            parts.add(new Snapshot.PartState(p.name(), b.toByteArray()));
        }
        GuestMemory mem = m.memory();
        List<GuestRegion> regions = mem.regions();
        BitSet[] candidates = new BitSet[regions.size()];
        BitSet[] keepZero = new BitSet[regions.size()];
        BitSet[] dirty = dirtyLogging ? dirtyPages(m) : null; // also restarts the log: the next diff starts here
        long linearPage = 0;
        for (int r = 0; r < regions.size(); r++) {
            GuestRegion g = regions.get(r);
            // Pages the file RAM is mapped from has: a zero page there must be stored as zeros, or a
            // reset of this RAM to the new snapshot would show the old file's bytes through.
            BitSet fromBase = new BitSet();
            for (Snapshot s = memBase; s != null; s = s.parent()) addExtents(fromBase, s.extents(), linearPage, g.size() / Snapshot.PAGE);
            keepZero[r] = fromBase;
            if (parent != null) {
                candidates[r] = dirty[r];
            } else {
                BitSet c = g.mapping().residentPages();
                c.or(fromBase);
                candidates[r] = c;
            }
            linearPage += g.size() / Snapshot.PAGE;
        }
        return SnapshotWriter.write(out, config, vm, vcpus, parts, mem, candidates, keepZero, parent, temporary);
    }

    private static void addExtents(BitSet c, long[] extents, long regionFirst, long regionPages) {
        for (int i = 0; i < extents.length; i += 2) {
            long from = Math.max(extents[i], regionFirst), to = Math.min(extents[i] + extents[i + 1], regionFirst + regionPages);
            if (from < to) c.set((int) (from - regionFirst), (int) (to - regionFirst));
        }
    }

    /** The pages the guest wrote since the last call (KVM's dirty log, which this resets), per region. */
    public static BitSet[] dirtyPages(Machine m) {
        List<GuestRegion> regions = m.memory().regions();
        BitSet[] out = new BitSet[regions.size()];
        for (int r = 0; r < regions.size(); r++) {
            GuestRegion g = regions.get(r);
            out[r] = BitSet.valueOf(m.vm().getDirtyLog(g.slot(), g.size() / Snapshot.PAGE));
        }
        return out;
    }

    /**
     * Guest RAM for a machine restored from {@code s}: its base file mapped copy-on-write. A
     * diff's pages are not in it yet: {@link #resetMemory} (after the machine is built) adds them.
     */
    public static GuestMemory mappedMemory(Snapshot s) {
        Snapshot base = s.base();
        try {
            return GuestMemory.privateFile(base.path(), base.memoryOffset(), base.memoryLength());
        } catch (RuntimeException e) {
            throw new SnapshotException(base.path() + ": cannot map guest memory: " + e.getMessage());
        }
    }

    /** Copies the stored pages of {@code s} and its parents into RAM, oldest first ({@code withBase}: the base's too). */
    private static void copyDiffs(GuestMemory mem, Snapshot s, boolean withBase) throws IOException {
        if (s.parent() == null && !withBase) return;
        if (s.parent() != null) copyDiffs(mem, s.parent(), withBase);
        try (FileChannel ch = FileChannel.open(s.path(), StandardOpenOption.READ)) {
            byte[] buf = new byte[1 << 20];
            long[] ext = s.extents();
            for (int i = 0; i < ext.length; i += 2) {
                long page = ext[i], left = ext[i + 1] * Snapshot.PAGE;
                long linear = page * Snapshot.PAGE;
                while (left > 0) {
                    int n = (int) Math.min(left, buf.length);
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                    Snapshot.readFully(ch, b, s.memoryOffset() + linear);
                    writeLinear(mem, linear, buf, n);
                    linear += n;
                    left -= n;
                }
            }
        }
    }

    /** Writes at an offset of the memory image (regions back to back) into guest RAM. */
    private static void writeLinear(GuestMemory mem, long linear, byte[] buf, int n) {
        int done = 0;
        long at = linear;
        while (done < n) {
            long base = 0;
            GuestRegion hit = null;
            for (GuestRegion g : mem.regions()) {
                if (at < base + g.size()) {
                    hit = g;
                    break;
                }
                base += g.size();
            }
            if (hit == null) throw new IllegalStateException("memory image offset " + at + " outside RAM");
            int k = (int) Math.min(n - done, base + hit.size() - at);
            mem.write(hit.base() + (at - base), buf, done, k);
            done += k;
            at += k;
        }
    }

    /**
     * Loads {@code s} into machine {@code m}, whose RAM already holds the snapshot's memory
     * ({@link #mappedMemory}, or {@link #resetMemory} for a reset): the VM state, each vCPU, each
     * part ({@code ran}: the machine has run before, a reset). Refuses (changing nothing) a machine
     * configured differently.
     *
     * @throws SnapshotException when the machine does not match or a part refuses its record
     */
    public static void apply(Machine m, MachineConfig machineConfig, Snapshot s, boolean ran) {
        String why = s.config().mismatch(machineConfig);
        if (why != null) throw new SnapshotException(s.path() + ": cannot restore: " + why);
        // Parts first: a record a part cannot read fails before any KVM state is set (a machine a
        // restore failed on is discarded by the caller).
        List<Part> parts = m.parts();
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            Snapshot.PartState rec = s.parts().get(s.config().parts().indexOf(p.name()));
            try {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(rec.data()));
                p.restoreState(in);
                if (in.available() != 0) throw new IOException(in.available() + " bytes left over");
            } catch (IOException e) {
                throw new SnapshotException(s.path() + ": part '" + p.name() + "' cannot restore its state: " + e.getMessage());
            }
        }
        // A vCPU that ran may still owe KVM the end of its last I/O instruction (it parked before
        // re-entering): finish it now, or KVM would finish it on top of the restored registers.
        if (ran) for (VcpuFd v : m.vcpus()) v.completePendingExit();
        m.vm().restoreState(s.vmState());
        for (VcpuFd v : m.vcpus()) v.restoreState(s.vcpus().get(v.id()));
    }

    /**
     * Returns RAM mapped from a full snapshot's file to that snapshot by dropping only the pages
     * the guest wrote since it was restored or reset to it ({@code dirty}, from KVM's dirty log).
     * Falls back to dropping everything when the writes are scattered over very many runs.
     */
    public static void resetDirtyPages(GuestMemory mem, BitSet[] dirty) {
        int runs = 0;
        for (BitSet b : dirty) {
            for (int p = b.nextSetBit(0); p >= 0; p = b.nextSetBit(b.nextClearBit(p))) runs++;
        }
        if (runs > 4096) {
            mem.dropPrivatePages();
            return;
        }
        for (int r = 0; r < dirty.length; r++) {
            BitSet b = dirty[r];
            for (int p = b.nextSetBit(0); p >= 0; ) {
                int end = b.nextClearBit(p);
                mem.dropPrivatePages(r, p * Snapshot.PAGE, (long) (end - p) * Snapshot.PAGE);
                p = b.nextSetBit(end);
            }
        }
    }

    /**
     * Returns guest RAM to {@code s}'s content without unmapping anything. RAM mapped from
     * {@code s}'s base file ({@code mappedFromBase}): every private page is dropped (MADV_DONTNEED),
     * so the guest reads the file again, and a diff's pages are copied in. Anonymous RAM (a booted
     * machine): dropped to zeros, then every stored page of the snapshot is copied in.
     */
    public static void resetMemory(GuestMemory mem, Snapshot s, boolean mappedFromBase) {
        mem.dropPrivatePages();
        try {
            copyDiffs(mem, s, !mappedFromBase);
        } catch (IOException e) {
            throw new SnapshotException(s.path() + ": cannot reload guest memory: " + e.getMessage());
        }
    }
}
