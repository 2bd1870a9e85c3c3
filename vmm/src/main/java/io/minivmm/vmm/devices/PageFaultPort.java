package io.minivmm.vmm.devices;

/**
 * A paravirtual port through which a guest's #PF handler asks the VMM to resolve a fault in an
 * area the VMM manages (a lazy "alloc" area whose frames arrive on first touch). Ports, all
 * 32-bit accesses, relative to {@link #BASE} (0x5f0):
 * <pre>
 *   +0 write  CR2 bits 0..31
 *   +4 write  CR2 bits 32..63
 *   +8 write  the #PF error code: the VMM resolves the fault now
 *   +8 read   1 if the fault was resolved (retry the access), 0 if not (a real fault)
 * </pre>
 * The error code's W bit (1) asks for write access and its I/D bit (4) for execute; otherwise
 * read. The resolver runs on the faulting vCPU's thread.
 */
public final class PageFaultPort implements PioDevice {
    public static final int BASE = 0x5f0;
    public static final int LENGTH = 12;
    /** #PF error code bits. */
    public static final int PF_WRITE = 1 << 1, PF_INSTRUCTION = 1 << 4;

    /** Resolves a fault at {@code address}; access is READ (1), WRITE (2) or EXECUTE (4). */
    @FunctionalInterface
    public interface Resolver {
        boolean resolve(long address, int access);
    }

    private final Resolver resolver;
    private long cr2;
    private int result;
    private long faults;
    private long resolved;

    public PageFaultPort(Resolver resolver) { this.resolver = resolver; }

    @Override
    public synchronized int read(int offset, int size) {
        return offset == 8 ? result : 0xffffffff;
    }

    @Override
    public synchronized void write(int offset, int size, int value) {
        switch (offset) {
            case 0 -> cr2 = (cr2 & 0xffffffff00000000L) | Integer.toUnsignedLong(value);
            case 4 -> cr2 = (cr2 & 0xffffffffL) | ((long) value << 32);
            case 8 -> {
                int access = (value & PF_WRITE) != 0 ? 2 : (value & PF_INSTRUCTION) != 0 ? 4 : 1;
                faults++;
                boolean ok = resolver.resolve(cr2, access);
                if (ok) resolved++;
                result = ok ? 1 : 0;
            }
            default -> { }
        }
    }

    public synchronized long faults() { return faults; }

    public synchronized long resolved() { return resolved; }
}
