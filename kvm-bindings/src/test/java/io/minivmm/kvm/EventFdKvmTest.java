package io.minivmm.kvm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.kvm.x86.Irqchip;
import io.minivmm.kvm.x86.Regs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KVM_IOEVENTFD and KVM_IRQFD on a real VM: a guest write to an ioeventfd address signals the
 * eventfd without KVM_RUN returning to Java, and an irqfd write interrupts the guest.
 */
@RequiresKvm
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventFdKvmTest {
    /** MMIO address of DS 0xffff offset 0x20: above the 1 MiB of RAM. */
    static final long MMIO = 0xffff0L + 0x20;

    /**
     * Real mode: mov ax,0xffff; mov ds,ax; mov word [0x20],0x1111; mov word [0x20],0xbeef;
     * mov dx,0x300; mov al,7; out dx,al; mov al,0x99; out 0x80,al; hlt
     */
    static final int[] WRITES = {0xb8, 0xff, 0xff, 0x8e, 0xd8, 0xc7, 0x06, 0x20, 0x00, 0x11, 0x11,
        0xc7, 0x06, 0x20, 0x00, 0xef, 0xbe, 0xba, 0x00, 0x03, 0xb0, 0x07, 0xee, 0xb0, 0x99, 0xe6, 0x80, 0xf4};

    @Test
    void mmioAndPioWritesSignalTheEventfdWithoutAnExitToJava() {
        try (TestVm t = new TestVm(); EventFd mmio = EventFd.create(); EventFd pio = EventFd.create()) {
            t.vm.ioeventfd(mmio, MMIO, 2, false, null, false);
            t.vm.ioeventfd(pio, 0x300, 1, true, null, false);
            VcpuFd v = t.vcpuAt(0, 0x1000, WRITES);
            VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, v.run(),
                    "the first exit to Java is the out to 0x80: both writes stayed in the kernel");
            assertEquals(0x80, out.port());
            assertEquals(2, mmio.tryRead(), "two MMIO writes");
            assertEquals(1, pio.tryRead());
        }
    }

    @Test
    void datamatchSignalsOnlyItsValueAndOtherWritesExit() {
        try (TestVm t = new TestVm(); EventFd beef = EventFd.create(); EventFd seven = EventFd.create()) {
            t.vm.ioeventfd(beef, MMIO, 2, false, 0xbeefL, false);
            t.vm.ioeventfd(seven, 0x300, 1, true, 7L, false);
            VcpuFd v = t.vcpuAt(0, 0x1000, WRITES);
            VcpuExit.MmioWrite w = assertInstanceOf(VcpuExit.MmioWrite.class, v.run());
            assertEquals(MMIO, w.address());
            assertArrayEquals(new byte[] {0x11, 0x11}, w.data(), "0x1111 does not match: it exits");
            assertEquals(0, beef.tryRead());
            assertEquals(0x80, assertInstanceOf(VcpuExit.IoOut.class, v.run()).port());
            assertEquals(1, beef.tryRead());
            assertEquals(1, seven.tryRead());
        }
    }

    @Test
    void deassignedIoeventfdExitsAgain() {
        try (TestVm t = new TestVm(); EventFd mmio = EventFd.create()) {
            t.vm.ioeventfd(mmio, MMIO, 2, false, null, false);
            t.vm.ioeventfd(mmio, MMIO, 2, false, null, true);
            VcpuFd v = t.vcpuAt(0, 0x1000, WRITES);
            assertInstanceOf(VcpuExit.MmioWrite.class, v.run());
            assertEquals(0, mmio.tryRead());
            KvmException e = assertThrows(KvmException.class, () -> t.vm.ioeventfd(mmio, MMIO, 2, false, null, true));
            assertEquals("KVM_IOEVENTFD", e.call(), "deassigning twice");
        }
    }

    @Test
    void irqfdRaisesThePicLine() throws InterruptedException {
        try (TestVm t = new TestVm(1 << 20, 0, true); EventFd irq = EventFd.create()) {
            assertEquals(0, t.vm.getIrqchip(Irqchip.PIC_MASTER).pic().irr() & (1 << 4));
            t.vm.irqfd(irq, 4, false);
            irq.signal();
            // KVM injects from a work queue: wait for it.
            long deadline = System.nanoTime() + 5_000_000_000L;
            int irr;
            while (((irr = t.vm.getIrqchip(Irqchip.PIC_MASTER).pic().irr()) & (1 << 4)) == 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertEquals(1 << 4, irr & (1 << 4), "IRQ 4 requested at the master PIC");
            t.vm.irqfd(irq, 4, true);
        }
    }

    /**
     * Real mode at 0x1000: program the master PIC (vectors 0x20-0x27, only IRQ 5 unmasked), out
     * 0x80 with 1 ("ready"), sti; hlt (the vCPU waits in the kernel), out 0x80 with 3, hlt.
     * Handler for vector 0x25 at 0x1100: EOI, out 0x80 with 2, iret.
     */
    static final int[] IRQ_GUEST = {0xfa, 0xb0, 0x11, 0xe6, 0x20, 0xb0, 0x20, 0xe6, 0x21, 0xb0, 0x04, 0xe6, 0x21,
        0xb0, 0x01, 0xe6, 0x21, 0xb0, 0xdf, 0xe6, 0x21, 0xb0, 0x01, 0xe6, 0x80, 0xfb, 0xf4, 0xb0, 0x03, 0xe6, 0x80,
        0xf4};
    static final int[] IRQ_HANDLER = {0xb0, 0x20, 0xe6, 0x20, 0xb0, 0x02, 0xe6, 0x80, 0xcf};

    @Test
    void irqfdInterruptsAGuestWaitingInHlt() {
        try (TestVm t = new TestVm(1 << 20, 0, true); EventFd irq = EventFd.create()) {
            t.write(0x1100, IRQ_HANDLER);
            t.write(0x25 * 4, 0x00, 0x11, 0x00, 0x00); // IVT[0x25] = 0000:1100
            VcpuFd v = t.vcpuAt(0, 0x1000, IRQ_GUEST);
            v.setRegs(v.getRegs().with(Regs.Reg.RSP, 0x8000));
            lintAsExtInt(v);
            t.vm.irqfd(irq, 5, false);
            v.bindToCurrentThread();
            Timer watchdog = new Timer(true);
            watchdog.schedule(new TimerTask() {
                @Override public void run() { v.kick(); }
            }, 20_000);
            try {
                assertEquals(1, portValue(v.run()), "ready");
                irq.signal();
                VcpuExit e = v.run();
                assertFalse(e instanceof VcpuExit.Interrupted, "no interrupt reached the guest in 20 s");
                assertEquals(2, portValue(e), "the handler ran");
                assertEquals(3, portValue(v.run()), "and returned past the hlt");
            } finally {
                watchdog.cancel();
                v.unbindThread();
            }
        }
    }

    static int portValue(VcpuExit e) {
        VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, e);
        assertEquals(0x80, out.port());
        return out.data()[0];
    }

    /** LAPIC LVT LINT0 as ExtINT, unmasked (SDM vol. 3, 11.5.1), so the PIC's output reaches the vCPU. */
    static void lintAsExtInt(VcpuFd v) {
        byte[] lapic = v.getLapic();
        ByteBuffer regs = ByteBuffer.wrap(lapic).order(ByteOrder.LITTLE_ENDIAN);
        regs.putInt(0x350, (regs.getInt(0x350) & ~((1 << 16) | 0x700)) | 0x700);
        v.setLapic(lapic);
    }

    @Test
    void irqfdWithResampleIsAcceptedWithTheIrqchip() {
        try (TestVm t = new TestVm(1 << 20, 0, true); EventFd trig = EventFd.create(); EventFd res = EventFd.create()) {
            if (!t.kvm.has(Cap.IRQFD_RESAMPLE)) return;
            t.vm.irqfdResample(trig, res, 10);
            trig.signal();
            t.vm.irqfd(trig, 10, true);
        }
        try (TestVm t = new TestVm(); EventFd trig = EventFd.create(); EventFd res = EventFd.create()) {
            KvmException e = assertThrows(KvmException.class, () -> t.vm.irqfdResample(trig, res, 10));
            assertEquals("KVM_IRQFD", e.call(), "no irqchip, no irqfd");
        }
    }
}
