package io.minivmm.kvm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.kvm.sys.Uapi;
import io.minivmm.kvm.x86.ClockData;
import io.minivmm.kvm.x86.IoapicState;
import io.minivmm.kvm.x86.Irqchip;
import io.minivmm.kvm.x86.PicState;
import io.minivmm.kvm.x86.PitChannel;
import io.minivmm.kvm.x86.PitState2;
import org.junit.jupiter.api.Test;

/** KVM_GET/SET_IRQCHIP, KVM_GET/SET_PIT2, KVM_GET/SET_CLOCK with flags, the dirty log. */
@RequiresKvm
class VmStateKvmTest {
    /** Programs the master PIC (base 0x20, only IRQ 5 unmasked) and PIT channel 0 (mode 2, 0x1234), then out 0x80. */
    static final int[] PROGRAM_PIC_AND_PIT = {
        0xb0, 0x11, 0xe6, 0x20, 0xb0, 0x20, 0xe6, 0x21, 0xb0, 0x04, 0xe6, 0x21, 0xb0, 0x01, 0xe6, 0x21,
        0xb0, 0xdf, 0xe6, 0x21,
        0xb0, 0x34, 0xe6, 0x43, 0xb0, 0x34, 0xe6, 0x40, 0xb0, 0x12, 0xe6, 0x40,
        0xb0, 0x99, 0xe6, 0x80, 0xf4};

