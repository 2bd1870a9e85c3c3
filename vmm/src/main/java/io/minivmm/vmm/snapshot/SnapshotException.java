package io.minivmm.vmm.snapshot;

import io.minivmm.vmm.ImageException;

/**
 * A snapshot file that cannot be used: not a snapshot, another format version, truncated,
 * corrupt, or taken of a differently configured machine. Exit status 65 with the reason; nothing
 * of it was loaded or mapped.
 */
public class SnapshotException extends ImageException {
    public SnapshotException(String message) { super(message); }
}
