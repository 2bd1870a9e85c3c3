package io.minivmm.kvm;

/**
 * KVM cannot be used on this machine: no /dev/kvm, no permission, wrong API version or a missing
 * capability. {@link #getMessage()} is one line that says what to do about it.
 */
public final class KvmUnavailableException extends KvmException {
    private final String reason;

    public KvmUnavailableException(String call, int errno, String reason) {
        super(call, errno, reason);
        this.reason = reason;
    }

    /** The reason and the fix, without the call name: suitable for a user. */
    public String reason() { return reason; }
}
