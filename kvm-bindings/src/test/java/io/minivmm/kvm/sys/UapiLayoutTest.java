package io.minivmm.kvm.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks every struct size, field offset, ioctl number and constant in {@link Uapi} against the
 * kernel's own headers, as printed by native-stubs' {@code kvm-layout} (compiled from
 * {@code <linux/kvm.h>} at build time).
 */
class UapiLayoutTest {
    static Map<String, Long> c = new HashMap<>();

    @BeforeAll
    static void runKvmLayout() throws IOException, InterruptedException {
        Path exe = Path.of("..", "native-stubs", "target", "bin", "kvm-layout").toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(exe), "native-stubs must have built " + exe);
        Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) c.put(line.substring(0, eq), Long.parseUnsignedLong(line.substring(eq + 1).trim()));
        }
        assertTrue(c.size() > 200, "kvm-layout printed " + c.size() + " values");
    }

    static long cval(String key) {
        Long v = c.get(key);
        if (v == null) throw new AssertionError("kvm-layout did not print " + key);
        return v;
    }

    static long java(String name) throws ReflectiveOperationException {
        Field f = Uapi.class.getField(name);
        return f.getType() == long.class ? f.getLong(null) : f.getInt(null);
    }

    @Test
    void everyStructSizeMatchesTheHeaders() throws ReflectiveOperationException {
        int checked = 0;
        for (Field f : Uapi.class.getFields()) {
            if (!f.getName().startsWith("SIZEOF_KVM_")) continue;
            String cname = "sizeof." + f.getName().substring("SIZEOF_".length()).toLowerCase();
            assertEquals(cval(cname), java(f.getName()), f.getName());
            checked++;
        }
        assertEquals(34, checked);
        assertEquals(2352, cval("sizeof.kvm_run"));
        assertEquals(144, cval("sizeof.kvm_regs"));
    }

    @Test
    void everyIoctlNumberMatchesTheHeaders() throws ReflectiveOperationException {
        int checked = 0;
        for (Field f : Uapi.class.getFields()) {
            String key = "ioctl." + f.getName();
            if (!c.containsKey(key)) continue;
            assertEquals(cval(key), java(f.getName()), f.getName());
            checked++;
        }
        assertTrue(checked >= 40, "checked " + checked + " ioctls");
    }

    @Test
    void constantsMatchTheHeaders() throws ReflectiveOperationException {
        int checked = 0;
        for (Field f : Uapi.class.getFields()) {
            String key = "const." + f.getName();
            if (!c.containsKey(key) || !Modifier.isStatic(f.getModifiers())) continue;
            assertEquals(cval(key), java(f.getName()), f.getName());
            checked++;
        }
        assertTrue(checked >= 30, "checked " + checked + " constants");
        for (io.minivmm.kvm.Cap cap : io.minivmm.kvm.Cap.values()) {
            String key = "const.KVM_CAP_" + cap.name();
            if (c.containsKey(key)) assertEquals(cval(key), cap.number, cap.name());
        }
        assertEquals(cval("const.KVM_CAP_IMMEDIATE_EXIT"), io.minivmm.kvm.Cap.IMMEDIATE_EXIT.number);
    }

    @Test
    void kvmRunOffsets() {
        assertEquals(cval("offsetof.kvm_run.immediate_exit"), Uapi.RUN_IMMEDIATE_EXIT);
        assertEquals(cval("offsetof.kvm_run.exit_reason"), Uapi.RUN_EXIT_REASON);
        assertEquals(cval("offsetof.kvm_run.kvm_valid_regs"), Uapi.RUN_KVM_VALID_REGS);
        assertEquals(cval("offsetof.kvm_run.kvm_dirty_regs"), Uapi.RUN_KVM_DIRTY_REGS);
        assertEquals(cval("offsetof.kvm_run.s"), Uapi.RUN_S);
        assertEquals(cval("offsetof.kvm_run.s.regs.regs.rip"), Uapi.RUN_S + 128);
        assertEquals(cval("offsetof.kvm_run.if_flag"), Uapi.RUN_IF_FLAG);
        assertEquals(cval("offsetof.kvm_run.cr8"), Uapi.RUN_CR8);
        assertEquals(cval("offsetof.kvm_run.apic_base"), Uapi.RUN_APIC_BASE);
        assertEquals(cval("offsetof.kvm_run.io.direction"), Uapi.RUN_IO_DIRECTION);
        assertEquals(cval("offsetof.kvm_run.io.size"), Uapi.RUN_IO_SIZE);
        assertEquals(cval("offsetof.kvm_run.io.port"), Uapi.RUN_IO_PORT);
        assertEquals(cval("offsetof.kvm_run.io.count"), Uapi.RUN_IO_COUNT);
        assertEquals(cval("offsetof.kvm_run.io.data_offset"), Uapi.RUN_IO_DATA_OFFSET);
        assertEquals(cval("offsetof.kvm_run.mmio.phys_addr"), Uapi.RUN_MMIO_PHYS_ADDR);
        assertEquals(cval("offsetof.kvm_run.mmio.data"), Uapi.RUN_MMIO_DATA);
        assertEquals(cval("offsetof.kvm_run.mmio.len"), Uapi.RUN_MMIO_LEN);
        assertEquals(cval("offsetof.kvm_run.mmio.is_write"), Uapi.RUN_MMIO_IS_WRITE);
        assertEquals(cval("offsetof.kvm_run.fail_entry.hardware_entry_failure_reason"), Uapi.RUN_FAIL_ENTRY_REASON);
        assertEquals(cval("offsetof.kvm_run.fail_entry.cpu"), Uapi.RUN_FAIL_ENTRY_CPU);
        assertEquals(cval("offsetof.kvm_run.hw.hardware_exit_reason"), Uapi.RUN_HW_EXIT_REASON);
        assertEquals(cval("offsetof.kvm_run.internal.suberror"), Uapi.RUN_INTERNAL_SUBERROR);
        assertEquals(cval("offsetof.kvm_run.internal.ndata"), Uapi.RUN_INTERNAL_NDATA);
        assertEquals(cval("offsetof.kvm_run.internal.data"), Uapi.RUN_INTERNAL_DATA);
        assertEquals(cval("offsetof.kvm_run.emulation_failure.flags"), Uapi.RUN_EMULATION_FAILURE_FLAGS);
        assertEquals(cval("offsetof.kvm_run.emulation_failure.insn_size"), Uapi.RUN_EMULATION_FAILURE_INSN_SIZE);
        assertEquals(cval("offsetof.kvm_run.emulation_failure.insn_bytes"), Uapi.RUN_EMULATION_FAILURE_INSN_BYTES);
        assertEquals(cval("offsetof.kvm_run.system_event.type"), Uapi.RUN_SYSTEM_EVENT_TYPE);
        assertEquals(cval("offsetof.kvm_run.system_event.ndata"), Uapi.RUN_SYSTEM_EVENT_NDATA);
        assertEquals(cval("offsetof.kvm_run.system_event.data"), Uapi.RUN_SYSTEM_EVENT_DATA);
        assertEquals(cval("offsetof.kvm_run.debug.arch.exception"), Uapi.RUN_DEBUG_EXCEPTION);
        assertEquals(cval("offsetof.kvm_run.debug.arch.pc"), Uapi.RUN_DEBUG_PC);
        assertEquals(cval("offsetof.kvm_run.debug.arch.dr6"), Uapi.RUN_DEBUG_DR6);
        assertEquals(cval("offsetof.kvm_run.debug.arch.dr7"), Uapi.RUN_DEBUG_DR7);
        assertEquals(cval("offsetof.kvm_run.ex.exception"), Uapi.RUN_EX_EXCEPTION);
        assertEquals(cval("offsetof.kvm_run.ex.error_code"), Uapi.RUN_EX_ERROR_CODE);
    }

    @Test
    void sregsSegmentAndDtableOffsets() {
        String[] segs = {"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt"};
        int[] java = {Uapi.SREGS_CS, Uapi.SREGS_DS, Uapi.SREGS_ES, Uapi.SREGS_FS, Uapi.SREGS_GS, Uapi.SREGS_SS,
            Uapi.SREGS_TR, Uapi.SREGS_LDT};
        for (int i = 0; i < segs.length; i++) assertEquals(cval("offsetof.kvm_sregs." + segs[i]), java[i], segs[i]);
        assertEquals(cval("offsetof.kvm_sregs.gdt"), Uapi.SREGS_GDT);
        assertEquals(cval("offsetof.kvm_sregs.idt"), Uapi.SREGS_IDT);
        assertEquals(cval("offsetof.kvm_sregs.cr0"), Uapi.SREGS_CR0);
        assertEquals(cval("offsetof.kvm_sregs.cr2"), Uapi.SREGS_CR2);
        assertEquals(cval("offsetof.kvm_sregs.cr3"), Uapi.SREGS_CR3);
        assertEquals(cval("offsetof.kvm_sregs.cr4"), Uapi.SREGS_CR4);
        assertEquals(cval("offsetof.kvm_sregs.cr8"), Uapi.SREGS_CR8);
        assertEquals(cval("offsetof.kvm_sregs.efer"), Uapi.SREGS_EFER);
        assertEquals(cval("offsetof.kvm_sregs.apic_base"), Uapi.SREGS_APIC_BASE);
        assertEquals(cval("offsetof.kvm_sregs.interrupt_bitmap"), Uapi.SREGS_INTERRUPT_BITMAP);
        assertEquals(cval("offsetof.kvm_segment.base"), Uapi.SEG_BASE);
        assertEquals(cval("offsetof.kvm_segment.limit"), Uapi.SEG_LIMIT);
        assertEquals(cval("offsetof.kvm_segment.selector"), Uapi.SEG_SELECTOR);
        assertEquals(cval("offsetof.kvm_segment.type"), Uapi.SEG_TYPE);
        assertEquals(cval("offsetof.kvm_segment.present"), Uapi.SEG_PRESENT);
        assertEquals(cval("offsetof.kvm_segment.dpl"), Uapi.SEG_DPL);
        assertEquals(cval("offsetof.kvm_segment.db"), Uapi.SEG_DB);
        assertEquals(cval("offsetof.kvm_segment.s"), Uapi.SEG_S);
        assertEquals(cval("offsetof.kvm_segment.l"), Uapi.SEG_L);
        assertEquals(cval("offsetof.kvm_segment.g"), Uapi.SEG_G);
        assertEquals(cval("offsetof.kvm_segment.avl"), Uapi.SEG_AVL);
        assertEquals(cval("offsetof.kvm_segment.unusable"), Uapi.SEG_UNUSABLE);
        assertEquals(cval("offsetof.kvm_dtable.base"), Uapi.DTABLE_BASE);
        assertEquals(cval("offsetof.kvm_dtable.limit"), Uapi.DTABLE_LIMIT);
    }

    @Test
    void fpuCpuidEventsIoeventfdClockOffsets() {
        assertEquals(cval("offsetof.kvm_fpu.fcw"), Uapi.FPU_FCW);
        assertEquals(cval("offsetof.kvm_fpu.fsw"), Uapi.FPU_FSW);
        assertEquals(cval("offsetof.kvm_fpu.ftwx"), Uapi.FPU_FTWX);
        assertEquals(cval("offsetof.kvm_fpu.last_opcode"), Uapi.FPU_LAST_OPCODE);
        assertEquals(cval("offsetof.kvm_fpu.last_ip"), Uapi.FPU_LAST_IP);
        assertEquals(cval("offsetof.kvm_fpu.last_dp"), Uapi.FPU_LAST_DP);
        assertEquals(cval("offsetof.kvm_fpu.xmm"), Uapi.FPU_XMM);
        assertEquals(cval("offsetof.kvm_fpu.mxcsr"), Uapi.FPU_MXCSR);
        assertEquals(cval("offsetof.kvm_cpuid_entry2.function"), Uapi.CPUID_FUNCTION);
        assertEquals(cval("offsetof.kvm_cpuid_entry2.index"), Uapi.CPUID_INDEX);
        assertEquals(cval("offsetof.kvm_cpuid_entry2.flags"), Uapi.CPUID_FLAGS);
        assertEquals(cval("offsetof.kvm_cpuid_entry2.eax"), Uapi.CPUID_EAX);
        assertEquals(cval("offsetof.kvm_cpuid_entry2.ebx"), Uapi.CPUID_EBX);
        assertEquals(cval("offsetof.kvm_cpuid_entry2.ecx"), Uapi.CPUID_ECX);
        assertEquals(cval("offsetof.kvm_cpuid_entry2.edx"), Uapi.CPUID_EDX);
        assertEquals(cval("offsetof.kvm_cpuid2.entries"), Uapi.SIZEOF_KVM_CPUID2);
        assertEquals(cval("offsetof.kvm_msrs.entries"), Uapi.SIZEOF_KVM_MSRS);
        assertEquals(cval("offsetof.kvm_msr_entry.data"), 8);
        assertEquals(cval("offsetof.kvm_vcpu_events.exception.injected"), Uapi.EV_EXC_INJECTED);
        assertEquals(cval("offsetof.kvm_vcpu_events.exception.nr"), Uapi.EV_EXC_NR);
        assertEquals(cval("offsetof.kvm_vcpu_events.exception.has_error_code"), Uapi.EV_EXC_HAS_ERROR_CODE);
        assertEquals(cval("offsetof.kvm_vcpu_events.exception.pending"), Uapi.EV_EXC_PENDING);
        assertEquals(cval("offsetof.kvm_vcpu_events.exception.error_code"), Uapi.EV_EXC_ERROR_CODE);
        assertEquals(cval("offsetof.kvm_vcpu_events.interrupt.injected"), Uapi.EV_INT_INJECTED);
        assertEquals(cval("offsetof.kvm_vcpu_events.interrupt.nr"), Uapi.EV_INT_NR);
        assertEquals(cval("offsetof.kvm_vcpu_events.interrupt.soft"), Uapi.EV_INT_SOFT);
        assertEquals(cval("offsetof.kvm_vcpu_events.interrupt.shadow"), Uapi.EV_INT_SHADOW);
        assertEquals(cval("offsetof.kvm_vcpu_events.nmi.injected"), Uapi.EV_NMI_INJECTED);
        assertEquals(cval("offsetof.kvm_vcpu_events.nmi.pending"), Uapi.EV_NMI_PENDING);
        assertEquals(cval("offsetof.kvm_vcpu_events.nmi.masked"), Uapi.EV_NMI_MASKED);
        assertEquals(cval("offsetof.kvm_vcpu_events.sipi_vector"), Uapi.EV_SIPI_VECTOR);
        assertEquals(cval("offsetof.kvm_vcpu_events.flags"), Uapi.EV_FLAGS);
        assertEquals(cval("offsetof.kvm_vcpu_events.smi.smm"), Uapi.EV_SMI_SMM);
        assertEquals(cval("offsetof.kvm_vcpu_events.exception_has_payload"), Uapi.EV_EXC_HAS_PAYLOAD);
        assertEquals(cval("offsetof.kvm_vcpu_events.exception_payload"), Uapi.EV_EXC_PAYLOAD);
        assertEquals(cval("offsetof.kvm_ioeventfd.datamatch"), Uapi.IOEVENTFD_DATAMATCH);
        assertEquals(cval("offsetof.kvm_ioeventfd.addr"), Uapi.IOEVENTFD_ADDR);
        assertEquals(cval("offsetof.kvm_ioeventfd.len"), Uapi.IOEVENTFD_LEN);
        assertEquals(cval("offsetof.kvm_ioeventfd.fd"), Uapi.IOEVENTFD_FD);
        assertEquals(cval("offsetof.kvm_ioeventfd.flags"), Uapi.IOEVENTFD_FLAGS);
        assertEquals(cval("offsetof.kvm_clock_data.clock"), Uapi.CLOCK_CLOCK);
        assertEquals(cval("offsetof.kvm_clock_data.flags"), Uapi.CLOCK_FLAGS);
        assertEquals(cval("offsetof.kvm_clock_data.realtime"), Uapi.CLOCK_REALTIME);
        assertEquals(cval("offsetof.kvm_clock_data.host_tsc"), Uapi.CLOCK_HOST_TSC);
        assertEquals(cval("offsetof.kvm_userspace_memory_region.userspace_addr"), 24);
        assertEquals(cval("offsetof.kvm_irq_level.level"), 4);
        assertEquals(cval("offsetof.kvm_irqfd.flags"), 8);
        assertEquals(cval("offsetof.kvm_dirty_log.dirty_bitmap"), 8);
        assertEquals(cval("offsetof.kvm_enable_cap.args"), 8);
    }

    @Test
    void debugStructOffsets() {
        assertEquals(cval("offsetof.kvm_guest_debug.control"), Uapi.GUEST_DEBUG_CONTROL);
        assertEquals(cval("offsetof.kvm_guest_debug.arch.debugreg"), Uapi.GUEST_DEBUG_DEBUGREG);
        assertEquals(cval("offsetof.kvm_debugregs.db"), Uapi.DEBUGREGS_DB);
        assertEquals(cval("offsetof.kvm_debugregs.dr6"), Uapi.DEBUGREGS_DR6);
        assertEquals(cval("offsetof.kvm_debugregs.dr7"), Uapi.DEBUGREGS_DR7);
        assertEquals(cval("offsetof.kvm_debugregs.flags"), Uapi.DEBUGREGS_FLAGS);
        assertEquals(cval("offsetof.kvm_translation.linear_address"), Uapi.TRANSLATION_LINEAR_ADDRESS);
        assertEquals(cval("offsetof.kvm_translation.physical_address"), Uapi.TRANSLATION_PHYSICAL_ADDRESS);
        assertEquals(cval("offsetof.kvm_translation.valid"), Uapi.TRANSLATION_VALID);
        assertEquals(cval("offsetof.kvm_translation.writeable"), Uapi.TRANSLATION_WRITEABLE);
        assertEquals(cval("offsetof.kvm_translation.usermode"), Uapi.TRANSLATION_USERMODE);
    }

    @Test
    void xsaveXcrsAndEventsSmiOffsets() {
        assertEquals(cval("offsetof.kvm_xsave.region"), 0);
        assertEquals(cval("offsetof.kvm_xcrs.nr_xcrs"), Uapi.XCRS_NR_XCRS);
        assertEquals(cval("offsetof.kvm_xcrs.flags"), Uapi.XCRS_FLAGS);
        assertEquals(cval("offsetof.kvm_xcrs.xcrs"), Uapi.XCRS_XCRS);
        assertEquals(cval("offsetof.kvm_xcr.xcr"), Uapi.XCR_XCR);
        assertEquals(cval("offsetof.kvm_xcr.value"), Uapi.XCR_VALUE);
        assertEquals(cval("offsetof.kvm_vcpu_events.smi.pending"), Uapi.EV_SMI_PENDING);
        assertEquals(cval("offsetof.kvm_vcpu_events.smi.smm_inside_nmi"), Uapi.EV_SMI_SMM_INSIDE_NMI);
        assertEquals(cval("offsetof.kvm_vcpu_events.smi.latched_init"), Uapi.EV_SMI_LATCHED_INIT);
        assertEquals(cval("offsetof.kvm_vcpu_events.triple_fault.pending"), Uapi.EV_TRIPLE_FAULT_PENDING);
    }

    @Test
    void irqchipPitAndClearDirtyLogOffsets() throws ReflectiveOperationException {
        assertEquals(cval("offsetof.kvm_irqchip.chip_id"), Uapi.IRQCHIP_CHIP_ID);
        assertEquals(cval("offsetof.kvm_irqchip.chip"), Uapi.IRQCHIP_CHIP);
        String[] pic = {"last_irr", "irr", "imr", "isr", "priority_add", "irq_base", "read_reg_select", "poll",
            "special_mask", "init_state", "auto_eoi", "rotate_on_auto_eoi", "special_fully_nested_mode", "init4",
            "elcr", "elcr_mask"};
        for (String f : pic) assertEquals(cval("offsetof.kvm_pic_state." + f), java("PIC_" + f.toUpperCase()), f);
        assertEquals(cval("offsetof.kvm_ioapic_state.base_address"), Uapi.IOAPIC_BASE_ADDRESS);
        assertEquals(cval("offsetof.kvm_ioapic_state.ioregsel"), Uapi.IOAPIC_IOREGSEL);
        assertEquals(cval("offsetof.kvm_ioapic_state.id"), Uapi.IOAPIC_ID);
        assertEquals(cval("offsetof.kvm_ioapic_state.irr"), Uapi.IOAPIC_IRR);
        assertEquals(cval("offsetof.kvm_ioapic_state.redirtbl"), Uapi.IOAPIC_REDIRTBL);
        String[] ch = {"count", "latched_count", "count_latched", "status_latched", "status", "read_state",
            "write_state", "write_latch", "rw_mode", "mode", "bcd", "gate", "count_load_time"};
        for (String f : ch) assertEquals(cval("offsetof.kvm_pit_channel_state." + f), java("PITCH_" + f.toUpperCase()), f);
        assertEquals(cval("offsetof.kvm_pit_state2.channels"), Uapi.PIT_CHANNELS);
        assertEquals(cval("offsetof.kvm_pit_state2.flags"), Uapi.PIT_FLAGS);
        assertEquals(cval("offsetof.kvm_clear_dirty_log.slot"), Uapi.CLEAR_DIRTY_SLOT);
        assertEquals(cval("offsetof.kvm_clear_dirty_log.num_pages"), Uapi.CLEAR_DIRTY_NUM_PAGES);
        assertEquals(cval("offsetof.kvm_clear_dirty_log.first_page"), Uapi.CLEAR_DIRTY_FIRST_PAGE);
        assertEquals(cval("offsetof.kvm_clear_dirty_log.dirty_bitmap"), Uapi.CLEAR_DIRTY_BITMAP);
    }

    @Test
    void irqfdPollAndEventfd() {
        assertEquals(cval("offsetof.kvm_irqfd.fd"), Uapi.IRQFD_FD);
        assertEquals(cval("offsetof.kvm_irqfd.gsi"), Uapi.IRQFD_GSI);
        assertEquals(cval("offsetof.kvm_irqfd.flags"), Uapi.IRQFD_FLAGS);
        assertEquals(cval("offsetof.kvm_irqfd.resamplefd"), Uapi.IRQFD_RESAMPLEFD);
        assertEquals(cval("sizeof.pollfd"), LibC.SIZEOF_POLLFD);
        assertEquals(cval("offsetof.pollfd.events"), LibC.POLLFD_EVENTS);
        assertEquals(cval("offsetof.pollfd.revents"), LibC.POLLFD_REVENTS);
        assertEquals(cval("const.POLLIN"), LibC.POLLIN);
        assertEquals(cval("const.POLLERR"), LibC.POLLERR);
        assertEquals(cval("const.POLLHUP"), LibC.POLLHUP);
        assertEquals(cval("const.POLLNVAL"), LibC.POLLNVAL);
        assertEquals(cval("const.EFD_CLOEXEC"), LibC.EFD_CLOEXEC);
        assertEquals(cval("const.EFD_NONBLOCK"), LibC.EFD_NONBLOCK);
    }
}
