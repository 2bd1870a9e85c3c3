package io.minivmm.vmm.gdb;

import io.minivmm.kvm.x86.Fpu;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.Segment;
import io.minivmm.kvm.x86.Sregs;

/**
 * The register file gdb sees, in the order of {@link #TARGET_XML}: always the 64-bit (x86-64)
 * layout, whatever mode the vCPU is in, so gdb's idea of the register set never changes size
 * under it ("'g' packet reply is too long"). A real- or protected-mode vCPU is shown through its
 * 64-bit registers (the upper halves are zero); segment registers are their selectors.
 *
 * <p>Writable: the general registers, RIP, EFLAGS, FS/GS base, CR0/CR2/CR3/CR4/CR8, EFER, and
 * segment selectors in real mode (the base follows as selector*16). A changed selector in
 * protected or long mode would need a descriptor load and is refused; x87/SSE writes are ignored
 * (read-only here).
 */
public final class Registers {
    private Registers() {}

    /** Register count and widths in bytes, in target description order. */
    public static final int COUNT = 65;
    private static final int[] WIDTH = new int[COUNT];
    private static final int[] OFFSET = new int[COUNT];
    /** Total size of the 'g' packet in bytes. */
    public static final int SIZE;

    /** Register numbers of interest. */
    public static final int RIP = 16, EFLAGS = 17, CS = 18, SS = 19, DS = 20, ES = 21, FS = 22, GS = 23, ST0 = 24,
            FCTRL = 32, XMM0 = 40, MXCSR = 56, FS_BASE = 57, GS_BASE = 58, CR0 = 59, CR2 = 60, CR3 = 61, CR4 = 62,
            CR8 = 63, EFER = 64;

    /** gdb's order of the first 16 (rax rbx rcx rdx rsi rdi rbp rsp r8..r15) as {@link Regs.Reg}. */
    private static final Regs.Reg[] GPR = {Regs.Reg.RAX, Regs.Reg.RBX, Regs.Reg.RCX, Regs.Reg.RDX, Regs.Reg.RSI,
            Regs.Reg.RDI, Regs.Reg.RBP, Regs.Reg.RSP, Regs.Reg.R8, Regs.Reg.R9, Regs.Reg.R10, Regs.Reg.R11,
            Regs.Reg.R12, Regs.Reg.R13, Regs.Reg.R14, Regs.Reg.R15};

    static {
        int off = 0;
        for (int i = 0; i < COUNT; i++) {
            int w;
            if (i <= RIP) w = 8;
            else if (i <= GS) w = 4;
            else if (i < FCTRL) w = 10;
            else if (i < XMM0) w = 4;
            else if (i < MXCSR) w = 16;
            else if (i == MXCSR) w = 4;
            else w = 8;
            WIDTH[i] = w;
            OFFSET[i] = off;
            off += w;
        }
        SIZE = off;
    }

    public static int width(int regno) { return WIDTH[regno]; }

    public static int offset(int regno) { return OFFSET[regno]; }

    /** The 'g' packet's bytes (target byte order: little-endian). */
    public static byte[] read(Regs r, Sregs s, Fpu f) {
        byte[] b = new byte[SIZE];
        for (int i = 0; i < 16; i++) put(b, i, r.get(GPR[i]));
        put(b, RIP, r.rip());
        put(b, EFLAGS, r.rflags());
        Segment[] seg = {s.cs(), s.ss(), s.ds(), s.es(), s.fs(), s.gs()};
        for (int i = 0; i < 6; i++) put(b, CS + i, seg[i].selector());
        if (f != null) {
            byte[] fpr = f.fpr();
            for (int i = 0; i < 8; i++) System.arraycopy(fpr, i * 16, b, OFFSET[ST0 + i], 10);
            put(b, FCTRL, f.fcw());
            put(b, FCTRL + 1, f.fsw());
            put(b, FCTRL + 2, fullTag(f.ftwx()));
            put(b, FCTRL + 4, f.lastIp()); // fioff
            put(b, FCTRL + 6, f.lastDp()); // fooff
            put(b, FCTRL + 7, f.lastOpcode());
            byte[] xmm = f.xmm();
            for (int i = 0; i < 16; i++) System.arraycopy(xmm, i * 16, b, OFFSET[XMM0 + i], 16);
            put(b, MXCSR, f.mxcsr());
        }
        put(b, FS_BASE, s.fs().base());
        put(b, GS_BASE, s.gs().base());
        put(b, CR0, s.cr0());
        put(b, CR2, s.cr2());
        put(b, CR3, s.cr3());
        put(b, CR4, s.cr4());
        put(b, CR8, s.cr8());
        put(b, EFER, s.efer());
        return b;
    }

    /** The abridged (FXSAVE) tag byte as the full x87 tag word gdb shows: 11 (empty) or 00 (valid). */
    private static int fullTag(int ftwx) {
        int tag = 0;
        for (int i = 0; i < 8; i++) if ((ftwx & (1 << i)) == 0) tag |= 3 << (2 * i);
        return tag;
    }

    /** A register's value from a 'g' buffer (up to 8 bytes, zero-extended). */
    public static long get(byte[] b, int regno) {
        long v = 0;
        int w = Math.min(WIDTH[regno], 8);
        for (int i = w - 1; i >= 0; i--) v = (v << 8) | (b[OFFSET[regno] + i] & 0xff);
        return v;
    }

    static void put(byte[] b, int regno, long v) {
        int w = Math.min(WIDTH[regno], 8);
        for (int i = 0; i < w; i++) b[OFFSET[regno] + i] = (byte) (v >>> (8 * i));
    }

