package io.minivmm.vmm.devices;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A device whose guest-visible state can be saved and restored (snapshots). The part that owns
 * the device frames the bytes (a name-tagged, length-prefixed record); the device writes only its
 * own fields. {@link #restoreState} reads untrusted bytes: it validates every value and throws
 * {@link IOException} (changing nothing) for anything out of range.
 */
public interface Stateful {
    /** Writes the device's state. */
    void saveState(DataOutput out) throws IOException;

    /** Reads what {@link #saveState} wrote; the device is unchanged if this throws. */
    void restoreState(DataInput in) throws IOException;

    /** A helper for restoreState: {@code v} must lie in {@code [min, max]}. */
    static int check(String what, int v, int min, int max) throws IOException {
        if (v < min || v > max) throw new IOException(what + " " + v + " out of range " + min + ".." + max);
        return v;
    }
}
