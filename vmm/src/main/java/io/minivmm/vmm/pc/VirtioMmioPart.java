package io.minivmm.vmm.pc;

import io.minivmm.vmm.Log;
import io.minivmm.vmm.devices.Doorbell;
import io.minivmm.vmm.devices.IrqEdge;
import io.minivmm.vmm.devices.Notifications;
import io.minivmm.vmm.devices.virtio.VirtioDevice;
import io.minivmm.vmm.devices.virtio.VirtioMmio;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.PlatformInfo;
import io.minivmm.vmm.machine.Wiring;

/**
 * A virtio device on the virtio-mmio transport: a register window and an interrupt line from the
 * allocator, announced to Linux on its command line ({@code virtio_mmio.device=512@0x...:N}) and
 * in the platform description, and a worker thread that serves the queues whenever the doorbell
 * rings (a guest kick through ioeventfd, host input, or the MMIO exit path). The thread ends in
 * {@link #close()}.
 */
public final class VirtioMmioPart implements Part {
    private final String name;
    private final VirtioDevice device;
    private VirtioMmio transport;
    private Doorbell doorbell;
    private IrqEdge edge;
    private Thread worker;
    private volatile boolean closed;
    private long base;
    private int irq;
    private boolean wiredToGuest;

    public VirtioMmioPart(String name, VirtioDevice device) {
        this.name = name;
        this.device = device;
    }

    @Override
    public String name() { return name; }

    @Override
    public void attach(Wiring w) {
        base = w.resources().allocateMmio(name, VirtioMmio.WINDOW, 0x1000);
        irq = w.resources().allocateIrq(name);
        Notifications n = w.notifications();
        edge = n.edge(irq);
        transport = new VirtioMmio(device, w.memory(), w.resources()::isRam, edge);
        Notifications.Bell bell = n.doorbell(name, base + VirtioMmio.QUEUE_NOTIFY, 4);
        doorbell = bell.doorbell();
        wiredToGuest = bell.wiredToGuest();
        transport.setDoorbell(doorbell);
        transport.onBroken(why -> Log.warn("{}: the driver broke the device, it needs a reset: {}", name, why));
        w.mmio().register(base, VirtioMmio.WINDOW, transport, name);
        w.platform().addMmioDevice(new PlatformInfo.MmioDevice("virtio-mmio", name, base, VirtioMmio.WINDOW, irq));
        w.platform().addKernelCmdline(String.format("virtio_mmio.device=%d@0x%x:%d", VirtioMmio.WINDOW, base, irq));
        worker = new Thread(this::serve, name);
        worker.setDaemon(true);
        worker.start();
    }

    private void serve() {
        try {
            while (!closed) {
                doorbell.await();
                if (closed) return;
                transport.service(); // never throws
            }
        } catch (InterruptedException e) {
            // end of the run
        } catch (Throwable t) {
            Log.warn("{}: device thread stopped: {}", name, t.toString());
        }
    }

    /** Wakes the worker (host-side input for the device). */
    public void wake() {
        Doorbell d = doorbell;
        if (d != null) d.ring();
    }

    public VirtioMmio transport() { return transport; }

    public VirtioDevice device() { return device; }

    public long base() { return base; }

    public int irq() { return irq; }

    /** Whether guest kicks reach the worker without a VM exit (ioeventfd). */
    public boolean kicksBypassVmm() { return wiredToGuest; }

    @Override
    public void reset() {
        if (transport != null) transport.reset();
    }

    /** Transport and queue state; host-side buffers (console input not yet delivered) are not saved. */
    @Override
    public void saveState(java.io.DataOutput out) throws java.io.IOException { transport.saveState(out); }

    @Override
    public void restoreState(java.io.DataInput in) throws java.io.IOException { transport.restoreState(in); }

    @Override
    public void close() {
        closed = true;
        if (worker != null) {
            doorbell.ring();
            boolean interrupted = false;
            while (worker.isAlive()) {
                try {
                    worker.join(100);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                if (worker.isAlive()) {
                    worker.interrupt();
                    doorbell.ring();
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
        if (doorbell != null) doorbell.close();
        if (edge != null) edge.close();
        device.close();
    }
}
