package io.minivmm.kvm.x86;

import java.util.Arrays;

/**
 * Special registers ({@code struct kvm_sregs}): segments, descriptor tables, control registers,
 * EFER and the APIC base. Immutable; change it through {@link #toBuilder()}.
 * <pre>{@code
 * Sregs s = vcpu.getSregs().toBuilder().cr0(s.cr0() | 1).build();
 * }</pre>
 */
public record Sregs(Segment cs, Segment ds, Segment es, Segment fs, Segment gs, Segment ss, Segment tr,
                    Segment ldt, DescriptorTable gdt, DescriptorTable idt, long cr0, long cr2, long cr3, long cr4,
                    long cr8, long efer, long apicBase, long[] interruptBitmap) {

    public Sregs {
        if (interruptBitmap.length != 4) throw new IllegalArgumentException("interrupt_bitmap has 4 words");
        interruptBitmap = interruptBitmap.clone();
    }

    @Override
    public long[] interruptBitmap() { return interruptBitmap.clone(); }

    public Builder toBuilder() { return new Builder(this); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sregs x && cs.equals(x.cs) && ds.equals(x.ds) && es.equals(x.es) && fs.equals(x.fs)
                && gs.equals(x.gs) && ss.equals(x.ss) && tr.equals(x.tr) && ldt.equals(x.ldt) && gdt.equals(x.gdt)
                && idt.equals(x.idt) && cr0 == x.cr0 && cr2 == x.cr2 && cr3 == x.cr3 && cr4 == x.cr4
                && cr8 == x.cr8 && efer == x.efer && apicBase == x.apicBase
                && Arrays.equals(interruptBitmap, x.interruptBitmap);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(new Object[] {cs, ds, ss, cr0, cr3, cr4, efer}); }

    @Override
    public String toString() {
        return String.format("cs  %s%nds  %s%nes  %s%nfs  %s%ngs  %s%nss  %s%ntr  %s%nldt %s%ngdt %s%nidt %s%n"
                        + "cr0=%016x cr2=%016x cr3=%016x cr4=%016x%ncr8=%016x efer=%016x apic_base=%016x%n",
                cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    /** Mutable copy of an {@link Sregs}. */
    public static final class Builder {
        private Segment cs, ds, es, fs, gs, ss, tr, ldt;
        private DescriptorTable gdt, idt;
        private long cr0, cr2, cr3, cr4, cr8, efer, apicBase;
        private long[] interruptBitmap;

        private Builder(Sregs s) {
            cs = s.cs; ds = s.ds; es = s.es; fs = s.fs; gs = s.gs; ss = s.ss; tr = s.tr; ldt = s.ldt;
            gdt = s.gdt; idt = s.idt; cr0 = s.cr0; cr2 = s.cr2; cr3 = s.cr3; cr4 = s.cr4; cr8 = s.cr8;
            efer = s.efer; apicBase = s.apicBase; interruptBitmap = s.interruptBitmap.clone();
        }

        public Builder cs(Segment v) { cs = v; return this; }
        public Builder ds(Segment v) { ds = v; return this; }
        public Builder es(Segment v) { es = v; return this; }
        public Builder fs(Segment v) { fs = v; return this; }
        public Builder gs(Segment v) { gs = v; return this; }
        public Builder ss(Segment v) { ss = v; return this; }
        public Builder tr(Segment v) { tr = v; return this; }
        public Builder ldt(Segment v) { ldt = v; return this; }
        /** Sets DS, ES, FS, GS and SS at once. */
        public Builder dataSegments(Segment v) { ds = es = fs = gs = ss = v; return this; }
        public Builder gdt(DescriptorTable v) { gdt = v; return this; }
        public Builder idt(DescriptorTable v) { idt = v; return this; }
        public Builder cr0(long v) { cr0 = v; return this; }
        public Builder cr2(long v) { cr2 = v; return this; }
        public Builder cr3(long v) { cr3 = v; return this; }
        public Builder cr4(long v) { cr4 = v; return this; }
        public Builder cr8(long v) { cr8 = v; return this; }
        public Builder efer(long v) { efer = v; return this; }
        public Builder apicBase(long v) { apicBase = v; return this; }

        public Sregs build() {
            return new Sregs(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase,
                    interruptBitmap);
        }
    }
}
