package io.minivmm.vmm.devices.bios;

import io.minivmm.vmm.devices.CpuRegisters;
import java.util.EnumMap;
import java.util.Map;

/** Registers in fields: a real-mode caller for BIOS service tests. */
final class FakeCpu implements CpuRegisters {
    final Map<Reg, Long> regs = new EnumMap<>(Reg.class);
    final Map<Seg, Integer> segs = new EnumMap<>(Seg.class);

    FakeCpu() {
        for (Reg r : Reg.values()) regs.put(r, 0L);
        for (Seg s : Seg.values()) segs.put(s, 0);
        regs.put(Reg.EFLAGS, 2L);
    }

    @Override public long get(Reg r) { return regs.get(r); }
    @Override public void set(Reg r, long value) { regs.put(r, value & 0xffff_ffffL); }
    @Override public int selector(Seg s) { return segs.get(s); }
    @Override public long base(Seg s) { return (long) segs.get(s) << 4; }
    @Override public void loadRealSegment(Seg s, int sel) { segs.put(s, sel & 0xffff); }

    FakeCpu ax(int v) { set16(Reg.EAX, v); return this; }
    FakeCpu bx(int v) { set16(Reg.EBX, v); return this; }
    FakeCpu cx(int v) { set16(Reg.ECX, v); return this; }
    FakeCpu dx(int v) { set16(Reg.EDX, v); return this; }
    FakeCpu si(int v) { set16(Reg.ESI, v); return this; }
    FakeCpu di(int v) { set16(Reg.EDI, v); return this; }
    FakeCpu bp(int v) { set16(Reg.EBP, v); return this; }
    FakeCpu es(int v) { segs.put(Seg.ES, v); return this; }
    FakeCpu ds(int v) { segs.put(Seg.DS, v); return this; }
}
