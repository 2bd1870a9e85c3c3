package io.minivmm.kvm;

/**
 * Why {@code KVM_RUN} returned, decoded from the mmap'd {@code struct kvm_run}. A sealed
 * interface of records: switch over it.
 * <pre>{@code
 * switch (vcpu.run()) {
 *     case VcpuExit.IoOut out -> bus.write(out.port(), out.size(), out.data());
 *     case VcpuExit.Hlt h -> halted = true;
 *     default -> {}
 * }
 * }</pre>
 * The hot path of a run loop can avoid the allocation with {@link VcpuFd#runRaw()} and the
 * accessors of {@link VcpuFd}.
 */
public sealed interface VcpuExit {
    /** KVM_EXIT_IO, direction in: the guest read {@code count} items of {@code size} bytes from {@code port}. */
    record IoIn(int port, int size, int count) implements VcpuExit {}

    /** KVM_EXIT_IO, direction out: {@code data} holds {@code count * size} bytes. */
    record IoOut(int port, int size, int count, byte[] data) implements VcpuExit {}

    /** KVM_EXIT_MMIO read of {@code length} bytes. */
    record MmioRead(long address, int length) implements VcpuExit {}

    /** KVM_EXIT_MMIO write. */
    record MmioWrite(long address, byte[] data) implements VcpuExit {}

    /** KVM_EXIT_HLT: the guest halted with no in-kernel LAPIC to wait in. */
    record Hlt() implements VcpuExit {}

    /** KVM_EXIT_SHUTDOWN: triple fault (or an explicit shutdown). */
    record Shutdown() implements VcpuExit {}

    /** KVM_EXIT_FAIL_ENTRY: VM entry failed; {@code hardwareReason} is the VMX/SVM reason. */
    record FailEntry(long hardwareReason, int cpu) implements VcpuExit {}

    /**
     * KVM_EXIT_INTERNAL_ERROR. For emulation failures reported with
     * KVM_CAP_EXIT_ON_EMULATION_FAILURE, {@code instructionBytes} holds the bytes at RIP
     * (otherwise it is empty).
     */
    record InternalError(int suberror, long[] data, byte[] instructionBytes) implements VcpuExit {
        public boolean isEmulationFailure() { return suberror == 1; }
    }

    /** KVM_EXIT_SYSTEM_EVENT (shutdown, reset, crash). */
    record SystemEvent(int type, long[] data) implements VcpuExit {}

    /** KVM_EXIT_INTR / EINTR: a signal or {@code immediate_exit} kicked the vCPU out. */
    record Interrupted() implements VcpuExit {}

    /** KVM_EXIT_DEBUG. */
    record Debug(int exception, long pc, long dr6, long dr7) implements VcpuExit {}

    /** KVM_EXIT_EXCEPTION (only with legacy real-mode emulation). */
    record Exception(int exception, int errorCode) implements VcpuExit {}

    /** Any other exit reason, with the hardware exit reason when KVM gave one. */
    record Unknown(int reason, long hardwareReason) implements VcpuExit {}
}
