/*
 * minivmm native stubs: what the JVM cannot express through JNA alone.
 *
 * A vCPU thread blocked in ioctl(KVM_RUN) is kicked out by a signal: KVM returns -EINTR
 * (KVM_EXIT_INTR) as soon as a signal is pending for that thread. The handler itself must do
 * nothing, and must be installed without SA_RESTART, so the ioctl is not transparently
 * restarted. A Java-level handler cannot be used: the JVM owns signal dispatch, and a JNA
 * callback in a signal handler is not async-signal-safe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void minivmm_noop_handler(int sig) { (void)sig; }

/* The real-time signal used to kick vCPU threads: SIGRTMIN + offset. */
int minivmm_kick_signal(int offset) { return SIGRTMIN + offset; }

/* Installs the no-op handler for signo (no SA_RESTART). Returns 0 or -errno. */
int minivmm_install_kick_handler(int signo) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = minivmm_noop_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    if (sigaction(signo, &sa, NULL) != 0) return -errno;
    return 0;
}

/* Unblocks signo in the calling thread (the JVM may start threads with it blocked). */
int minivmm_unblock_signal(int signo) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    return -pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/* The calling thread's pthread_t, to be passed to minivmm_kick later. */
unsigned long minivmm_thread_self(void) { return (unsigned long)pthread_self(); }

/* Sends signo to a thread. Returns 0 or -errno (ESRCH when the thread has gone). */
int minivmm_kick(unsigned long thread, int signo) {
    return -pthread_kill((pthread_t)thread, signo);
}

/*
 * Writes back and invalidates every cache line of [addr, addr + len) (clflush per line of
 * `line` bytes, a power of two), so a guest reading the range through an uncached memory type
 * sees the host's stores even where KVM honours the guest's PAT (non-coherent DMA). Java cannot
 * emit clflush. mfence before orders the host's earlier stores ahead of the flushes; mfence
 * after orders the flushes ahead of whatever the caller does next (clflush is only ordered by
 * fences). Returns the number of lines flushed. The caller guarantees the range is mapped.
 */
unsigned long minivmm_clflush_range(unsigned long addr, unsigned long len, unsigned long line) {
    if (len == 0 || line == 0) return 0;
    unsigned long p = addr & ~(line - 1);
    unsigned long end = addr + len;
    unsigned long n = 0;
    __asm__ volatile("mfence" ::: "memory");
    for (; p < end; p += line, n++) __asm__ volatile("clflush (%0)" : : "r"(p) : "memory");
    __asm__ volatile("mfence" ::: "memory");
    return n;
}

/* The io_uring work of minivmm_close_deferred, on its own short-lived thread (see there). */
struct deferred_close { int fd; int result; };

static void *minivmm_close_deferred_thread(void *arg) {
    struct deferred_close *d = arg;
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    int ring = (int)syscall(__NR_io_uring_setup, 1, &params);
    if (ring < 0) {
        d->result = -errno;
        return NULL;
    }
    if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_FILES, &d->fd, 1) < 0) {
        d->result = -errno;
        close(ring);
        return NULL;
    }
    close(d->fd);
    close(ring);
    d->result = 0;
    return NULL;
}

/*
 * Closes fd, the caller's last reference to a KVM VM, without waiting for the VM's teardown.
 * When the last reference to a VM with an in-kernel irqchip goes, KVM unregisters each of its
 * in-kernel devices (PIC, IOAPIC, PIT) and waits for an SRCU grace period after each: ~16-21 ms
 * on a 250 Hz kernel, spent in close(), or in the exit of a process that did not close the fd.
 * Here the fd is first registered in a one-entry io_uring's file table, then closed (not the
 * last reference any more), then the ring is closed: the kernel frees an idle ring from a
 * workqueue, and the VM with it (~0.2 ms here instead of ~16-21). The VM is torn down all the
 * same, a few jiffies later, by the kernel; nothing of it is visible to the process any more (no
 * fd, no mapping, no thread).
 * The ring is made and closed on a thread of its own, which has ended when this returns: the
 * ring's teardown sends task work to the threads that used it, and a thread with task work
 * pending sees its next interruptible ioctl fail with EINTR (KVM_CREATE_VM, KVM_RUN; measured:
 * 3 in 200 VM creations right after such a close on the same thread).
 * Returns 0 when fd was handed over and closed. Returns -errno when io_uring is unavailable
 * (ENOSYS, a seccomp or sysctl ban: EPERM, ENOMEM, ...) or no thread could be started; fd is
 * then still open and the caller closes it as usual.
 */
int minivmm_close_deferred(int fd) {
    struct deferred_close d = { fd, -EINVAL };
    pthread_t t;
    int e = pthread_create(&t, NULL, minivmm_close_deferred_thread, &d);
    if (e != 0) return -e;
    pthread_join(t, NULL);
    return d.result;
}
