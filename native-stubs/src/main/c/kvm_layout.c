/*
 * Prints the sizes and field offsets of the KVM uapi structs minivmm uses, and the ioctl
 * numbers, as "name=value" lines straight from <linux/kvm.h>. kvm-bindings' layout tests
 * compare its Java constants against this output, so a wrong offset fails a test instead of
 * corrupting a guest.
 */
#include <linux/kvm.h>
#include <stddef.h>
#include <stdio.h>
#include <poll.h>
#include <sys/eventfd.h>

#define S(t) printf("sizeof.%s=%zu\n", #t, sizeof(struct t))
#define O(t, f) printf("offsetof.%s.%s=%zu\n", #t, #f, offsetof(struct t, f))
#define I(n) printf("ioctl.%s=%lu\n", #n, (unsigned long)(n))
#define C(n) printf("const.%s=%ld\n", #n, (long)(n))

int main(void) {
    S(kvm_run); O(kvm_run, request_interrupt_window); O(kvm_run, immediate_exit); O(kvm_run, exit_reason);
    O(kvm_run, ready_for_interrupt_injection); O(kvm_run, if_flag); O(kvm_run, flags); O(kvm_run, cr8);
    O(kvm_run, apic_base); O(kvm_run, io.direction); O(kvm_run, io.size); O(kvm_run, io.port);
    O(kvm_run, io.count); O(kvm_run, io.data_offset); O(kvm_run, mmio.phys_addr); O(kvm_run, mmio.data);
    O(kvm_run, mmio.len); O(kvm_run, mmio.is_write); O(kvm_run, fail_entry.hardware_entry_failure_reason);
    O(kvm_run, fail_entry.cpu); O(kvm_run, hw.hardware_exit_reason); O(kvm_run, internal.suberror);
    O(kvm_run, internal.ndata); O(kvm_run, internal.data); O(kvm_run, emulation_failure.flags);
    O(kvm_run, emulation_failure.insn_size); O(kvm_run, emulation_failure.insn_bytes);
    O(kvm_run, system_event.type); O(kvm_run, system_event.ndata); O(kvm_run, system_event.data);
    O(kvm_run, debug.arch.exception); O(kvm_run, debug.arch.pc); O(kvm_run, debug.arch.dr6);
    O(kvm_run, debug.arch.dr7); O(kvm_run, ex.exception); O(kvm_run, ex.error_code);
    O(kvm_run, kvm_valid_regs); O(kvm_run, kvm_dirty_regs); O(kvm_run, s); O(kvm_run, s.regs.regs.rip);
    C(KVM_SYNC_X86_REGS); C(KVM_CAP_SYNC_REGS);
    S(kvm_regs); O(kvm_regs, rax); O(kvm_regs, rbx); O(kvm_regs, rsp); O(kvm_regs, r8); O(kvm_regs, r15);
    O(kvm_regs, rip); O(kvm_regs, rflags);
    S(kvm_segment); O(kvm_segment, base); O(kvm_segment, limit); O(kvm_segment, selector);
    O(kvm_segment, type); O(kvm_segment, present); O(kvm_segment, dpl); O(kvm_segment, db);
    O(kvm_segment, s); O(kvm_segment, l); O(kvm_segment, g); O(kvm_segment, avl); O(kvm_segment, unusable);
    S(kvm_dtable); O(kvm_dtable, base); O(kvm_dtable, limit);
    S(kvm_sregs); O(kvm_sregs, cs); O(kvm_sregs, ds); O(kvm_sregs, es); O(kvm_sregs, fs); O(kvm_sregs, gs);
    O(kvm_sregs, ss); O(kvm_sregs, tr); O(kvm_sregs, ldt); O(kvm_sregs, gdt); O(kvm_sregs, idt);
    O(kvm_sregs, cr0); O(kvm_sregs, cr2); O(kvm_sregs, cr3); O(kvm_sregs, cr4); O(kvm_sregs, cr8);
    O(kvm_sregs, efer); O(kvm_sregs, apic_base); O(kvm_sregs, interrupt_bitmap);
    S(kvm_fpu); O(kvm_fpu, fpr); O(kvm_fpu, fcw); O(kvm_fpu, fsw); O(kvm_fpu, ftwx); O(kvm_fpu, last_opcode);
    O(kvm_fpu, last_ip); O(kvm_fpu, last_dp); O(kvm_fpu, xmm); O(kvm_fpu, mxcsr);
    S(kvm_msr_entry); O(kvm_msr_entry, index); O(kvm_msr_entry, data);
    S(kvm_msrs); O(kvm_msrs, nmsrs); O(kvm_msrs, entries);
    S(kvm_msr_list); O(kvm_msr_list, nmsrs); O(kvm_msr_list, indices);
    S(kvm_cpuid_entry2); O(kvm_cpuid_entry2, function); O(kvm_cpuid_entry2, index); O(kvm_cpuid_entry2, flags);
    O(kvm_cpuid_entry2, eax); O(kvm_cpuid_entry2, ebx); O(kvm_cpuid_entry2, ecx); O(kvm_cpuid_entry2, edx);
    S(kvm_cpuid2); O(kvm_cpuid2, nent); O(kvm_cpuid2, entries);
    S(kvm_lapic_state);
    S(kvm_mp_state);
    S(kvm_vcpu_events); O(kvm_vcpu_events, exception.injected); O(kvm_vcpu_events, exception.nr);
    O(kvm_vcpu_events, exception.has_error_code); O(kvm_vcpu_events, exception.pending);
    O(kvm_vcpu_events, exception.error_code); O(kvm_vcpu_events, interrupt.injected);
    O(kvm_vcpu_events, interrupt.nr); O(kvm_vcpu_events, interrupt.soft); O(kvm_vcpu_events, interrupt.shadow);
    O(kvm_vcpu_events, nmi.injected); O(kvm_vcpu_events, nmi.pending); O(kvm_vcpu_events, nmi.masked);
    O(kvm_vcpu_events, sipi_vector); O(kvm_vcpu_events, flags); O(kvm_vcpu_events, smi.smm);
    O(kvm_vcpu_events, exception_has_payload); O(kvm_vcpu_events, exception_payload);
    S(kvm_userspace_memory_region); O(kvm_userspace_memory_region, slot); O(kvm_userspace_memory_region, flags);
    O(kvm_userspace_memory_region, guest_phys_addr); O(kvm_userspace_memory_region, memory_size);
    O(kvm_userspace_memory_region, userspace_addr);
    S(kvm_irq_level); O(kvm_irq_level, irq); O(kvm_irq_level, level);
    S(kvm_pit_config); O(kvm_pit_config, flags);
    S(kvm_irqfd); O(kvm_irqfd, fd); O(kvm_irqfd, gsi); O(kvm_irqfd, flags); O(kvm_irqfd, resamplefd);
    S(kvm_ioeventfd); O(kvm_ioeventfd, datamatch); O(kvm_ioeventfd, addr); O(kvm_ioeventfd, len);
    O(kvm_ioeventfd, fd); O(kvm_ioeventfd, flags);
    S(kvm_dirty_log); O(kvm_dirty_log, slot); O(kvm_dirty_log, dirty_bitmap);
    S(kvm_clock_data); O(kvm_clock_data, clock); O(kvm_clock_data, flags); O(kvm_clock_data, realtime);
    O(kvm_clock_data, host_tsc);
    S(kvm_enable_cap); O(kvm_enable_cap, cap); O(kvm_enable_cap, flags); O(kvm_enable_cap, args);

    S(kvm_guest_debug); O(kvm_guest_debug, control); O(kvm_guest_debug, arch.debugreg);
    S(kvm_debugregs); O(kvm_debugregs, db); O(kvm_debugregs, dr6); O(kvm_debugregs, dr7); O(kvm_debugregs, flags);
    S(kvm_translation); O(kvm_translation, linear_address); O(kvm_translation, physical_address);
    O(kvm_translation, valid); O(kvm_translation, writeable); O(kvm_translation, usermode);
    I(KVM_TRANSLATE); I(KVM_SET_GUEST_DEBUG); I(KVM_GET_DEBUGREGS); I(KVM_SET_DEBUGREGS);
    C(KVM_GUESTDBG_ENABLE); C(KVM_GUESTDBG_SINGLESTEP); C(KVM_GUESTDBG_USE_SW_BP); C(KVM_GUESTDBG_USE_HW_BP);
    C(KVM_GUESTDBG_INJECT_DB); C(KVM_GUESTDBG_INJECT_BP); C(KVM_GUESTDBG_BLOCKIRQ);
    C(KVM_CAP_SET_GUEST_DEBUG); C(KVM_CAP_DEBUGREGS); C(KVM_CAP_XSAVE); C(KVM_CAP_XCRS); C(KVM_CAP_KVMCLOCK_CTRL);
    C(KVM_CAP_GET_MSR_FEATURES); C(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2); C(KVM_CAP_XSAVE2); C(KVM_CAP_X86_SMM);

    S(kvm_xsave); O(kvm_xsave, region);
    S(kvm_xcrs); O(kvm_xcrs, nr_xcrs); O(kvm_xcrs, flags); O(kvm_xcrs, xcrs);
    S(kvm_xcr); O(kvm_xcr, xcr); O(kvm_xcr, value);
    O(kvm_vcpu_events, smi.pending); O(kvm_vcpu_events, smi.smm_inside_nmi); O(kvm_vcpu_events, smi.latched_init);
    O(kvm_vcpu_events, triple_fault.pending);
    I(KVM_GET_MSR_FEATURE_INDEX_LIST); I(KVM_GET_XSAVE); I(KVM_SET_XSAVE); I(KVM_GET_XSAVE2); I(KVM_GET_XCRS);
    I(KVM_SET_XCRS); I(KVM_KVMCLOCK_CTRL);
    C(KVM_VCPUEVENT_VALID_SHADOW); C(KVM_VCPUEVENT_VALID_SMM); C(KVM_VCPUEVENT_VALID_PAYLOAD);
    C(KVM_VCPUEVENT_VALID_TRIPLE_FAULT); C(KVM_MAX_XCRS);

    S(kvm_irqchip); O(kvm_irqchip, chip_id); O(kvm_irqchip, chip);
    S(kvm_pic_state); O(kvm_pic_state, last_irr); O(kvm_pic_state, irr); O(kvm_pic_state, imr);
    O(kvm_pic_state, isr); O(kvm_pic_state, priority_add); O(kvm_pic_state, irq_base);
    O(kvm_pic_state, read_reg_select); O(kvm_pic_state, poll); O(kvm_pic_state, special_mask);
    O(kvm_pic_state, init_state); O(kvm_pic_state, auto_eoi); O(kvm_pic_state, rotate_on_auto_eoi);
    O(kvm_pic_state, special_fully_nested_mode); O(kvm_pic_state, init4); O(kvm_pic_state, elcr);
    O(kvm_pic_state, elcr_mask);
    S(kvm_ioapic_state); O(kvm_ioapic_state, base_address); O(kvm_ioapic_state, ioregsel);
    O(kvm_ioapic_state, id); O(kvm_ioapic_state, irr); O(kvm_ioapic_state, redirtbl);
    S(kvm_pit_channel_state); O(kvm_pit_channel_state, count); O(kvm_pit_channel_state, latched_count);
    O(kvm_pit_channel_state, count_latched); O(kvm_pit_channel_state, status_latched);
    O(kvm_pit_channel_state, status); O(kvm_pit_channel_state, read_state); O(kvm_pit_channel_state, write_state);
    O(kvm_pit_channel_state, write_latch); O(kvm_pit_channel_state, rw_mode); O(kvm_pit_channel_state, mode);
    O(kvm_pit_channel_state, bcd); O(kvm_pit_channel_state, gate); O(kvm_pit_channel_state, count_load_time);
    S(kvm_pit_state2); O(kvm_pit_state2, channels); O(kvm_pit_state2, flags);
    S(kvm_clear_dirty_log); O(kvm_clear_dirty_log, slot); O(kvm_clear_dirty_log, num_pages);
    O(kvm_clear_dirty_log, first_page); O(kvm_clear_dirty_log, dirty_bitmap);
    I(KVM_GET_IRQCHIP); I(KVM_SET_IRQCHIP); I(KVM_GET_PIT2); I(KVM_SET_PIT2); I(KVM_CLEAR_DIRTY_LOG);
    C(KVM_IRQCHIP_PIC_MASTER); C(KVM_IRQCHIP_PIC_SLAVE); C(KVM_IRQCHIP_IOAPIC); C(KVM_IOAPIC_NUM_PINS);
    C(KVM_PIT_FLAGS_HPET_LEGACY); C(KVM_PIT_FLAGS_SPEAKER_DATA_ON); C(KVM_CLOCK_TSC_STABLE);
    C(KVM_CLOCK_REALTIME); C(KVM_CLOCK_HOST_TSC); C(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);
    C(KVM_DIRTY_LOG_INITIALLY_SET);

    C(KVM_IRQFD_FLAG_RESAMPLE); C(KVM_CAP_IRQFD_RESAMPLE);
    printf("sizeof.pollfd=%zu\n", sizeof(struct pollfd));
    printf("offsetof.pollfd.events=%zu\n", offsetof(struct pollfd, events));
    printf("offsetof.pollfd.revents=%zu\n", offsetof(struct pollfd, revents));
    C(POLLIN); C(POLLERR); C(POLLHUP); C(POLLNVAL); C(EFD_CLOEXEC); C(EFD_NONBLOCK);

    I(KVM_GET_API_VERSION); I(KVM_CREATE_VM); I(KVM_GET_MSR_INDEX_LIST); I(KVM_CHECK_EXTENSION);
    I(KVM_GET_VCPU_MMAP_SIZE); I(KVM_GET_SUPPORTED_CPUID); I(KVM_CREATE_VCPU); I(KVM_GET_DIRTY_LOG);
    I(KVM_SET_USER_MEMORY_REGION); I(KVM_SET_TSS_ADDR); I(KVM_SET_IDENTITY_MAP_ADDR);
    I(KVM_CREATE_IRQCHIP); I(KVM_IRQ_LINE); I(KVM_IRQ_LINE_STATUS); I(KVM_CREATE_PIT2); I(KVM_IRQFD);
    I(KVM_IOEVENTFD); I(KVM_SET_CLOCK); I(KVM_GET_CLOCK); I(KVM_RUN); I(KVM_GET_REGS); I(KVM_SET_REGS);
    I(KVM_GET_SREGS); I(KVM_SET_SREGS); I(KVM_GET_MSRS); I(KVM_SET_MSRS); I(KVM_GET_FPU); I(KVM_SET_FPU);
    I(KVM_GET_LAPIC); I(KVM_SET_LAPIC); I(KVM_SET_CPUID2); I(KVM_GET_CPUID2); I(KVM_GET_MP_STATE);
    I(KVM_SET_MP_STATE); I(KVM_GET_VCPU_EVENTS); I(KVM_SET_VCPU_EVENTS); I(KVM_ENABLE_CAP);
    I(KVM_SET_TSC_KHZ); I(KVM_GET_TSC_KHZ); I(KVM_SET_SIGNAL_MASK); I(KVM_GET_EMULATED_CPUID);

    C(KVM_EXIT_UNKNOWN); C(KVM_EXIT_EXCEPTION); C(KVM_EXIT_IO); C(KVM_EXIT_HYPERCALL); C(KVM_EXIT_DEBUG);
    C(KVM_EXIT_HLT); C(KVM_EXIT_MMIO); C(KVM_EXIT_IRQ_WINDOW_OPEN); C(KVM_EXIT_SHUTDOWN);
    C(KVM_EXIT_FAIL_ENTRY); C(KVM_EXIT_INTR); C(KVM_EXIT_NMI); C(KVM_EXIT_INTERNAL_ERROR);
    C(KVM_EXIT_SYSTEM_EVENT); C(KVM_EXIT_IO_IN); C(KVM_EXIT_IO_OUT);
    C(KVM_CAP_IRQCHIP); C(KVM_CAP_HLT); C(KVM_CAP_USER_MEMORY); C(KVM_CAP_SET_TSS_ADDR);
    C(KVM_CAP_EXT_CPUID); C(KVM_CAP_NR_VCPUS); C(KVM_CAP_NR_MEMSLOTS); C(KVM_CAP_PIT2);
    C(KVM_CAP_IRQFD); C(KVM_CAP_IOEVENTFD); C(KVM_CAP_SET_IDENTITY_MAP_ADDR); C(KVM_CAP_MAX_VCPUS);
    C(KVM_CAP_IMMEDIATE_EXIT); C(KVM_CAP_EXIT_ON_EMULATION_FAILURE); C(KVM_CAP_VCPU_EVENTS);
    C(KVM_CAP_TSC_CONTROL); C(KVM_CAP_GET_TSC_KHZ); C(KVM_CAP_ADJUST_CLOCK); C(KVM_CAP_READONLY_MEM);
    C(KVM_MEM_LOG_DIRTY_PAGES); C(KVM_MEM_READONLY); C(KVM_MP_STATE_RUNNABLE);
    C(KVM_MP_STATE_UNINITIALIZED); C(KVM_MP_STATE_INIT_RECEIVED); C(KVM_MP_STATE_HALTED);
    C(KVM_MP_STATE_SIPI_RECEIVED); C(KVM_INTERNAL_ERROR_EMULATION); C(KVM_INTERNAL_ERROR_SIMUL_EX);
    C(KVM_INTERNAL_ERROR_DELIVERY_EV); C(KVM_SYSTEM_EVENT_SHUTDOWN); C(KVM_SYSTEM_EVENT_RESET);
    C(KVM_VCPUEVENT_VALID_NMI_PENDING); C(KVM_VCPUEVENT_VALID_SIPI_VECTOR);
    C(KVM_IRQFD_FLAG_DEASSIGN); C(KVM_IOEVENTFD_FLAG_PIO); C(KVM_IOEVENTFD_FLAG_DATAMATCH);
    C(KVM_IOEVENTFD_FLAG_DEASSIGN); C(KVM_PIT_SPEAKER_DUMMY);
    return 0;
}
