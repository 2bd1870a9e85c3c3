package io.minivmm.kvm.sys;

import static io.minivmm.kvm.sys.Uapi.*;

import io.minivmm.kvm.x86.CpuidEntry;
import io.minivmm.kvm.x86.DebugRegs;
import io.minivmm.kvm.x86.GuestDebug;
import io.minivmm.kvm.x86.Translation;
import io.minivmm.kvm.x86.ClockData;
import io.minivmm.kvm.x86.IoapicState;
import io.minivmm.kvm.x86.PicState;
import io.minivmm.kvm.x86.PitChannel;
import io.minivmm.kvm.x86.PitState2;
import java.nio.ByteOrder;
import io.minivmm.kvm.x86.Xcr;
import java.util.ArrayList;
import java.util.List;
import io.minivmm.kvm.x86.DescriptorTable;
import io.minivmm.kvm.x86.Fpu;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.Segment;
import io.minivmm.kvm.x86.Sregs;
import io.minivmm.kvm.x86.VcpuEvents;
import java.nio.ByteBuffer;

/** Encoding and decoding of the x86 records to and from their uapi struct layouts (little endian). */
public final class Structs {
    private Structs() {}

    public static Regs decodeRegs(ByteBuffer b) {
        long[] v = new long[18];
        for (int i = 0; i < 18; i++) v[i] = b.getLong(i * 8);
        return Regs.of(v);
    }

    public static void encodeRegs(Regs r, ByteBuffer b) {
        long[] v = r.toArray();
        for (int i = 0; i < 18; i++) b.putLong(i * 8, v[i]);
    }

    static Segment decodeSegment(ByteBuffer b, int o) {
        return new Segment(b.getLong(o + SEG_BASE), Integer.toUnsignedLong(b.getInt(o + SEG_LIMIT)),
                Short.toUnsignedInt(b.getShort(o + SEG_SELECTOR)), b.get(o + SEG_TYPE) & 0xff,
                b.get(o + SEG_PRESENT) != 0, b.get(o + SEG_DPL) & 0xff, b.get(o + SEG_DB) != 0,
                b.get(o + SEG_S) != 0, b.get(o + SEG_L) != 0, b.get(o + SEG_G) != 0, b.get(o + SEG_AVL) != 0,
                b.get(o + SEG_UNUSABLE) != 0);
    }

    static void encodeSegment(Segment s, ByteBuffer b, int o) {
        b.putLong(o + SEG_BASE, s.base());
        b.putInt(o + SEG_LIMIT, (int) s.limit());
        b.putShort(o + SEG_SELECTOR, (short) s.selector());
        b.put(o + SEG_TYPE, (byte) s.type());
        b.put(o + SEG_PRESENT, bit(s.present()));
        b.put(o + SEG_DPL, (byte) s.dpl());
        b.put(o + SEG_DB, bit(s.db()));
        b.put(o + SEG_S, bit(s.s()));
        b.put(o + SEG_L, bit(s.l()));
        b.put(o + SEG_G, bit(s.g()));
        b.put(o + SEG_AVL, bit(s.avl()));
        b.put(o + SEG_UNUSABLE, bit(s.unusable()));
        b.put(o + SEG_UNUSABLE + 1, (byte) 0);
    }

    private static byte bit(boolean v) { return v ? (byte) 1 : 0; }

    static DescriptorTable decodeDtable(ByteBuffer b, int o) {
        return new DescriptorTable(b.getLong(o + DTABLE_BASE), Short.toUnsignedInt(b.getShort(o + DTABLE_LIMIT)));
    }

    static void encodeDtable(DescriptorTable d, ByteBuffer b, int o) {
        b.putLong(o + DTABLE_BASE, d.base());
        b.putShort(o + DTABLE_LIMIT, (short) d.limit());
        for (int i = 10; i < 16; i++) b.put(o + i, (byte) 0);
    }

    public static Sregs decodeSregs(ByteBuffer b) {
        long[] bitmap = new long[4];
        for (int i = 0; i < 4; i++) bitmap[i] = b.getLong(SREGS_INTERRUPT_BITMAP + i * 8);
        return new Sregs(decodeSegment(b, SREGS_CS), decodeSegment(b, SREGS_DS), decodeSegment(b, SREGS_ES),
                decodeSegment(b, SREGS_FS), decodeSegment(b, SREGS_GS), decodeSegment(b, SREGS_SS),
                decodeSegment(b, SREGS_TR), decodeSegment(b, SREGS_LDT), decodeDtable(b, SREGS_GDT),
                decodeDtable(b, SREGS_IDT), b.getLong(SREGS_CR0), b.getLong(SREGS_CR2), b.getLong(SREGS_CR3),
                b.getLong(SREGS_CR4), b.getLong(SREGS_CR8), b.getLong(SREGS_EFER), b.getLong(SREGS_APIC_BASE),
                bitmap);
    }

