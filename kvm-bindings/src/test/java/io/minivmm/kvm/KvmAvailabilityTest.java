package io.minivmm.kvm;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Availability answers with a reason and a fix; no KVM needed (the device path is redirected). */
class KvmAvailabilityTest {
    @AfterEach
    void reset() { System.clearProperty("minivmm.kvm.device"); }

    @Test
    void missingDeviceSaysHowToFixIt() {
        System.setProperty("minivmm.kvm.device", "/nonexistent/kvm");
        Kvm.Availability a = Kvm.availability();
        assertFalse(a.available());
        assertTrue(a.reason().contains("/nonexistent/kvm does not exist"), a.reason());
        assertTrue(a.reason().contains("modprobe"), a.reason());
        KvmUnavailableException e = assertThrows(KvmUnavailableException.class, Kvm::open);
        assertEquals(2, e.errno());
    }

    @Test
    void aDeviceThatIsNotKvmIsRefused() {
        System.setProperty("minivmm.kvm.device", "/dev/null");
        Kvm.Availability a = Kvm.availability();
        assertFalse(a.available());
        assertTrue(a.reason().contains("/dev/null is not a KVM device"), a.reason());
    }
}
