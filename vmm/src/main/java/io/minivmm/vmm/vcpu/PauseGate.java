package io.minivmm.vmm.vcpu;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * Parks vCPU threads between exits, so another thread can read or change a stopped machine (the
 * gdb stub, a snapshot). {@link #pause} asks every vCPU to park; the caller then kicks them out
 * of KVM_RUN and {@link #awaitParked waits} until each is parked or has ended. {@link #resume}
 * lets them all run again; {@link #release} lets chosen vCPUs run while the others stay parked
 * (a single-step of one thread).
 *
 * <p>The run loop calls {@link #checkpoint} before every KVM_RUN. Its fast path is one volatile
 * read, so an unpaused machine pays nothing measurable per exit.
 */
public final class PauseGate {
    private final boolean[] parked;
    private final boolean[] released;
    private final boolean[] ended;
    private volatile boolean paused;

    public PauseGate(int vcpus) {
        parked = new boolean[vcpus];
        released = new boolean[vcpus];
        ended = new boolean[vcpus];
    }

    /** Whether a pause is in force. */
    public boolean paused() { return paused; }

    /** Called by vCPU {@code id}'s thread before KVM_RUN: blocks while paused and not released, or until {@code stopping}. */
    public void checkpoint(int id, BooleanSupplier stopping) {
        if (!paused) return;
        synchronized (this) {
            try {
                while (paused && !released[id] && !stopping.getAsBoolean()) {
                    if (!parked[id]) {
                        parked[id] = true;
                        notifyAll();
                    }
                    wait(100); // bounded: a stop is noticed even if nobody notifies
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                parked[id] = false;
            }
        }
    }

    /** Called by vCPU {@code id}'s thread when its loop ends: it counts as parked from then on. */
    public synchronized void ended(int id) {
        ended[id] = true;
        notifyAll();
    }

    /** Asks every vCPU to park at its next checkpoint; the caller kicks them out of KVM_RUN. */
    public synchronized void pause() {
        Arrays.fill(released, false);
        paused = true;
    }

    /**
     * Waits until every vCPU is parked or ended (released ones excepted).
     *
     * @return false if {@code timeout} passed first
     */
    public synchronized boolean awaitParked(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!allParked()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private boolean allParked() {
        for (int i = 0; i < parked.length; i++) if (!parked[i] && !ended[i] && !released[i]) return false;
        return true;
    }

    /** Whether vCPU {@code id} is parked now. */
    public synchronized boolean isParked(int id) { return parked[id]; }

    /** Lets vCPU {@code id} run while the pause stays in force for the others. */
    public synchronized void release(int id) {
        released[id] = true;
        notifyAll();
    }

    /** Parks a released vCPU again at its next checkpoint (the caller kicks it). */
    public synchronized void recall(int id) { released[id] = false; }

    /** Ends the pause: every vCPU runs. */
    public synchronized void resume() {
        paused = false;
        Arrays.fill(released, false);
        notifyAll();
    }
}
