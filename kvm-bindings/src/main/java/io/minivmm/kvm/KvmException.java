package io.minivmm.kvm;

import io.minivmm.kvm.sys.Errno;

/**
 * A failed KVM or libc call. The message names the call and the errno, e.g.
 * {@code KVM_CREATE_VM failed: EACCES (13)}; {@link #errno()} gives the number.
 */
public class KvmException extends RuntimeException {
    private final String call;
    private final int errno;

    public KvmException(String call, int errno) {
        super(call + " failed: " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    public KvmException(String call, int errno, String detail) {
        super(call + " failed: " + Errno.describe(errno) + ": " + detail);
        this.call = call;
        this.errno = errno;
    }

    /** The ioctl or libc function that failed, e.g. {@code "KVM_RUN"}. */
    public String call() { return call; }

    /** The errno it returned (0 when the failure was not an errno, e.g. a bad API version). */
    public int errno() { return errno; }
}
