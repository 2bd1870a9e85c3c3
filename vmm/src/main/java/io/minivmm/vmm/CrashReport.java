package io.minivmm.vmm;

import static io.minivmm.kvm.sys.Uapi.*;

import io.minivmm.kvm.VcpuExit;
import io.minivmm.kvm.VcpuFd;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.Sregs;
import io.minivmm.vmm.arch.x86.Gdt;
import io.minivmm.vmm.arch.x86.X86;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.paging.PageWalk;
import io.minivmm.vmm.paging.PageWalker;
import io.minivmm.vmm.vcpu.ExitLog;

/** The crash report printed to stderr when a guest dies: why, registers, tables, last exits, serial tail. */
final class CrashReport {
    private CrashReport() {}

    static String describe(VcpuExit exit) {
        if (exit instanceof VcpuExit.Shutdown) return "triple fault (KVM_EXIT_SHUTDOWN)";
        if (exit instanceof VcpuExit.FailEntry f) {
            return String.format("VM entry failed (hardware reason 0x%x, cpu %d)", f.hardwareReason(), f.cpu());
        }
        if (exit instanceof VcpuExit.InternalError e) {
            return e.isEmulationFailure()
                    ? "KVM internal error: instruction emulation failed"
                            + (e.instructionBytes().length > 0 ? " at bytes " + hex(e.instructionBytes()) : "")
                    : "KVM internal error, suberror " + e.suberror();
        }
        if (exit instanceof VcpuExit.Unknown u) {
            return String.format("unhandled exit reason %d (hardware 0x%x)", u.reason(), u.hardwareReason());
        }
        return "unhandled exit " + exit;
    }

    /**
     * The walk of {@code va} through the guest's own tables, in whatever paging mode its control
     * registers say, one line per entry read, each indented by {@code indent}: the entry, its
     * flags and where the walk stops (a non-present entry, a table outside guest RAM, or the
     * physical address). The walk itself is {@link PageWalker}'s; this only formats it.
     */
    static String pageWalk(GuestMemory mem, long cr0, long cr3, long cr4, long efer, long va, String indent) {
        StringBuilder sb = new StringBuilder();
        if ((cr0 & X86.CR0_PG) == 0) {
            return sb.append(indent).append(String.format("paging off: physical 0x%x%s%n", va,
                    mem.isRam(va, 1) ? "" : " (NOT in guest RAM)")).toString();
        }
        boolean lma = (efer & X86.EFER_LMA) != 0;
        if (!lma && (cr4 & X86.CR4_PAE) != 0) {
            return sb.append(indent).append(String.format("PAE paging (CR3 0x%x): not decoded%n", cr3)).toString();
        }
        PageWalk w = lma ? PageWalker.translate(mem, cr3, va) : PageWalker.walkLegacy32(mem, cr3, va);
        String[] names = lma ? new String[] {"PML4E", "PDPTE", "PDE", "PTE"} : new String[] {"PDE", "PTE"};
        for (PageWalk.Step st : w.steps()) {
            if (sb.length() > 0) sb.append('\n');
            sb.append(indent).append(lma
                    ? String.format("%-5s[%3d] @0x%x = %016x %s", names[st.level()], st.index(), st.entryPaddr(), st.entry(), flags(st.entry()))
                    : String.format("%-5s[%4d] @0x%x = %08x %s", names[st.level()], st.index(), st.entryPaddr(), st.entry(), flags(st.entry())));
        }
        switch (w.end()) {
            case MAPPED -> sb.append(lma
                    ? String.format("  -> %s page, physical 0x%x%s%n", w.pageSize() == 1L << 30 ? "1G" : w.pageSize() == 1L << 21 ? "2M" : "4K",
                            w.paddr(), mem.isRam(w.paddr(), 1) ? "" : " (NOT in guest RAM)")
                    : String.format("  -> physical 0x%x%n", w.paddr()));
            case NOT_PRESENT -> sb.append("  NOT PRESENT: walk stops\n");
            case TABLE_UNREADABLE -> {
                if (sb.length() > 0) sb.append('\n');
                sb.append(indent).append(lma
                        ? String.format("%-5s[%3d] table at 0x%x is NOT in guest RAM: walk stops%n", names[w.faultLevel()], w.stopIndex(), w.stopTable())
                        : String.format("%-5s[%4d] table at 0x%x is NOT in guest RAM%n", names[w.faultLevel()], w.stopIndex(), w.stopTable()));
            }
            case NON_CANONICAL -> sb.append(indent).append(String.format("0x%x is not canonical (a #GP, not a page walk)%n", va));
        }
        return sb.toString();
    }

    static String flags(long e) {
        StringBuilder f = new StringBuilder();
        f.append((e & 1) != 0 ? "P" : "-").append((e & 2) != 0 ? "W" : "R").append((e & 4) != 0 ? "U" : "S");
        if ((e & 0x20) != 0) f.append(" A");
        if ((e & 0x40) != 0) f.append(" D");
        if ((e & 0x80) != 0) f.append(" PS");
        if (e < 0) f.append(" NX");
        return f.toString();
    }