    public static void encodeSregs(Sregs s, ByteBuffer b) {
        encodeSegment(s.cs(), b, SREGS_CS);
        encodeSegment(s.ds(), b, SREGS_DS);
        encodeSegment(s.es(), b, SREGS_ES);
        encodeSegment(s.fs(), b, SREGS_FS);
        encodeSegment(s.gs(), b, SREGS_GS);
        encodeSegment(s.ss(), b, SREGS_SS);
        encodeSegment(s.tr(), b, SREGS_TR);
        encodeSegment(s.ldt(), b, SREGS_LDT);
        encodeDtable(s.gdt(), b, SREGS_GDT);
        encodeDtable(s.idt(), b, SREGS_IDT);
        b.putLong(SREGS_CR0, s.cr0());
        b.putLong(SREGS_CR2, s.cr2());
        b.putLong(SREGS_CR3, s.cr3());
        b.putLong(SREGS_CR4, s.cr4());
        b.putLong(SREGS_CR8, s.cr8());
        b.putLong(SREGS_EFER, s.efer());
        b.putLong(SREGS_APIC_BASE, s.apicBase());
        long[] bitmap = s.interruptBitmap();
        for (int i = 0; i < 4; i++) b.putLong(SREGS_INTERRUPT_BITMAP + i * 8, bitmap[i]);
    }

    public static Fpu decodeFpu(ByteBuffer b) {
        byte[] fpr = new byte[128];
        byte[] xmm = new byte[256];
        b.get(FPU_FPR, fpr);
        b.get(FPU_XMM, xmm);
        return new Fpu(fpr, Short.toUnsignedInt(b.getShort(FPU_FCW)), Short.toUnsignedInt(b.getShort(FPU_FSW)),
                b.get(FPU_FTWX) & 0xff, Short.toUnsignedInt(b.getShort(FPU_LAST_OPCODE)), b.getLong(FPU_LAST_IP),
                b.getLong(FPU_LAST_DP), xmm, b.getInt(FPU_MXCSR));
    }

    public static void encodeFpu(Fpu f, ByteBuffer b) {
        b.put(FPU_FPR, f.fpr());
        b.putShort(FPU_FCW, (short) f.fcw());
        b.putShort(FPU_FSW, (short) f.fsw());
        b.put(FPU_FTWX, (byte) f.ftwx());
        b.putShort(FPU_LAST_OPCODE, (short) f.lastOpcode());
        b.putLong(FPU_LAST_IP, f.lastIp());
        b.putLong(FPU_LAST_DP, f.lastDp());
        b.put(FPU_XMM, f.xmm());
        b.putInt(FPU_MXCSR, f.mxcsr());
    }

    public static CpuidEntry decodeCpuid(ByteBuffer b, int o) {
        return new CpuidEntry(b.getInt(o + CPUID_FUNCTION), b.getInt(o + CPUID_INDEX), b.getInt(o + CPUID_FLAGS),
                b.getInt(o + CPUID_EAX), b.getInt(o + CPUID_EBX), b.getInt(o + CPUID_ECX), b.getInt(o + CPUID_EDX));
    }

    public static void encodeCpuid(CpuidEntry e, ByteBuffer b, int o) {
        b.putInt(o + CPUID_FUNCTION, e.function());
        b.putInt(o + CPUID_INDEX, e.index());
        b.putInt(o + CPUID_FLAGS, e.flags());
        b.putInt(o + CPUID_EAX, e.eax());
        b.putInt(o + CPUID_EBX, e.ebx());
        b.putInt(o + CPUID_ECX, e.ecx());
        b.putInt(o + CPUID_EDX, e.edx());
        for (int i = 28; i < SIZEOF_KVM_CPUID_ENTRY2; i++) b.put(o + i, (byte) 0);
    }

