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
        BitSet[] dirty = dirtyLogging ? dirtyPages(m) : null; // also restarts the log: the next diff starts here
        long linearPage = 0;
        for (int r = 0; r < regions.size(); r++) {
            GuestRegion g = regions.get(r);
            if (parent != null) {
                candidates[r] = dirty[r];
            } else {
                BitSet c = g.mapping().residentPages();
                for (Snapshot s = memBase; s != null; s = s.parent()) addExtents(c, s.extents(), linearPage, g.size() / Snapshot.PAGE);
                candidates[r] = c;
            }
            linearPage += g.size() / Snapshot.PAGE;
        }
        return SnapshotWriter.write(out, config, vm, vcpus, parts, mem, candidates, parent, temporary);
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

    /** Guest RAM for a machine restored from {@code s}: its base file mapped copy-on-write, a diff's pages copied in. */
    public static GuestMemory memoryFor(Snapshot s) {
        Snapshot base = s.base();
        GuestMemory mem = GuestMemory.privateFile(base.path(), base.memoryOffset(), base.memoryLength());
        try {
            copyDiffs(mem, s);
            return mem;
        } catch (IOException | RuntimeException e) {
            mem.close();
            throw new SnapshotException(s.path() + ": cannot load guest memory: " + e.getMessage());
        }
    }

    /** Copies the pages of every diff between {@code s} and its base into RAM, oldest first. */
    private static void copyDiffs(GuestMemory mem, Snapshot s) throws IOException {
        if (s.parent() == null) return;
        copyDiffs(mem, s.parent());
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
     * ({@link #memoryFor}, or {@link #resetMemory} for a reset): the VM state, each vCPU, each
     * part. Refuses (changing nothing) a machine configured differently.
     *
     * @throws SnapshotException when the machine does not match or a part refuses its record
     */
    public static void apply(Machine m, MachineConfig machineConfig, Snapshot s) {
        String why = s.config().mismatch(machineConfig);
        if (why != null) throw new SnapshotException(s.path() + ": cannot restore: " + why);
        // Parts first, into detached checks: a record a part cannot read must fail before any KVM state is set.
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
        m.vm().restoreState(s.vmState());
        for (VcpuFd v : m.vcpus()) v.restoreState(s.vcpus().get(v.id()));
    }

    /**
     * Returns RAM mapped from {@code s}'s base file to {@code s}'s content without unmapping:
     * drops every private page (MADV_DONTNEED) and copies a diff's pages in again.
     */
    public static void resetMemory(GuestMemory mem, Snapshot s) {
        mem.dropPrivatePages();
        try {
            copyDiffs(mem, s);
        } catch (IOException e) {
            throw new SnapshotException(s.path() + ": cannot reload guest memory: " + e.getMessage());
        }
    }
}
