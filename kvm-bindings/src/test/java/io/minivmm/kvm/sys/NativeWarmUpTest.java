package io.minivmm.kvm.sys;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.jna.Structure;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeWarmUp#shareWork()} relies on a detail of this JNA: the structure every
 * direct-mapped registration builds first, {@code Structure.FFIType}, declares its layout with
 * {@code @FieldOrder}. If a JNA upgrade changes that, the shared work silently does nothing and
 * start-up gets slower: this test says so instead.
 */
class NativeWarmUpTest {
    @Test
    void jnaStillDeclaresFfiTypeFieldsByAnnotation() throws Exception {
        Class<?> ffi = Class.forName("com.sun.jna.Structure$FFIType", false, getClass().getClassLoader());
        Structure.FieldOrder order = ffi.getAnnotation(Structure.FieldOrder.class);
        assertNotNull(order, "Structure.FFIType has no @FieldOrder: NativeWarmUp.shareWork() prepares nothing");
        assertTrue(order.value().length > 0);
    }
}
