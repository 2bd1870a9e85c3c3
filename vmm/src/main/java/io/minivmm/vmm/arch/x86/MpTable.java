package io.minivmm.vmm.arch.x86;

import io.minivmm.vmm.memory.PhysMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The Intel MultiProcessor Specification 1.4 tables that tell a guest (Linux without ACPI) how
 * many CPUs there are and how ISA interrupts reach the I/O APIC: a floating pointer structure in
 * the last KiB of base memory ({@code 0x9fc00}, one of the places Linux scans) followed by the
 * configuration table: one processor entry per vCPU, the ISA bus, the I/O APIC, ISA IRQs 0-15
 * routed to the same I/O APIC pins (KVM's default GSI routing), and LINT0 = ExtINT, LINT1 = NMI.
 */
public final class MpTable {
    private MpTable() {}

    /** Where the tables went before the machine placed them: the last KiB of 639 KiB base memory. */
    public static final long ADDRESS = 0x9fc00;
    public static final long LAPIC_BASE = 0xfee0_0000L;
    public static final long IOAPIC_BASE = 0xfec0_0000L;
    /** Local APIC version reported per CPU (integrated APIC). */
    static final int LAPIC_VERSION = 0x14;
    static final int IOAPIC_VERSION = 0x11;
    static final int SPEC_REV = 4;
    static final int ISA_IRQS = 16;

    private static final int ENTRY_PROCESSOR = 0, ENTRY_BUS = 1, ENTRY_IOAPIC = 2, ENTRY_IOINT = 3, ENTRY_LINT = 4;
    private static final int INT_TYPE_INT = 0, INT_TYPE_NMI = 1, INT_TYPE_EXTINT = 3;

    /** Size of the whole structure for {@code cpus} CPUs. */
    public static int size(int cpus) {
        return 16 + 44 + 20 * cpus + 8 + 8 + 8 * ISA_IRQS + 8 * 2;
    }

    /**
     * The tables as bytes, to be written at {@link #ADDRESS}. {@code cpuSignature} and
     * {@code featureFlags} come from CPUID leaf 1 (EAX, EDX).
     */
    public static byte[] build(int cpus, int cpuSignature, int featureFlags) {
        return build(ADDRESS, cpus, cpuSignature, featureFlags);
    }

    /**
     * The tables as bytes, to be written at {@code address} (MP spec §4.1: in the first KiB of the
     * EBDA or the last KiB of base memory, 16-byte aligned, below 4 GiB).
     */
    public static byte[] build(long address, int cpus, int cpuSignature, int featureFlags) {
        if (cpus < 1 || cpus > 254) throw new IllegalArgumentException("MP table: 1..254 CPUs, got " + cpus);
        ByteBuffer b = ByteBuffer.allocate(size(cpus)).order(ByteOrder.LITTLE_ENDIAN);
        long config = address + 16;
        // Floating pointer structure (16 bytes).
        b.put("_MP_".getBytes(StandardCharsets.US_ASCII)).putInt((int) config).put((byte) 1).put((byte) SPEC_REV)
                .put((byte) 0) // checksum, below
                .put((byte) 0) // feature 1: 0 = a configuration table is present
                .put((byte) 0) // feature 2: IMCR absent, virtual wire mode
                .put(new byte[3]);
        b.put(10, checksum(b.array(), 0, 16));
        // Configuration table header (44 bytes).
        int header = 16;
        int entries = cpus + 1 + 1 + ISA_IRQS + 2;
        b.put("PCMP".getBytes(StandardCharsets.US_ASCII)).putShort((short) (size(cpus) - 16)).put((byte) SPEC_REV)
                .put((byte) 0) // checksum, below
                .put(pad("MINIVMM", 8)).put(pad("000000000000", 12)).putInt(0).putShort((short) 0)
                .putShort((short) entries).putInt((int) LAPIC_BASE).putShort((short) 0).put((byte) 0).put((byte) 0);
        for (int id = 0; id < cpus; id++) {
            b.put((byte) ENTRY_PROCESSOR).put((byte) id).put((byte) LAPIC_VERSION)
                    .put((byte) (1 | (id == 0 ? 2 : 0))) // enabled, BSP
                    .putInt(cpuSignature).putInt(featureFlags).putLong(0);
        }
        b.put((byte) ENTRY_BUS).put((byte) 0).put("ISA   ".getBytes(StandardCharsets.US_ASCII));
        int ioapicId = cpus;
        b.put((byte) ENTRY_IOAPIC).put((byte) ioapicId).put((byte) IOAPIC_VERSION).put((byte) 1).putInt((int) IOAPIC_BASE);
        for (int irq = 0; irq < ISA_IRQS; irq++) {
            b.put((byte) ENTRY_IOINT).put((byte) INT_TYPE_INT).putShort((short) 0).put((byte) 0).put((byte) irq)
                    .put((byte) ioapicId).put((byte) irq);
        }
        b.put((byte) ENTRY_LINT).put((byte) INT_TYPE_EXTINT).putShort((short) 0).put((byte) 0).put((byte) 0)
                .put((byte) 0xff).put((byte) 0);
        b.put((byte) ENTRY_LINT).put((byte) INT_TYPE_NMI).putShort((short) 0).put((byte) 0).put((byte) 0)
                .put((byte) 0xff).put((byte) 1);
        if (b.position() != b.capacity()) throw new IllegalStateException("MP table size mismatch");
        b.put(header + 7, checksum(b.array(), header, b.capacity() - header));
        return b.array();
    }

    /** Writes the tables for {@code cpus} CPUs at {@link #ADDRESS}. */
    public static void write(PhysMemory mem, int cpus, int cpuSignature, int featureFlags) {
        byte[] t = build(cpus, cpuSignature, featureFlags);
        mem.write(ADDRESS, t, 0, t.length);
    }

    private static byte[] pad(String s, int n) {
        byte[] out = new byte[n];
        byte[] src = s.getBytes(StandardCharsets.US_ASCII);
        java.util.Arrays.fill(out, (byte) ' ');
        System.arraycopy(src, 0, out, 0, Math.min(n, src.length));
        return out;
    }

    /** The byte that makes {@code [off, off+len)} sum to zero. */
    static byte checksum(byte[] b, int off, int len) {
        int sum = 0;
        for (int i = off; i < off + len; i++) sum += b[i];
        return (byte) -sum;
    }
}
