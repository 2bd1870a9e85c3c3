package io.minivmm.kvm.x86;

import java.util.List;

/**
 * The in-kernel PIT ({@code struct kvm_pit_state2}): three channels and the flags
 * ({@link #HPET_LEGACY}, {@link #SPEAKER_DATA_ON}).
 * <pre>{@code
 * PitState2 pit = vm.getPit2();
 * other.setPit2(pit);
 * }</pre>
 */
public record PitState2(List<PitChannel> channels, int flags) {
    /** asm/kvm.h KVM_PIT_FLAGS_HPET_LEGACY. */
    public static final int HPET_LEGACY = 1;
    /** asm/kvm.h KVM_PIT_FLAGS_SPEAKER_DATA_ON. */
    public static final int SPEAKER_DATA_ON = 2;

    public PitState2 {
        if (channels.size() != 3) throw new IllegalArgumentException("the PIT has 3 channels");
        channels = List.copyOf(channels);
    }
}
