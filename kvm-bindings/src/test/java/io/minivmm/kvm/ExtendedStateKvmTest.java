package io.minivmm.kvm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.kvm.sys.Structs;
import io.minivmm.kvm.sys.Uapi;
import io.minivmm.kvm.x86.Fpu;
import io.minivmm.kvm.x86.MsrEntry;
import io.minivmm.kvm.x86.VcpuEvents;
import io.minivmm.kvm.x86.Xcr;
import io.minivmm.kvm.x86.Xsave;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** XSAVE, XCRs, the MSR lists, many MSRs at once, vCPU events and KVMCLOCK_CTRL on a real vCPU. */
@RequiresKvm
class ExtendedStateKvmTest {
    TestVm t;
    VcpuFd v;

    @BeforeEach
    void setUp() {
        // With the in-kernel irqchip: the SIPI vector lives in the LAPIC, and some PV MSRs
        // (MSR_KVM_ASYNC_PF_INT) refuse writes without it.
        t = new TestVm(1 << 20, 0, true);
        v = t.vcpuAt(0, 0x1000, 0xf4);
        v.setCpuid2(t.kvm.supportedCpuid());
    }

    @AfterEach
    void tearDown() { t.close(); }

    @Test
    void xsaveRoundTripAgreesWithKvmFpu() {
        assertTrue(t.kvm.has(Cap.XSAVE));
        Xsave x = v.getXsave();
        assertEquals(v.xsaveSize(), x.size());
        assertTrue(x.size() >= 4096);
        assertEquals(0x1f80, x.mxcsr(), "power-on MXCSR");
        byte[] region = x.region();
        ByteBuffer b = ByteBuffer.wrap(region).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(160, 0x1122334455667788L);          // xmm0 low
        b.putLong(160 + 16 * 3 + 8, 0x0badc0ffee0ddf00L); // xmm3 high
        b.putInt(24, 0x1fa0);                         // MXCSR
        b.putLong(512, b.getLong(512) | 2);           // XSTATE_BV: SSE state present
        v.setXsave(new Xsave(region));
        Xsave back = v.getXsave();
        assertEquals(0x1122334455667788L, back.xmmLow(0));
        assertEquals(0x1fa0, back.mxcsr());
        // KVM_GET_FPU sees the same registers (its mxcsr field reads 0 on this host's kernel, so
        // the XSAVE area is the one to save).
        Fpu f = v.getFpu();
        assertEquals(0x1122334455667788L, ByteBuffer.wrap(f.xmm()).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
        assertEquals(0x0badc0ffee0ddf00L, ByteBuffer.wrap(f.xmm()).order(ByteOrder.LITTLE_ENDIAN).getLong(56));
        assertThrows(IllegalArgumentException.class, () -> v.setXsave(new Xsave(new byte[v.xsaveSize() + 4])));
    }

    @Test
    void xcr0RoundTripAndKvmRefusesUnsupportedBits() {
        assertTrue(t.kvm.has(Cap.XCRS));
        List<Xcr> xcrs = v.getXcrs();
        assertEquals(0, xcrs.get(0).index());
        assertEquals(1, xcrs.get(0).value() & 1, "x87 is always on in XCR0");
        v.setXcrs(List.of(new Xcr(0, 3)));
        assertEquals(List.of(new Xcr(0, 3)), v.getXcrs());
        KvmException e = assertThrows(KvmException.class, () -> v.setXcrs(List.of(new Xcr(0, 2))));
        assertEquals("KVM_SET_XCRS", e.call(), "XCR0 without x87 is invalid");
    }

    @Test
    void everyListedMsrReadsAndWritesBackInOneCall() {
        int[] list = t.kvm.msrIndexList();
        assertTrue(list.length > 30, list.length + " MSRs");
        List<MsrEntry> all = v.getMsrs(list);
        assertTrue(all.size() > 30, "read " + all.size() + " of " + list.length);
        Map<Integer, Long> byIndex = all.stream().collect(Collectors.toMap(MsrEntry::index, MsrEntry::data));
        assertTrue(byIndex.containsKey(0x10), "IA32_TSC");
        assertTrue(byIndex.containsKey(0xc0000082), "LSTAR");
        v.setMsrs(all);
        v.setMsrs(List.of(new MsrEntry(0x174, 0x10), new MsrEntry(0x175, 0x8000), new MsrEntry(0x176, 0xabcd)));
        // An index KVM does not know, in the middle: the others still come back.
        List<MsrEntry> some = v.getMsrs(0x174, 0x4b564dff, 0x175, 0x176);
        assertEquals(List.of(new MsrEntry(0x174, 0x10), new MsrEntry(0x175, 0x8000), new MsrEntry(0x176, 0xabcd)),
                some);
        KvmException e = assertThrows(KvmException.class, () -> v.setMsrs(List.of(new MsrEntry(0x4b564dff, 1))));
        assertTrue(e.getMessage().contains("0x4b564dff"), e.getMessage());
    }

    @Test
    void moreMsrsThanOneCallCarries() {
        int[] list = t.kvm.msrIndexList();
        int[] many = new int[700];
        for (int i = 0; i < many.length; i++) many[i] = i % 3 == 0 ? 0x174 : i % 3 == 1 ? 0x175 : 0x176;
        List<MsrEntry> got = v.getMsrs(many);
        assertEquals(700, got.size());
        List<MsrEntry> writes = new ArrayList<>();
        for (int i = 0; i < 600; i++) writes.add(new MsrEntry(0x175, i));
        v.setMsrs(writes);
        assertEquals(List.of(new MsrEntry(0x175, 599)), v.getMsrs(0x175));
        assertTrue(list.length < 700);
    }

    @Test
    void featureMsrList() {
        int[] features = t.kvm.msrFeatureIndexList();
        if (t.kvm.has(Cap.GET_MSR_FEATURES)) {
            assertTrue(features.length > 0);
            assertTrue(Arrays.stream(features).allMatch(i -> i != 0));
        } else {
            assertEquals(0, features.length);
        }
    }

    @Test
    void vcpuEventsFullRoundTrip() {
        VcpuEvents reset = v.getVcpuEvents();
        int flags = Uapi.KVM_VCPUEVENT_VALID_NMI_PENDING | Uapi.KVM_VCPUEVENT_VALID_SIPI_VECTOR
                | Uapi.KVM_VCPUEVENT_VALID_SHADOW | Uapi.KVM_VCPUEVENT_VALID_SMM;
        assertEquals(flags & ~Uapi.KVM_VCPUEVENT_VALID_SIPI_VECTOR,
                reset.flags() & ~Uapi.KVM_VCPUEVENT_VALID_PAYLOAD & ~Uapi.KVM_VCPUEVENT_VALID_TRIPLE_FAULT);
        byte[] raw = new byte[64];
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) 1).put(1, (byte) 13).put(2, (byte) 1).putInt(4, 0x18);   // #GP(0x18) injected
        b.put(8, (byte) 1).put(9, (byte) 0x31).put(10, (byte) 0).put(11, (byte) 1); // vector 0x31 injected, MOV-SS shadow
        b.put(12, (byte) 0).put(13, (byte) 1).put(14, (byte) 1);               // NMI pending, masked
        b.putInt(16, 0x9a).putInt(20, flags);                                  // SIPI vector
        boolean smm = t.kvm.has(Cap.X86_SMM);
        b.put(24, (byte) 0).put(25, (byte) (smm ? 1 : 0)); // SMI pending, where KVM has SMM
        VcpuEvents want = Structs.decodeEvents(b);
        v.setVcpuEvents(want);
        VcpuEvents got = v.getVcpuEvents();
        assertTrue(got.exceptionInjected());
        assertEquals(13, got.exceptionNr());
        assertTrue(got.exceptionHasErrorCode());
        assertEquals(0x18, got.exceptionErrorCode());
        assertTrue(got.interruptInjected());
        assertEquals(0x31, got.interruptNr());
        assertEquals(1, got.interruptShadow());
        assertTrue(got.nmiPending());
        assertTrue(got.nmiMasked());
        assertFalse(got.nmiInjected());
        assertEquals(0, got.sipiVector(), "KVM never reports the SIPI vector (x86.c: 'never valid when reporting')");
        assertFalse(got.smm());
        assertEquals(smm, got.smiPending());
        // Round trip of what KVM reports: setting it back changes nothing.
        v.setVcpuEvents(got);
        assertEquals(got, v.getVcpuEvents());
        assertNotEquals(reset, got);
    }

    @Test
    void kvmclockCtrlIsFalseBeforeTheGuestEnablesKvmclock() {
        assertFalse(v.kvmclockCtrl());
    }
}
