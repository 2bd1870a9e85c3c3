package io.minivmm.vmm.gdb;

import io.minivmm.kvm.VcpuFd;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.vcpu.PauseGate;
import java.time.Duration;
import java.util.List;

/** What the gdb stub needs of a run (implemented by the run session; a seam for tests). */
public interface GdbTarget {
    /** Every vCPU of the machine; gdb thread {@code n} is vCPU {@code n - 1}. */
    List<VcpuFd> vcpus();

    GuestMemory memory();

    /** The gate every vCPU parks at between exits. */
    PauseGate gate();

    /** Parks every vCPU (kicking them out of KVM_RUN); false if the run ended or the time passed. */
    boolean pauseAll(Duration timeout) throws InterruptedException;

    /** Lets every vCPU run. */
    void resumeAll();

    /** Kicks vCPU {@code id} out of KVM_RUN (it then parks if the gate says so). */
    default void kick(int id) { vcpus().get(id).kick(); }

    /** Whether the run has ended or is ending. */
    boolean ended();

    /** gdb's {@code k}: ends the run with {@code Outcome.GDB_KILLED}. */
    void kill();

    /** The crash-report text for vCPU {@code id} as it stands (registers, tables, page walks, exits). */
    String crashReport(int id);

    /** The guest's memory map (e820) as text. */
    String memoryMap();

    /** The page walk of guest-virtual {@code va} through vCPU {@code id}'s tables, as the crash report prints it. */
    String pageWalk(int id, long va);

    /** VM exits so far by kind and port, as text. */
    String exitCounters();
}