    static String build(VcpuFd vcpu, VcpuExit exit, ExitLog log, GuestMemory mem, byte[] serialTail,
            java.util.function.Supplier<io.minivmm.vmm.loader.Symbols> symbols) {
        StringBuilder sb = new StringBuilder();
        sb.append("=== minivmm crash report: vcpu ").append(vcpu.id()).append(": ").append(describe(exit)).append(" ===\n");
        try {
            Regs r = vcpu.getRegs();
            Sregs s = vcpu.getSregs();
            String sym = symbols.get().lookup(r.rip());
            sb.append(String.format("rip 0x%x%s%n", r.rip(), sym == null ? "" : " <" + sym + ">"));
            sb.append("--- registers\n").append(r);
            sb.append("--- special registers\n").append(s);
            sb.append("--- GDT entries\n");
            long gdtBase = s.gdt().base();
            int entries = Math.min((s.gdt().limit() + 1) / 8, 16);
            for (int i = 0; i < entries; i++) {
                long gpa = gdtBase + i * 8L;
                if (!mem.isRam(gpa, 8)) {
                    sb.append(String.format("  [%02x] at 0x%x: not in guest RAM%n", i * 8, gpa));
                    break;
                }
                long d = mem.readU64(gpa);
                sb.append(String.format("  [%02x] %016x  %s%n", i * 8, d, d == 0 ? "null" : Gdt.decode(d, i * 8)));
            }
            sb.append(String.format("--- IDT base=0x%x limit=0x%x%s%n", s.idt().base(), s.idt().limit(),
                    s.idt().limit() == 0 ? " (empty: any exception escalates to a triple fault)" : ""));
            int idtEntry = (s.cr0() & 1) != 0 && (s.efer() & X86.EFER_LMA) != 0 ? 16 : 8;
            for (int v = 0; v < 32 && (v + 1) * idtEntry - 1 <= s.idt().limit(); v++) {
                long gpa = s.idt().base() + (long) v * idtEntry;
                if (!mem.isRam(gpa, idtEntry)) break;
                long lo = mem.readU64(gpa);
                if (lo == 0) continue;
                long off = (lo & 0xffff) | ((lo >>> 32) & 0xffff0000L);
                if (idtEntry == 16) off |= mem.readU64(gpa + 8) << 32;
                sb.append(String.format("  vector %2d -> %04x:%x type %x%s%n", v, (lo >>> 16) & 0xffff, off, (lo >>> 40) & 0xf,
                        ((lo >>> 47) & 1) == 0 ? " NOT PRESENT" : ""));
            }
            if ((s.tr().base() != 0 || s.tr().limit() != 0) && mem.isRam(s.tr().base(), 104)) {
                sb.append(String.format("--- TSS at 0x%x: rsp0=%x ist1=%x%n", s.tr().base(),
                        mem.readU64(s.tr().base() + 4), mem.readU64(s.tr().base() + 36)));
            }
            sb.append("--- page walk through the guest's CR3 (0x").append(Long.toHexString(s.cr3())).append(")\n");
            long[][] what = {{r.rip()}, {r.rsp()}, {s.idt().base()}, {s.gdt().base()}};
            String[] names = {"RIP", "RSP", "IDT base", "GDT base"};
            for (int i = 0; i < what.length; i++) {
                sb.append(String.format("  %s 0x%x:%n", names[i], what[i][0]));
                sb.append(pageWalk(mem, s.cr0(), s.cr3(), s.cr4(), s.efer(), what[i][0], "    "));
            }
            if (s.cr2() != 0) {
                sb.append(String.format("  CR2 (last page-fault address) 0x%x:%n", s.cr2()));
                sb.append(pageWalk(mem, s.cr0(), s.cr3(), s.cr4(), s.efer(), s.cr2(), "    "));
            }
        } catch (RuntimeException e) {
            sb.append("(registers unavailable: ").append(e.getMessage()).append(")\n");
        }
        sb.append("--- last ").append(log.entries().size()).append(" of ").append(log.count()).append(" exits (oldest first)\n");
        for (ExitLog.Entry e : log.entries()) {
            sb.append(String.format("  %-14s %s rip=0x%x%n", reasonName(e.reason()),
                    e.reason() == KVM_EXIT_IO ? String.format("port 0x%x %s", e.address(), e.write() ? "out" : "in")
                            : e.reason() == KVM_EXIT_MMIO ? String.format("addr 0x%x %s", e.address(), e.write() ? "write" : "read")
                            : String.format("0x%x", e.address()), e.rip()));
        }
        sb.append("--- last ").append(serialTail.length).append(" serial bytes\n");
        sb.append(printable(serialTail)).append("\n=== end of crash report ===\n");
        return sb.toString();
    }

    static String reasonName(int r) {
        return switch (r) {
            case KVM_EXIT_IO -> "io";
            case KVM_EXIT_MMIO -> "mmio";
            case KVM_EXIT_HLT -> "hlt";
            case KVM_EXIT_SHUTDOWN -> "shutdown";
            case KVM_EXIT_FAIL_ENTRY -> "fail_entry";
            case KVM_EXIT_INTR -> "intr";
            case KVM_EXIT_INTERNAL_ERROR -> "internal_error";
            case KVM_EXIT_SYSTEM_EVENT -> "system_event";
            case KVM_EXIT_DEBUG -> "debug";
            default -> "exit_" + r;
        };
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x ", x & 0xff));
        return sb.toString().trim();
    }

    static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) sb.append((char) c);
            else if (c != '\r') sb.append(String.format("\\x%02x", c));
        }
        return sb.toString();
    }
}