    @Test
    void irqchipAndPitReflectWhatTheGuestProgrammedAndMoveToAnotherVm() {
        Irqchip master, slave, ioapic;
        PitState2 pit;
        try (TestVm t = new TestVm(1 << 20, 0, true)) {
            PicState before = t.vm.getIrqchip(Irqchip.PIC_MASTER).pic();
            VcpuFd v = t.vcpuAt(0, 0x1000, PROGRAM_PIC_AND_PIT);
            VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, v.run());
            assertEquals(0x80, out.port(), "the PIC and PIT ports are handled in the kernel");
            master = t.vm.getIrqchip(Irqchip.PIC_MASTER);
            slave = t.vm.getIrqchip(Irqchip.PIC_SLAVE);
            ioapic = t.vm.getIrqchip(Irqchip.IOAPIC);
            PicState m = master.pic();
            assertEquals(0x20, m.irqBase());
            assertEquals(0xdf, m.imr());
            assertNotEquals(before, m);
            IoapicState io = ioapic.ioapic();
            assertEquals(0xfec00000L, io.baseAddress());
            assertTrue(io.masked(5), "the IOAPIC pins start masked");
            pit = t.vm.getPit2();
            PitChannel ch0 = pit.channels().get(0);
            assertEquals(0x1234, ch0.count());
            assertEquals(2, ch0.mode());
            assertThrows(IllegalStateException.class, master::ioapic);
            assertThrows(IllegalStateException.class, ioapic::pic);
        }
        try (TestVm t2 = new TestVm(1 << 20, 0, true)) {
            assertNotEquals(master, t2.vm.getIrqchip(Irqchip.PIC_MASTER));
            t2.vm.setIrqchip(master);
            t2.vm.setIrqchip(slave);
            t2.vm.setIrqchip(ioapic);
            t2.vm.setPit2(pit);
            assertEquals(master, t2.vm.getIrqchip(Irqchip.PIC_MASTER));
            assertEquals(slave, t2.vm.getIrqchip(Irqchip.PIC_SLAVE));
            assertEquals(ioapic, t2.vm.getIrqchip(Irqchip.IOAPIC));
            PitChannel ch0 = t2.vm.getPit2().channels().get(0);
            assertEquals(0x1234, ch0.count());
            assertEquals(2, ch0.mode());
        }
    }

    @Test
    void irqchipErrorsNameTheIoctl() {
        try (TestVm t = new TestVm()) {
            KvmException e = assertThrows(KvmException.class, () -> t.vm.getIrqchip(Irqchip.PIC_MASTER));
            assertEquals("KVM_GET_IRQCHIP", e.call(), "no in-kernel irqchip");
            assertEquals("KVM_GET_PIT2", assertThrows(KvmException.class, t.vm::getPit2).call());
        }
    }

    @Test
    void clockFlagsAndSetRoundTrip() {
        try (TestVm t = new TestVm(1 << 20, 0, true)) {
            ClockData c = t.vm.getClockData();
            assertTrue(c.clock() >= 0);
            if ((c.flags() & ClockData.REALTIME) != 0) {
                assertTrue(Math.abs(c.realtime() / 1_000_000 - System.currentTimeMillis()) < 60_000, "realtime is wall time");
            }
            // What KVM reported can be handed back as is (TSC_STABLE and the host-time flags are accepted).
            t.vm.setClockData(c);
            long target = 123_000_000_000L;
            t.vm.setClockData(ClockData.at(target));
            long now = t.vm.getClockData().clock();
            assertTrue(now >= target && now < target + 5_000_000_000L, "clock " + now);
            assertEquals(Uapi.KVM_CLOCK_TSC_STABLE, ClockData.TSC_STABLE);
            assertEquals(Uapi.KVM_CLOCK_REALTIME, ClockData.REALTIME);
            assertEquals(Uapi.KVM_CLOCK_HOST_TSC, ClockData.HOST_TSC);
            System.err.println("VmStateKvmTest: KVM_GET_CLOCK flags 0x" + Integer.toHexString(c.flags()));
        }
    }

    /** mov byte [0x5000],1; mov word [0x9abc],0x77; out 0x80,al; jmp 0x1000 (real mode, DS 0). */
    static final int[] TWO_WRITES = {0xc6, 0x06, 0x00, 0x50, 0x01, 0xc7, 0x06, 0xbc, 0x9a, 0x77, 0x00, 0xe6, 0x80,
        0xeb, 0xf1};

    @Test
    void aGuestWriteMarksExactlyThatPageDirty() {
        try (TestVm t = new TestVm(1 << 20, Uapi.KVM_MEM_LOG_DIRTY_PAGES, false)) {
            VcpuFd v = t.vcpuAt(0, 0x1000, TWO_WRITES);
            long[] initial = t.vm.getDirtyLog(0, 256);
            assertEquals(4, initial.length);
            assertArrayEquals(new long[4], initial, "nothing dirty before the guest ran (host writes are not logged)");
            assertInstanceOf(VcpuExit.IoOut.class, v.run());
            long[] log = t.vm.getDirtyLog(0, 256);
            assertArrayEquals(new long[] {(1L << 5) | (1L << 9), 0, 0, 0}, log, "pages 5 and 9, nothing else");
            assertArrayEquals(new long[4], t.vm.getDirtyLog(0, 256), "KVM_GET_DIRTY_LOG resets the log");
            assertInstanceOf(VcpuExit.IoOut.class, v.run());
            assertArrayEquals(new long[] {(1L << 5) | (1L << 9), 0, 0, 0}, t.vm.getDirtyLog(0, 256));
            assertThrows(IllegalArgumentException.class, () -> t.vm.getDirtyLog(0, 257));
            assertThrows(IllegalArgumentException.class, () -> t.vm.getDirtyLog(3, 1));
        }
    }

    @Test
    void manualProtectKeepsBitsUntilCleared() {
        try (TestVm t = new TestVm(1 << 20, 0, false)) {
            if (!t.kvm.has(Cap.MANUAL_DIRTY_LOG_PROTECT2)) return;
            t.vm.setUserMemoryRegion(0, 0, 0, 0, t.mem);
            t.vm.enableCap(Cap.MANUAL_DIRTY_LOG_PROTECT2, Uapi.KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);
            t.vm.setUserMemoryRegion(0, Uapi.KVM_MEM_LOG_DIRTY_PAGES, 0, t.size, t.mem);
            VcpuFd v = t.vcpuAt(0, 0x1000, TWO_WRITES);
            assertInstanceOf(VcpuExit.IoOut.class, v.run());
            long dirty = (1L << 5) | (1L << 9);
            assertEquals(dirty, t.vm.getDirtyLog(0, 256)[0]);
            assertEquals(dirty, t.vm.getDirtyLog(0, 256)[0], "with manual protection, reading does not clear");
            t.vm.clearDirtyLog(0, 0, 64, new long[] {1L << 5});
            assertEquals(1L << 9, t.vm.getDirtyLog(0, 256)[0], "page 5 cleared, page 9 still dirty");
            t.vm.clearDirtyLog(0, 0, 64, new long[] {1L << 9});
            assertEquals(0, t.vm.getDirtyLog(0, 256)[0]);
            assertInstanceOf(VcpuExit.IoOut.class, v.run());
            assertEquals(dirty, t.vm.getDirtyLog(0, 256)[0], "cleared pages are write-protected again");
        }
    }
}
