package io.minivmm.vmm.pc;

import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.PlatformInfo;
import io.minivmm.vmm.machine.ResourceAllocator;
import io.minivmm.vmm.machine.Wiring;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The BIOS data area at 0x400 and the extended BIOS data area (EBDA) below 0xA0000, filled as a
 * PC's firmware leaves them, consistent with the memory map: the COM port addresses, the
 * equipment word, base memory in KiB and the EBDA segment. Kernels trust these (xv6 finds the MP
 * table through 0x40E and 0x413; Xen places its trampoline below base memory).
 *
 * <p>The EBDA is the block of platform tables the other parts placed at the top of base memory
 * (the MP table, ACPI's RSDP), grown down to a KiB boundary; its first byte is its size in KiB.
 * This part must come after every part that places tables there: it finishes last.
 */
public final class BiosDataArea implements Part {
    /** Offsets in the BDA (segment 0x40). */
    static final int BDA = 0x400, COM_PORTS = 0x00, EBDA_SEGMENT = 0x0e, EQUIPMENT = 0x10, BASE_MEMORY_KIB = 0x13,
            VIDEO_MODE = 0x49, HARD_DISKS = 0x75, VIDEO_COLUMNS = 0x4a, CRTC_BASE = 0x63, VIDEO_ROWS_MINUS_1 = 0x84;
    /** Equipment word (Ralf Brown's INT 11h): bit 1 x87 present, bits 4-5 = 10b 80x25 colour, bits 9-11 serial ports. */
    static final int EQ_FPU = 1 << 1, EQ_VIDEO_80X25_COLOUR = 2 << 4, EQ_SERIAL_SHIFT = 9;
    static final long EBDA_END = 0xa0000;

    private long ebdaBase = -1;

    @Override
    public String name() { return "bios-data-area"; }

    @Override
    public void attach(Wiring w) { }

    @Override
    public void finish(Wiring w) {
        ResourceAllocator res = w.resources();
        long start = EBDA_END;
        boolean grown = true;
        while (grown) {
            grown = false;
            for (ResourceAllocator.Range r : res.claims()) {
                if (r.end() == start && r.use() != ResourceAllocator.Use.MMIO) {
                    start = r.base();
                    grown = true;
                }
            }
        }
        long base = start & ~0x3ffL;
        // The EBDA's first byte holds its size: keep at least 16 bytes of header below the tables.
        if (start - base < 16) base -= 0x400;
        res.claim("EBDA header", base, start - base, ResourceAllocator.Use.FIRMWARE);
        ebdaBase = base;
        int ebdaKib = (int) ((EBDA_END - base) / 1024);
        w.memory().write(base, new byte[] {(byte) ebdaKib}, 0, 1);

        ByteBuffer bda = ByteBuffer.allocate(0x100).order(ByteOrder.LITTLE_ENDIAN);
        // Keep what other parts (the BIOS: disk count, keyboard ring, video fields) wrote before.
        w.memory().read(BDA, bda.array(), 0, bda.capacity());
        int serial = 0;
        for (PlatformInfo.SerialPort p : w.platform().serialPorts()) {
            if (p.index() >= 0 && p.index() < 4) {
                bda.putShort(COM_PORTS + 2 * p.index(), (short) p.ioBase());
                serial++;
            }
        }
        bda.putShort(EBDA_SEGMENT, (short) (base >> 4));
        bda.putShort(EQUIPMENT, (short) (EQ_FPU | EQ_VIDEO_80X25_COLOUR | (serial << EQ_SERIAL_SHIFT)));
        bda.putShort(BASE_MEMORY_KIB, (short) (base / 1024));
        bda.put(VIDEO_MODE, (byte) 3);
        bda.putShort(VIDEO_COLUMNS, (short) 80);
        bda.putShort(CRTC_BASE, (short) 0x3d4);
        bda.put(VIDEO_ROWS_MINUS_1, (byte) 24);
        bda.put(HARD_DISKS, (byte) Math.min(255, w.platform().hardDisks().size()));
        w.memory().write(BDA, bda.array(), 0, bda.capacity());
    }

    /** Where the EBDA starts (= base memory), or -1 before {@link #finish}. */
    public long ebdaBase() { return ebdaBase; }
}
