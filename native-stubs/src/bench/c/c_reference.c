/*
 * The C reference for minivmm's benchmarks: the same VM-exit loop as the Java benchmark
 * (io.minivmm.vmm.bench), written against the raw KVM API with nothing in between.
 *
 *   c-reference [EXITS] [MEM_MIB]
 *
 * 1. VM creation to first guest instruction: open /dev/kvm, create a VM with MEM_MIB of
 *    anonymous guest RAM in one memory slot, one vCPU in real mode at 0x1000, and run it until
 *    its first exit (the first instruction is an `out`).
 * 2. VM-exit round trip: the guest loops `out 0x80, al; jmp .-2`; every exit is a KVM_EXIT_IO
 *    that the loop checks and resumes. EXITS round trips are timed.
 *
 * Prints one line of key=value pairs, parsed by the Java harness.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "c-reference: %s: %s\n", what, strerror(errno));
    exit(1);
}

int main(int argc, char **argv) {
    long exits = argc > 1 ? atol(argv[1]) : 20000;
    long mem_mib = argc > 2 ? atol(argv[2]) : 256;
    size_t mem_size = (size_t)mem_mib << 20;

    uint64_t t0 = now_ns();
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("open /dev/kvm");
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) != 12) die("KVM API version");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM");
    uint8_t *mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) die("mmap guest memory");
    /* out 0x80, al ; jmp back to the out */
    static const uint8_t code[] = {0xe6, 0x80, 0xeb, 0xfc};
    memcpy(mem + 0x1000, code, sizeof code);
    struct kvm_userspace_memory_region region = {
        .slot = 0, .flags = 0, .guest_phys_addr = 0, .memory_size = mem_size,
        .userspace_addr = (uint64_t)(uintptr_t)mem,
    };
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) die("KVM_CREATE_VCPU");
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < 0) die("KVM_GET_VCPU_MMAP_SIZE");
    struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) die("mmap kvm_run");
    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) die("KVM_GET_SREGS");
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) die("KVM_SET_SREGS");
    struct kvm_regs regs;
    memset(&regs, 0, sizeof regs);
    regs.rip = 0x1000;
    regs.rflags = 0x2;
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) die("KVM_SET_REGS");

    if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
    uint64_t t1 = now_ns();
    if (run->exit_reason != KVM_EXIT_IO || run->io.port != 0x80) {
        fprintf(stderr, "c-reference: unexpected first exit %u\n", run->exit_reason);
        return 1;
    }

    /* Warm up, then time the round trips. */
    for (long i = 0; i < exits / 10; i++) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
    }
    uint64_t t2 = now_ns();
    long handled = 0;
    for (long i = 0; i < exits; i++) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
        if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT && run->io.port == 0x80)
            handled++;
    }
    uint64_t t3 = now_ns();
    if (handled != exits) {
        fprintf(stderr, "c-reference: %ld of %ld exits were not the expected out\n", exits - handled, exits);
        return 1;
    }
    printf("c-reference create_to_first_exit_ns=%llu roundtrip_ns=%.1f exits=%ld mem_mib=%ld\n",
           (unsigned long long)(t1 - t0), (double)(t3 - t2) / (double)exits, exits, mem_mib);
    munmap(run, (size_t)run_size);
    close(vcpu);
    munmap(mem, mem_size);
    close(vm);
    close(kvm);
    return 0;
}
