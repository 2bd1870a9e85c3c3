package io.minivmm.vmm.snapshot;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a snapshot's machine looked like: RAM size, vCPU count, CPU model, the debug-exit mode and
 * the names of its parts in attach order. A snapshot loads only into a machine built the same way
 * ({@link #mismatch}).
 */
public record MachineConfig(long memory, int cpus, String cpuModel, String debugExit, List<String> parts) {
    public MachineConfig {
        Objects.requireNonNull(cpuModel);
        Objects.requireNonNull(debugExit);
        parts = List.copyOf(parts);
    }

    /** Why a machine configured as {@code other} cannot take this snapshot, or null when it can. */
    public String mismatch(MachineConfig other) {
        if (memory != other.memory) return "the snapshot has " + memory + " bytes of RAM, the machine " + other.memory;
        if (cpus != other.cpus) return "the snapshot has " + cpus + " vCPUs, the machine " + other.cpus;
        if (!cpuModel.equals(other.cpuModel)) return "the snapshot's CPU model is '" + cpuModel + "', the machine's '" + other.cpuModel + "'";
        if (!debugExit.equals(other.debugExit)) return "the snapshot's debug-exit mode is " + debugExit + ", the machine's " + other.debugExit;
        for (String p : parts) if (!other.parts.contains(p)) return "the snapshot has a part '" + p + "' the machine lacks";
        for (String p : other.parts) if (!parts.contains(p)) return "the machine has a part '" + p + "' the snapshot lacks";
        return null;
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeLong(memory);
        out.writeInt(cpus);
        out.writeUTF(cpuModel);
        out.writeUTF(debugExit);
        out.writeInt(parts.size());
        for (String p : parts) out.writeUTF(p);
    }

    static MachineConfig readFrom(DataInput in) throws IOException {
        long memory = in.readLong();
        int cpus = in.readInt();
        String model = in.readUTF();
        String debugExit = in.readUTF();
        if (memory <= 0 || (memory & 0xfff) != 0 || memory > (1L << 40)) throw new IOException("bad RAM size " + memory);
        if (cpus < 1 || cpus > 254) throw new IOException("bad vCPU count " + cpus);
        int n = in.readInt();
        if (n < 0 || n > 256) throw new IOException("bad part count " + n);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) parts.add(in.readUTF());
        return new MachineConfig(memory, cpus, model, debugExit, parts);
    }
}