    /** New register state after gdb wrote {@code b} (a full 'g' buffer). */
    public record Written(Regs regs, Sregs sregs) {}

    /**
     * Applies a written register file to the current state.
     *
     * @throws IllegalArgumentException when a value cannot be set (a protected-mode selector change)
     */
    public static Written apply(byte[] b, Regs r, Sregs s) {
        long[] v = r.toArray();
        for (int i = 0; i < 16; i++) v[GPR[i].ordinal()] = get(b, i);
        v[Regs.Reg.RIP.ordinal()] = get(b, RIP);
        // EFLAGS is 32 bits in gdb's view; bit 1 is always set on x86.
        v[Regs.Reg.RFLAGS.ordinal()] = (get(b, EFLAGS) & 0xffff_ffffL) | 2;
        Regs nr = Regs.of(v);
        boolean real = (s.cr0() & 1) == 0;
        Segment[] seg = {s.cs(), s.ss(), s.ds(), s.es(), s.fs(), s.gs()};
        for (int i = 0; i < 6; i++) {
            int sel = (int) get(b, CS + i) & 0xffff;
            if (sel == seg[i].selector()) continue;
            if (!real) throw new IllegalArgumentException("segment selectors can be changed in real mode only");
            seg[i] = seg[i].withBaseSelector((long) sel << 4, sel);
        }
        long fsBase = get(b, FS_BASE), gsBase = get(b, GS_BASE);
        if (!real || fsBase != seg[4].base()) seg[4] = seg[4].withBaseSelector(fsBase, seg[4].selector());
        if (!real || gsBase != seg[5].base()) seg[5] = seg[5].withBaseSelector(gsBase, seg[5].selector());
        Sregs ns = s.toBuilder().cs(seg[0]).ss(seg[1]).ds(seg[2]).es(seg[3]).fs(seg[4]).gs(seg[5])
                .cr0(get(b, CR0)).cr2(get(b, CR2)).cr3(get(b, CR3)).cr4(get(b, CR4)).cr8(get(b, CR8))
                .efer(get(b, EFER)).build();
        return new Written(nr, ns);
    }

    /** The target description served through qXfer:features:read:target.xml. */
    public static final String TARGET_XML = buildXml();

    private static String buildXml() {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n");
        x.append("<architecture>i386:x86-64</architecture>\n");
        x.append("<feature name=\"org.gnu.gdb.i386.core\">\n");
        x.append("<flags id=\"i386_eflags\" size=\"4\">");
        String[] flags = {"CF", "", "PF", "AF", "ZF", "SF", "TF", "IF", "DF", "OF", "NT", "RF", "VM", "AC", "VIF", "VIP", "ID"};
        int[] bits = {0, 1, 2, 4, 6, 7, 8, 9, 10, 11, 14, 16, 17, 18, 19, 20, 21};
        for (int i = 0; i < flags.length; i++) {
            x.append("<field name=\"").append(flags[i]).append("\" start=\"").append(bits[i]).append("\" end=\"")
                    .append(bits[i]).append("\"/>");
        }
        x.append("</flags>\n");
        String[] gpr = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12",
                "r13", "r14", "r15"};
        for (int i = 0; i < 16; i++) {
            reg(x, gpr[i], 64, i == 6 || i == 7 ? "data_ptr" : "int64", null, i);
        }
        reg(x, "rip", 64, "code_ptr", null, RIP);
        reg(x, "eflags", 32, "i386_eflags", null, EFLAGS);
        String[] segs = {"cs", "ss", "ds", "es", "fs", "gs"};
        for (int i = 0; i < 6; i++) reg(x, segs[i], 32, "int32", null, CS + i);
        for (int i = 0; i < 8; i++) reg(x, "st" + i, 80, "i387_ext", null, ST0 + i);
        String[] fp = {"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"};
        for (int i = 0; i < 8; i++) reg(x, fp[i], 32, "int", "float", FCTRL + i);
        x.append("</feature>\n<feature name=\"org.gnu.gdb.i386.sse\">\n");
        x.append("<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/><vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>")
                .append("<vector id=\"v16i8\" type=\"int8\" count=\"16\"/><vector id=\"v8i16\" type=\"int16\" count=\"8\"/>")
                .append("<vector id=\"v4i32\" type=\"int32\" count=\"4\"/><vector id=\"v2i64\" type=\"int64\" count=\"2\"/>")
                .append("<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>")
                .append("<field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>")
                .append("<field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>")
                .append("<field name=\"uint128\" type=\"uint128\"/></union>\n");
        for (int i = 0; i < 16; i++) reg(x, "xmm" + i, 128, "vec128", "vector", XMM0 + i);
        reg(x, "mxcsr", 32, "int", "vector", MXCSR);
        x.append("</feature>\n<feature name=\"org.gnu.gdb.i386.segments\">\n");
        reg(x, "fs_base", 64, "int", null, FS_BASE);
        reg(x, "gs_base", 64, "int", null, GS_BASE);
        x.append("</feature>\n<feature name=\"org.minivmm.x86.system\">\n");
        String[] sys = {"cr0", "cr2", "cr3", "cr4", "cr8", "efer"};
        for (int i = 0; i < sys.length; i++) reg(x, sys[i], 64, "int", "system", CR0 + i);
        x.append("</feature>\n</target>\n");
        return x.toString();
    }

    private static void reg(StringBuilder x, String name, int bits, String type, String group, int regnum) {
        x.append("<reg name=\"").append(name).append("\" bitsize=\"").append(bits).append("\" type=\"").append(type)
                .append("\" regnum=\"").append(regnum).append('"');
        if (group != null) x.append(" group=\"").append(group).append('"');
        x.append("/>\n");
    }
}
