package io.minivmm.kvm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.x86.DebugRegs;
import io.minivmm.kvm.x86.Irqchip;
import io.minivmm.kvm.x86.MsrEntry;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.VcpuState;
import io.minivmm.kvm.x86.VmState;
import io.minivmm.kvm.x86.Xsave;
import io.minivmm.kvm.junit.RequiresKvm;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * VcpuFd.saveState/restoreState and VmFd.saveState/restoreState: a counting guest saved mid-way
 * continues in a new VM from where it was.
 */
@RequiresKvm
class SnapshotKvmTest {
    /**
     * Real mode at 0x1000: inc word [0x2000]; inc bx; mov ax,[0x2000]; out 0x80,ax; jmp 0x1000.
     * The counter lives in memory and in BX, so both memory and registers must come across.
     */
    static final int[] COUNTER = {0xff, 0x06, 0x00, 0x20, 0x43, 0xa1, 0x00, 0x20, 0xe7, 0x80, 0xeb, 0xf4};

    static int count(VcpuExit e) {
        VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, e);
        assertEquals(0x80, out.port());
        assertEquals(2, out.size());
        return (out.data()[0] & 0xff) | (out.data()[1] & 0xff) << 8;
    }

    @Test
    void aGuestSavedMidWayContinuesInANewVm() throws Exception {
        byte[] memory;
        byte[] vcpuBlob, vmBlob;
        VcpuState saved;
        try (TestVm a = new TestVm(1 << 20, 0, true)) {
            VcpuFd v = a.vcpuAt(0, 0x1000, COUNTER);
            v.setCpuid2(a.kvm.supportedCpuid());
            // State a snapshot must carry that the counter does not use.
            v.setMsrs(List.of(new MsrEntry(0x174, 0x42), new MsrEntry(0xc0000102 /* KERNEL_GS_BASE */, 0x7777000)));
            v.setDebugregs(v.getDebugregs().withDr(1, 0xabcd0));
            byte[] xs = v.getXsave().region();
            ByteBuffer.wrap(xs).order(ByteOrder.LITTLE_ENDIAN).putLong(160 + 16 * 5, 0x5555aaaa5555aaaaL)
                    .putLong(512, 3);
            v.setXsave(new Xsave(xs));
            a.vm.setIrqchip(picWithImr(a.vm.getIrqchip(Irqchip.PIC_MASTER), 0xb7));
            for (int i = 1; i <= 5; i++) assertEquals(i, count(v.run()));

            saved = v.saveState();
            VmState vmState = a.vm.saveState();
            memory = a.read(0, (int) a.size);
            vcpuBlob = saved.toBytes();
            vmBlob = vmState.toBytes();
            assertEquals(5, saved.regs().rbx() & 0xffff);
            assertEquals(3, vmState.irqchips().size());
            assertNotNull(vmState.pit());
            assertNotNull(saved.lapic());
            assertNotNull(saved.msr(0x10), "IA32_TSC saved");
            assertTrue(saved.msrs().size() > 30, saved.msrs().size() + " MSRs");
            // The source carries on independently.
            assertEquals(6, count(v.run()));
        }

        try (TestVm b = new TestVm(1 << 20, 0, true)) {
            b.write(0, memory);
            VcpuFd v = b.vm.createVcpu(0);
            b.vm.restoreState(VmState.fromBytes(vmBlob));
            VcpuState state = VcpuState.fromBytes(vcpuBlob);
            v.restoreState(state);

            VcpuState now = v.saveState();
            assertEquals(saved.regs(), now.regs());
            assertEquals(saved.sregs(), now.sregs());
            assertEquals(saved.xsave().xmmLow(5), now.xsave().xmmLow(5));
            assertEquals(0x5555aaaa5555aaaaL, now.xsave().xmmLow(5));
            assertEquals(0x42L, now.msr(0x174));
            assertEquals(0x7777000L, now.msr(0xc0000102));
            DebugRegs d = now.debugRegs();
            assertEquals(0xabcd0, d.db()[1]);
            assertEquals(saved.mpState(), now.mpState());
            assertEquals(0xb7, b.vm.getIrqchip(Irqchip.PIC_MASTER).pic().imr());
            assertTrue(Long.compareUnsigned(now.msr(0x10), saved.msr(0x10)) >= 0, "the TSC did not go backwards");
            assertTrue(b.vm.getClockData().clock() >= a_clock(vmBlob), "kvmclock did not go backwards");

            for (int i = 6; i <= 9; i++) assertEquals(i, count(v.run()), "the restored guest counts on");
            assertEquals(9, v.getRegs().rbx() & 0xffff);
            assertEquals(9, b.readU16(0x2000));
        }
    }

    @Test
    void anApWaitingForSipiIsSavedWithoutRunningAndRestoredWaiting() throws Exception {
        VcpuState[] saved = new VcpuState[1];
        try (TestVm a = new TestVm(1 << 20, 0, true)) {
            a.vcpuAt(0, 0x1000, COUNTER);
            VcpuFd ap = a.vm.createVcpu(1);
            assertEquals(io.minivmm.kvm.sys.Uapi.KVM_MP_STATE_UNINITIALIZED, ap.getMpState());
            // An uninitialized AP blocks in KVM_RUN until INIT/SIPI; saveState's KVM_RUN with
            // immediate_exit must not. Run it on a thread that a kick can free, should it block.
            Thread t = new Thread(() -> {
                ap.bindToCurrentThread();
                try {
                    saved[0] = ap.saveState();
                } finally {
                    ap.unbindThread();
                }
            });
            t.start();
            t.join(10_000);
            if (t.isAlive()) {
                ap.kick();
                t.join(10_000);
                fail("saveState blocked in KVM_RUN on an uninitialized AP");
            }
        }
        assertEquals(io.minivmm.kvm.sys.Uapi.KVM_MP_STATE_UNINITIALIZED, saved[0].mpState());
        assertEquals(1, saved[0].vcpuId());
        try (TestVm b = new TestVm(1 << 20, 0, true)) {
            b.vm.createVcpu(0);
            VcpuFd ap = b.vm.createVcpu(1);
            ap.restoreState(VcpuState.fromBytes(saved[0].toBytes()));
            assertEquals(io.minivmm.kvm.sys.Uapi.KVM_MP_STATE_UNINITIALIZED, ap.getMpState());
            assertArrayEquals(saved[0].lapic(), ap.getLapic());
        }
    }

    static long a_clock(byte[] vmBlob) throws Exception { return VmState.fromBytes(vmBlob).clock().clock(); }

    static Irqchip picWithImr(Irqchip pic, int imr) {
        byte[] s = pic.state();
        s[2] = (byte) imr; // kvm_pic_state.imr
        return new Irqchip(pic.chipId(), s);
    }

    @Test
    void restoringIntoAVmWithoutAnIrqchipIsRefusedBeforeAnyIoctl() throws Exception {
        VcpuState s;
        VmState vs;
        try (TestVm a = new TestVm(1 << 20, 0, true)) {
            VcpuFd v = a.vcpuAt(0, 0x1000, COUNTER);
            s = v.saveState();
            vs = a.vm.saveState();
        }
        try (TestVm b = new TestVm()) {
            VcpuFd v = b.vm.createVcpu(0);
            Regs before = v.getRegs();
            assertThrows(IllegalStateException.class, () -> v.restoreState(s));
            assertThrows(IllegalStateException.class, () -> b.vm.restoreState(vs));
            assertEquals(before, v.getRegs(), "nothing was restored");
        }
    }

    @Test
    void aSnapshotTakenRightAfterAnInExitKeepsTheValueTheVmmSupplied() throws Exception {
        // Real mode: in al,0x81; mov bl,al; out 0x80,al; hlt
        int[] code = {0xe4, 0x81, 0x88, 0xc3, 0xe6, 0x80, 0xf4};
        byte[] memory;
        VcpuState s;
        VmState vs;
        try (TestVm a = new TestVm(1 << 20, 0, true)) {
            VcpuFd v = a.vcpuAt(0, 0x1000, code);
            assertInstanceOf(VcpuExit.IoIn.class, v.run());
            v.setIoData(0, 0x3c);
            s = v.saveState(); // completes the IN with 0x3c before reading the registers
            vs = a.vm.saveState();
            memory = a.read(0, (int) a.size);
            assertEquals(0x3c, s.regs().rax() & 0xff);
            assertEquals(0x1002, s.regs().rip());
        }
        try (TestVm b = new TestVm(1 << 20, 0, true)) {
            b.write(0, memory);
            VcpuFd v = b.vm.createVcpu(0);
            b.vm.restoreState(vs);
            v.restoreState(s);
            VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, v.run());
            assertEquals(0x3c, out.data()[0] & 0xff);
        }
    }
}
