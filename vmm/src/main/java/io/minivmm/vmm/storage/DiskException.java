package io.minivmm.vmm.storage;

import java.io.IOException;

/** A disk image that cannot be used, or a request it cannot serve (past the end, read-only). */
public final class DiskException extends IOException {
    public DiskException(String message) { super(message); }
}
