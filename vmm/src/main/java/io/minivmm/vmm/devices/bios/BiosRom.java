package io.minivmm.vmm.devices.bios;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The BIOS ROM image (segment F000, 64 KiB at 0xF0000) and the real-mode interrupt vector table
 * that points into it. The ROM holds no services, only gates: each serviced vector's stub is
 * <pre>
 *   stub:  out  %al, $0xef      ; trap to the VMM: the Java service runs with the caller's registers
 *          jz   stub            ; the service sets ZF to ask for a retry (int 16h waiting for a key)
 *          iret                 ; the caller's FLAGS (with CF/ZF as the service set them on the stack)
 * </pre>
 * The {@code out} writes AL, which the service ignores: the vector is known from where the stub
 * is ({@code IP}). Hardware IRQ vectors get stubs that acknowledge the PIC; the others a bare
 * {@code iret}. POST sets up the PICs like a PC BIOS (vectors 08h and 70h, every line masked) and
 * jumps to the boot image.
 */
public final class BiosRom {
    private BiosRom() {}

    public static final long BASE = 0xf0000, SIZE = 0x10000;
    public static final int SEGMENT = 0xf000;
    /** The trap port of the stubs ({@code out %al, imm8} needs a port below 0x100). */
    public static final int TRAP_PORT = 0xef;
    /** Offset of the stub of vector 0; vector n's is at STUBS + n * STUB_SIZE. */
    public static final int STUBS = 0x1000, STUB_SIZE = 8;
    /** The EOI stubs for IRQ 0-7 and 8-15, a bare iret, POST and its far jump, the config table, the reset vector. */
    public static final int EOI_MASTER = 0xe000, EOI_SLAVE = 0xe010, IRET = 0xff53, POST = 0xe05b,
            CONFIG_TABLE = 0xe6f5, RESET_VECTOR = 0xfff0;
    /** Vectors served by the Java BIOS. */
    public static final int[] SERVICES = {0x10, 0x11, 0x12, 0x13, 0x15, 0x16, 0x18, 0x19, 0x1a};
    /** POST's "mov $imm16, %ax" immediate and "ljmp" target, patched with the boot entry. */
    static final int POST_AX = POST + 0x24, POST_JUMP_IP = POST + 0x27, POST_JUMP_CS = POST + 0x29;

    /** Whether {@code vector} has a service stub. */
    public static boolean served(int vector) {
        for (int v : SERVICES) if (v == vector) return true;
        return false;
    }

