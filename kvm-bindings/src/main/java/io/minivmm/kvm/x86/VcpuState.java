package io.minivmm.kvm.x86;

import io.minivmm.kvm.sys.Structs;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything KVM holds for one vCPU that a snapshot must carry: CPUID, MP state, general and
 * special registers, the XSAVE area (x87/SSE/AVX), XCRs, every MSR KVM lists (TSC included), the
 * local APIC page (null without an in-kernel irqchip), pending events, debug registers and the TSC
 * frequency (0 when KVM cannot report it).
 * <pre>{@code
 * VcpuState s = vcpu.saveState();              // vCPU paused, on its thread
 * byte[] blob = s.toBytes();                   // versioned, checksummed
 * VcpuState back = VcpuState.fromBytes(blob);  // StateFormatException if truncated/corrupt
 * newVcpu.restoreState(back);
 * }</pre>
 * The binary form ({@link #writeTo}) is big-endian: magic "MVCP", a 16-bit version, then the fields
 * in component order; lists are a 32-bit count and their entries. {@link #toBytes()} appends a
 * CRC32.
 */
public record VcpuState(int vcpuId, List<CpuidEntry> cpuid, int mpState, Regs regs, Sregs sregs, Xsave xsave,
                        List<Xcr> xcrs, List<MsrEntry> msrs, byte[] lapic, VcpuEvents events, DebugRegs debugRegs,
                        int tscKhz) {
    /** "MVCP". */
    public static final int MAGIC = 0x4d564350;
    public static final int VERSION = 1;
    static final int MAX_CPUID = 1024, MAX_MSRS = 65536, MAX_XSAVE = 1 << 20, LAPIC_SIZE = 1024;

    public VcpuState {
        cpuid = List.copyOf(cpuid);
        xcrs = List.copyOf(xcrs);
        msrs = List.copyOf(msrs);
        if (lapic != null) {
            if (lapic.length != LAPIC_SIZE) throw new IllegalArgumentException("LAPIC state is 1024 bytes");
            lapic = lapic.clone();
        }
        if (regs == null || sregs == null || xsave == null || events == null || debugRegs == null) {
            throw new IllegalArgumentException("regs, sregs, xsave, events and debug registers are required");
        }
    }

    @Override
    public byte[] lapic() { return lapic == null ? null : lapic.clone(); }

    /** The value of MSR {@code index} in this state, or null. */
    public Long msr(int index) {
        for (MsrEntry m : msrs) if (m.index() == index) return m.data();
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VcpuState s && vcpuId == s.vcpuId && cpuid.equals(s.cpuid) && mpState == s.mpState
                && regs.equals(s.regs) && sregs.equals(s.sregs) && xsave.equals(s.xsave) && xcrs.equals(s.xcrs)
                && msrs.equals(s.msrs) && Arrays.equals(lapic, s.lapic) && events.equals(s.events)
                && debugRegs.equals(s.debugRegs) && tscKhz == s.tscKhz;
    }

    @Override
    public int hashCode() { return Arrays.hashCode(new Object[] {vcpuId, regs, sregs, msrs}); }

    @Override
    public String toString() {
        return String.format("VcpuState[vcpu %d, rip=%x, mp_state=%d, %d MSRs, %d CPUID leaves, xsave %d bytes%s]",
                vcpuId, regs.rip(), mpState, msrs.size(), cpuid.size(), xsave.size(), lapic == null ? ", no LAPIC" : "");
    }

    // ------------------------------------------------------------------ binary form

    /** The checksummed byte form: {@link #writeTo} followed by a CRC32. */
    public byte[] toBytes() { return StateIo.toBytes(this::writeTo); }

    /** Reads {@link #toBytes()}'s form; every failure is a {@link StateFormatException}. */
    public static VcpuState fromBytes(byte[] blob) throws StateFormatException {
        return StateIo.fromBytes(blob, "vCPU state", VcpuState::read);
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
        out.writeInt(vcpuId);
        out.writeInt(cpuid.size());
        for (CpuidEntry e : cpuid) {
            out.writeInt(e.function());
            out.writeInt(e.index());
            out.writeInt(e.flags());
            out.writeInt(e.eax());
            out.writeInt(e.ebx());
            out.writeInt(e.ecx());
            out.writeInt(e.edx());
        }
        out.writeInt(mpState);
        for (long v : regs.toArray()) out.writeLong(v);
        writeSregs(sregs, out);
        out.writeInt(xsave.size());
        out.write(xsave.region());
        out.writeInt(xcrs.size());
        for (Xcr x : xcrs) {
            out.writeInt(x.index());
            out.writeLong(x.value());
        }
        out.writeInt(msrs.size());
        for (MsrEntry m : msrs) {
            out.writeInt(m.index());
            out.writeLong(m.data());
        }
        out.writeBoolean(lapic != null);
        if (lapic != null) out.write(lapic);
        ByteBuffer ev = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        Structs.encodeEvents(events, ev);
        out.write(ev.array());
        for (long d : debugRegs.db()) out.writeLong(d);
        out.writeLong(debugRegs.dr6());
        out.writeLong(debugRegs.dr7());
        out.writeLong(debugRegs.flags());
        out.writeInt(tscKhz);
    }

    /** Reads {@link #writeTo}'s form (no checksum); every failure is a {@link StateFormatException}. */
    public static VcpuState readFrom(DataInput in) throws StateFormatException {
        return StateIo.read(in, "vCPU state", VcpuState::read);
    }

    private static VcpuState read(DataInput in) throws IOException {
        StateIo.header(in, MAGIC, VERSION, "vCPU state");
        int id = in.readInt();
        int ncpuid = StateIo.count(in, MAX_CPUID, "CPUID");
        List<CpuidEntry> cpuid = new ArrayList<>(ncpuid);
        for (int i = 0; i < ncpuid; i++) {
            cpuid.add(new CpuidEntry(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt(),
                    in.readInt()));
        }
        int mp = in.readInt();
        long[] r = new long[18];
        for (int i = 0; i < 18; i++) r[i] = in.readLong();
        Sregs sregs = readSregs(in);
        int xlen = in.readInt();
        if (xlen < 4096 || xlen > MAX_XSAVE || xlen % 4 != 0) throw new StateFormatException("XSAVE size " + xlen);
        Xsave xsave = new Xsave(StateIo.bytes(in, xlen));
        int nxcr = StateIo.count(in, 16, "XCR");
        List<Xcr> xcrs = new ArrayList<>(nxcr);
        for (int i = 0; i < nxcr; i++) xcrs.add(new Xcr(in.readInt(), in.readLong()));
        int nmsr = StateIo.count(in, MAX_MSRS, "MSR");
        List<MsrEntry> msrs = new ArrayList<>(Math.min(nmsr, 1024));
        for (int i = 0; i < nmsr; i++) msrs.add(new MsrEntry(in.readInt(), in.readLong()));
        byte[] lapic = StateIo.bool(in, "LAPIC present") ? StateIo.bytes(in, LAPIC_SIZE) : null;
        VcpuEvents events = Structs.decodeEvents(ByteBuffer.wrap(StateIo.bytes(in, 64)).order(ByteOrder.LITTLE_ENDIAN));
        long[] db = new long[4];
        for (int i = 0; i < 4; i++) db[i] = in.readLong();
        DebugRegs dr = new DebugRegs(db, in.readLong(), in.readLong(), in.readLong());
        int tscKhz = in.readInt();
        return new VcpuState(id, cpuid, mp, Regs.of(r), sregs, xsave, xcrs, msrs, lapic, events, dr, tscKhz);
    }

    private static void writeSregs(Sregs s, DataOutput out) throws IOException {
        for (Segment seg : new Segment[] {s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt()}) {
            out.writeLong(seg.base());
            out.writeInt((int) seg.limit());
            out.writeShort(seg.selector());
            out.writeByte(seg.type());
            out.writeByte(seg.dpl());
            out.writeByte((seg.present() ? 1 : 0) | (seg.db() ? 2 : 0) | (seg.s() ? 4 : 0) | (seg.l() ? 8 : 0)
                    | (seg.g() ? 16 : 0) | (seg.avl() ? 32 : 0) | (seg.unusable() ? 64 : 0));
        }
        for (DescriptorTable d : new DescriptorTable[] {s.gdt(), s.idt()}) {
            out.writeLong(d.base());
            out.writeShort(d.limit());
        }
        for (long v : new long[] {s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), s.apicBase()}) out.writeLong(v);
        for (long v : s.interruptBitmap()) out.writeLong(v);
    }

    private static Sregs readSregs(DataInput in) throws IOException {
        Segment[] seg = new Segment[8];
        for (int i = 0; i < 8; i++) {
            long base = in.readLong();
            long limit = Integer.toUnsignedLong(in.readInt());
            int sel = in.readUnsignedShort();
            int type = StateIo.u8(in);
            int dpl = StateIo.u8(in);
            int f = StateIo.u8(in);
            if (type > 15 || dpl > 3 || f > 127) throw new StateFormatException("segment " + i + " attributes");
            seg[i] = new Segment(base, limit, sel, type, (f & 1) != 0, dpl, (f & 2) != 0, (f & 4) != 0, (f & 8) != 0,
                    (f & 16) != 0, (f & 32) != 0, (f & 64) != 0);
        }
        DescriptorTable gdt = new DescriptorTable(in.readLong(), in.readUnsignedShort());
        DescriptorTable idt = new DescriptorTable(in.readLong(), in.readUnsignedShort());
        long[] c = new long[7];
        for (int i = 0; i < 7; i++) c[i] = in.readLong();
        long[] bitmap = new long[4];
        for (int i = 0; i < 4; i++) bitmap[i] = in.readLong();
        return new Sregs(seg[0], seg[1], seg[2], seg[3], seg[4], seg[5], seg[6], seg[7], gdt, idt, c[0], c[1], c[2],
                c[3], c[4], c[5], c[6], bitmap);
    }
}
