package io.minivmm.kvm.x86;

import java.io.IOException;

/**
 * A saved {@link VcpuState} or {@link VmState} that cannot be read: truncated, corrupt (checksum),
 * of another format version, or with a value outside what the format allows. The message says
 * which; nothing has been restored when it is thrown.
 * <pre>{@code
 * try { state = VcpuState.fromBytes(blob); }
 * catch (StateFormatException e) { fail("snapshot refused: " + e.getMessage()); }
 * }</pre>
 */
public class StateFormatException extends IOException {
    public StateFormatException(String message) { super(message); }

    public StateFormatException(String message, Throwable cause) { super(message, cause); }
}