    /** The ROM's 64 KiB. POST jumps to 0000:7C00 with AX = 0 until {@link #setEntry} patches it. */
    public static byte[] image() {
        ByteBuffer b = ByteBuffer.allocate((int) SIZE).order(ByteOrder.LITTLE_ENDIAN);
        byte[] id = "minivmm BIOS".getBytes(StandardCharsets.US_ASCII);
        b.put(0, id);
        for (int v : SERVICES) {
            int at = STUBS + v * STUB_SIZE;
            b.put(at, (byte) 0xe6).put(at + 1, (byte) TRAP_PORT)   // out %al, $0xef
             .put(at + 2, (byte) 0x74).put(at + 3, (byte) 0xfc)      // jz stub
             .put(at + 4, (byte) 0xcf);                               // iret
        }
        // push %ax; mov $0x20, %al; [out %al, $0xa0;] out %al, $0x20; pop %ax; iret
        b.put(EOI_MASTER, new byte[] {0x50, (byte) 0xb0, 0x20, (byte) 0xe6, 0x20, 0x58, (byte) 0xcf});
        b.put(EOI_SLAVE, new byte[] {0x50, (byte) 0xb0, 0x20, (byte) 0xe6, (byte) 0xa0, (byte) 0xe6, 0x20, 0x58, (byte) 0xcf});
        b.put(IRET, (byte) 0xcf);
        byte[] post = {
            (byte) 0xfa,                                   // cli
            (byte) 0xb0, 0x11, (byte) 0xe6, 0x20, (byte) 0xe6, (byte) 0xa0,   // ICW1 to both PICs
            (byte) 0xb0, 0x08, (byte) 0xe6, 0x21,          // ICW2 master: vectors 08h-0Fh
            (byte) 0xb0, 0x70, (byte) 0xe6, (byte) 0xa1,   // ICW2 slave: vectors 70h-77h
            (byte) 0xb0, 0x04, (byte) 0xe6, 0x21,          // ICW3 master: slave on IR2
            (byte) 0xb0, 0x02, (byte) 0xe6, (byte) 0xa1,   // ICW3 slave: cascade identity 2
            (byte) 0xb0, 0x01, (byte) 0xe6, 0x21, (byte) 0xe6, (byte) 0xa1,   // ICW4: 8086 mode
            (byte) 0xb0, (byte) 0xff,                      // OCW1: mask every line (no timer tick, see Bios)
        };
        b.put(POST, post);
        int at = POST + post.length;                       // = POST + 0x1f
        b.put(at, new byte[] {(byte) 0xe6, 0x21, (byte) 0xe6, (byte) 0xa1}); // out %al, $0x21; out %al, $0xa1
        b.put(POST_AX - 1, (byte) 0xb8).putShort(POST_AX, (short) 0);          // mov $ax, %ax
        b.put(POST_JUMP_IP - 1, (byte) 0xea).putShort(POST_JUMP_IP, (short) 0x7c00).putShort(POST_JUMP_CS, (short) 0);
        // int 15h C0h: system configuration table (length, model FC = AT, submodel, revision, features).
        b.putShort(CONFIG_TABLE, (short) 8).put(CONFIG_TABLE + 2, (byte) 0xfc).put(CONFIG_TABLE + 3, (byte) 0)
         .put(CONFIG_TABLE + 4, (byte) 0).put(CONFIG_TABLE + 5, (byte) 0x70).put(CONFIG_TABLE + 6, (byte) 0x40);
        b.put(RESET_VECTOR, (byte) 0xea).putShort(RESET_VECTOR + 1, (short) POST).putShort(RESET_VECTOR + 3, (short) SEGMENT);
        b.put(0xfff5, "06/01/24".getBytes(StandardCharsets.US_ASCII));
        b.put(0xfffe, (byte) 0xfc);
        return b.array();
    }

    /** The POST patch for entering the boot image at {@code cs:ip} with {@code ax}: bytes to write at {@link #entryPatchOffset}. */
    public static byte[] entryPatch(int cs, int ip, int ax) {
        ByteBuffer b = ByteBuffer.allocate(POST_JUMP_CS + 2 - POST_AX).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) ax).put(2, (byte) 0xea).putShort(3, (short) ip).putShort(5, (short) cs);
        return b.array();
    }

    /** Where {@link #entryPatch} goes, as a ROM offset. */
    public static int entryPatchOffset() { return POST_AX; }

    /** The 1 KiB IVT: services to their stubs, IRQs to the EOI stubs, everything else to a bare iret. */
    public static byte[] ivt() {
        ByteBuffer b = ByteBuffer.allocate(0x400).order(ByteOrder.LITTLE_ENDIAN);
        for (int v = 0; v < 256; v++) {
            int off = served(v) ? STUBS + v * STUB_SIZE
                    : v >= 0x08 && v <= 0x0f ? EOI_MASTER
                    : v >= 0x70 && v <= 0x77 ? EOI_SLAVE
                    : IRET;
            b.putShort(4 * v, (short) off).putShort(4 * v + 2, (short) SEGMENT);
        }
        return b.array();
    }

    /** The vector whose stub's {@code out} is at or just before {@code ip} in segment F000, or -1. */
    public static int vectorAt(int cs, long ip) {
        if (cs != SEGMENT || ip < STUBS || ip >= STUBS + 256L * STUB_SIZE) return -1;
        int v = (int) ((ip - STUBS) / STUB_SIZE);
        // The out is 2 bytes: IP is at it (KVM's fast path) or right after it (emulated).
        long rel = ip - STUBS - (long) v * STUB_SIZE;
        return served(v) && (rel == 0 || rel == 2) ? v : -1;
    }
}
