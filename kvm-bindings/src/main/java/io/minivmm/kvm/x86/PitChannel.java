package io.minivmm.kvm.x86;

/**
 * One 8254 PIT counter as KVM models it ({@code struct kvm_pit_channel_state}).
 * {@code countLoadTime} is a host {@code ktime} in ns: meaningful only with the clock it came from,
 * which is why KVM_SET_PIT2 rebases the counter to "now" on restore.
 * <pre>{@code
 * PitChannel ch0 = vm.getPit2().channels().get(0);
 * int reload = ch0.count();   // 65536 after reset
 * }</pre>
 */
public record PitChannel(int count, int latchedCount, int countLatched, int statusLatched, int status,
                         int readState, int writeState, int writeLatch, int rwMode, int mode, int bcd, int gate,
                         long countLoadTime) {
}