    public static VcpuEvents decodeEvents(ByteBuffer b) {
        byte[] raw = new byte[SIZEOF_KVM_VCPU_EVENTS];
        b.get(0, raw);
        return new VcpuEvents(b.get(EV_EXC_INJECTED) != 0, b.get(EV_EXC_NR) & 0xff, b.get(EV_EXC_HAS_ERROR_CODE) != 0,
                b.get(EV_EXC_PENDING) != 0, b.getInt(EV_EXC_ERROR_CODE), b.get(EV_INT_INJECTED) != 0,
                b.get(EV_INT_NR) & 0xff, b.get(EV_INT_SOFT) != 0, b.get(EV_INT_SHADOW) & 0xff,
                b.get(EV_NMI_INJECTED) != 0, b.get(EV_NMI_PENDING) != 0, b.get(EV_NMI_MASKED) != 0,
                b.getInt(EV_SIPI_VECTOR), b.getInt(EV_FLAGS), raw);
    }

    public static void encodeEvents(VcpuEvents e, ByteBuffer b) {
        b.put(0, e.raw());
        b.put(EV_EXC_INJECTED, bit(e.exceptionInjected()));
        b.put(EV_EXC_NR, (byte) e.exceptionNr());
        b.put(EV_EXC_HAS_ERROR_CODE, bit(e.exceptionHasErrorCode()));
        b.put(EV_EXC_PENDING, bit(e.exceptionPending()));
        b.putInt(EV_EXC_ERROR_CODE, e.exceptionErrorCode());
        b.put(EV_INT_INJECTED, bit(e.interruptInjected()));
        b.put(EV_INT_NR, (byte) e.interruptNr());
        b.put(EV_INT_SOFT, bit(e.interruptSoft()));
        b.put(EV_INT_SHADOW, (byte) e.interruptShadow());
        b.put(EV_NMI_INJECTED, bit(e.nmiInjected()));
        b.put(EV_NMI_PENDING, bit(e.nmiPending()));
        b.put(EV_NMI_MASKED, bit(e.nmiMasked()));
        b.putInt(EV_SIPI_VECTOR, e.sipiVector());
        b.putInt(EV_FLAGS, e.flags());
    }

    public static void encodeGuestDebug(GuestDebug g, ByteBuffer b) {
        b.putInt(GUEST_DEBUG_CONTROL, g.control());
        long[] dr = g.debugreg();
        for (int i = 0; i < 8; i++) b.putLong(GUEST_DEBUG_DEBUGREG + i * 8, dr[i]);
    }

    public static DebugRegs decodeDebugregs(ByteBuffer b) {
        long[] db = new long[4];
        for (int i = 0; i < 4; i++) db[i] = b.getLong(DEBUGREGS_DB + i * 8);
        return new DebugRegs(db, b.getLong(DEBUGREGS_DR6), b.getLong(DEBUGREGS_DR7), b.getLong(DEBUGREGS_FLAGS));
    }

    public static void encodeDebugregs(DebugRegs d, ByteBuffer b) {
        long[] db = d.db();
        for (int i = 0; i < 4; i++) b.putLong(DEBUGREGS_DB + i * 8, db[i]);
        b.putLong(DEBUGREGS_DR6, d.dr6());
        b.putLong(DEBUGREGS_DR7, d.dr7());
        b.putLong(DEBUGREGS_FLAGS, d.flags());
    }

    public static Translation decodeTranslation(ByteBuffer b) {
        return new Translation(b.getLong(TRANSLATION_LINEAR_ADDRESS), b.getLong(TRANSLATION_PHYSICAL_ADDRESS),
                b.get(TRANSLATION_VALID) != 0, b.get(TRANSLATION_WRITEABLE) != 0, b.get(TRANSLATION_USERMODE) != 0);
    }

