package io.minivmm.vmm.machine;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A part of the machine: a device, or a piece of the platform (its tables, its firmware data).
 * A machine is its guest memory, its interrupt controller, its buses and a list of parts; adding
 * a device is writing one part and adding it to the board's list.
 *
 * <p>Life cycle, driven by {@link Machine}:
 * <ol>
 *   <li>{@link #attach}: claim I/O ports, MMIO ranges, interrupt lines and guest-physical ranges
 *       through the {@link Wiring}, and say what the platform tables must describe
 *       ({@link PlatformInfo}). Every part attaches before any part {@link #finish}es.</li>
 *   <li>{@link #finish}: once every part is attached, write what depends on all of them (the MP,
 *       ACPI and BIOS tables describe the other parts). Runs before the image is loaded, so the
 *       loader sees every range the platform keeps.</li>
 *   <li>{@link #reset}: back to the power-on state (a machine reset, a snapshot reset).</li>
 *   <li>{@link #saveState}/{@link #restoreState}: the part's state for snapshots. A part that
 *       holds guest-visible state must override both; the default is a stateless part.</li>
 *   <li>{@link #close}: release threads and files. Called once, after the vCPUs stopped.</li>
 * </ol>
 * Parts stay pure state machines where they can: KVM plumbing reaches them only through the
 * {@link Wiring}'s interfaces.
 */
public interface Part extends AutoCloseable {
    /** A short unique name ("com1", "ide0", "mp-table"): in messages, reports and snapshots. */
    String name();

    /** Claims the part's resources and registers it on the buses. */
    void attach(Wiring wiring);

    /** Called once every part is attached: write tables and data that describe the machine. */
    default void finish(Wiring wiring) { }

    /** Returns to the power-on state. */
    default void reset() { }

    /** Writes the part's guest-visible state (snapshots). Stateless parts write nothing. */
    default void saveState(DataOutput out) throws IOException { }

    /** Reads what {@link #saveState} wrote, in the same format version. */
    default void restoreState(DataInput in) throws IOException { }

    /** Releases threads, files and host memory the part holds. Must not throw. */
    @Override
    default void close() { }
}