    public static List<Xcr> decodeXcrs(ByteBuffer b) {
        int n = Math.min(Math.max(b.getInt(XCRS_NR_XCRS), 0), KVM_MAX_XCRS);
        List<Xcr> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int o = XCRS_XCRS + i * SIZEOF_KVM_XCR;
            out.add(new Xcr(b.getInt(o + XCR_XCR), b.getLong(o + XCR_VALUE)));
        }
        return out;
    }

    public static void encodeXcrs(List<Xcr> xcrs, ByteBuffer b) {
        b.putInt(XCRS_NR_XCRS, xcrs.size());
        for (int i = 0; i < xcrs.size(); i++) {
            int o = XCRS_XCRS + i * SIZEOF_KVM_XCR;
            b.putInt(o + XCR_XCR, xcrs.get(i).index()).putLong(o + XCR_VALUE, xcrs.get(i).value());
        }
    }

    private static int u8(byte[] a, int o) { return a[o] & 0xff; }

    /** Decodes a kvm_pic_state from an irqchip's 512-byte state union. */
    public static PicState decodePic(byte[] s) {
        return new PicState(u8(s, PIC_LAST_IRR), u8(s, PIC_IRR), u8(s, PIC_IMR), u8(s, PIC_ISR),
                u8(s, PIC_PRIORITY_ADD), u8(s, PIC_IRQ_BASE), u8(s, PIC_READ_REG_SELECT), u8(s, PIC_POLL),
                u8(s, PIC_SPECIAL_MASK), u8(s, PIC_INIT_STATE), u8(s, PIC_AUTO_EOI), u8(s, PIC_ROTATE_ON_AUTO_EOI),
                u8(s, PIC_SPECIAL_FULLY_NESTED_MODE), u8(s, PIC_INIT4), u8(s, PIC_ELCR), u8(s, PIC_ELCR_MASK));
    }

    /** Decodes a kvm_ioapic_state from an irqchip's 512-byte state union. */
    public static IoapicState decodeIoapic(byte[] s) {
        ByteBuffer b = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
        long[] redir = new long[KVM_IOAPIC_NUM_PINS];
        for (int i = 0; i < redir.length; i++) redir[i] = b.getLong(IOAPIC_REDIRTBL + i * 8);
        return new IoapicState(b.getLong(IOAPIC_BASE_ADDRESS), b.getInt(IOAPIC_IOREGSEL), b.getInt(IOAPIC_ID),
                b.getInt(IOAPIC_IRR), redir);
    }

    public static PitState2 decodePit2(ByteBuffer b) {
        java.util.List<PitChannel> ch = new java.util.ArrayList<>(3);
        for (int i = 0; i < 3; i++) {
            int o = PIT_CHANNELS + i * SIZEOF_KVM_PIT_CHANNEL_STATE;
            ch.add(new PitChannel(b.getInt(o + PITCH_COUNT), Short.toUnsignedInt(b.getShort(o + PITCH_LATCHED_COUNT)),
                    b.get(o + PITCH_COUNT_LATCHED) & 0xff, b.get(o + PITCH_STATUS_LATCHED) & 0xff,
                    b.get(o + PITCH_STATUS) & 0xff, b.get(o + PITCH_READ_STATE) & 0xff,
                    b.get(o + PITCH_WRITE_STATE) & 0xff, b.get(o + PITCH_WRITE_LATCH) & 0xff,
                    b.get(o + PITCH_RW_MODE) & 0xff, b.get(o + PITCH_MODE) & 0xff, b.get(o + PITCH_BCD) & 0xff,
                    b.get(o + PITCH_GATE) & 0xff, b.getLong(o + PITCH_COUNT_LOAD_TIME)));
        }
        return new PitState2(ch, b.getInt(PIT_FLAGS));
    }

    public static void encodePit2(PitState2 p, ByteBuffer b) {
        for (int i = 0; i < 3; i++) {
            int o = PIT_CHANNELS + i * SIZEOF_KVM_PIT_CHANNEL_STATE;
            PitChannel c = p.channels().get(i);
            b.putInt(o + PITCH_COUNT, c.count()).putShort(o + PITCH_LATCHED_COUNT, (short) c.latchedCount())
                    .put(o + PITCH_COUNT_LATCHED, (byte) c.countLatched())
                    .put(o + PITCH_STATUS_LATCHED, (byte) c.statusLatched()).put(o + PITCH_STATUS, (byte) c.status())
                    .put(o + PITCH_READ_STATE, (byte) c.readState()).put(o + PITCH_WRITE_STATE, (byte) c.writeState())
                    .put(o + PITCH_WRITE_LATCH, (byte) c.writeLatch()).put(o + PITCH_RW_MODE, (byte) c.rwMode())
                    .put(o + PITCH_MODE, (byte) c.mode()).put(o + PITCH_BCD, (byte) c.bcd())
                    .put(o + PITCH_GATE, (byte) c.gate()).putLong(o + PITCH_COUNT_LOAD_TIME, c.countLoadTime());
        }
        b.putInt(PIT_FLAGS, p.flags());
    }

    public static ClockData decodeClock(ByteBuffer b) {
        return new ClockData(b.getLong(CLOCK_CLOCK), b.getInt(CLOCK_FLAGS), b.getLong(CLOCK_REALTIME),
                b.getLong(CLOCK_HOST_TSC));
    }

    public static void encodeClock(ClockData c, ByteBuffer b) {
        b.putLong(CLOCK_CLOCK, c.clock()).putInt(CLOCK_FLAGS, c.flags()).putLong(CLOCK_REALTIME, c.realtime())
                .putLong(CLOCK_HOST_TSC, c.hostTsc());
    }
}
