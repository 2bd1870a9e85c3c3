package io.minivmm.kvm.sys;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.jna.Structure;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link JnaFieldOrder} relies on details of this JNA: its {@code Structure.FFIType} declares the
 * order of libffi's {@code ffi_type} with {@code @FieldOrder}, and JNA caches field orders per
 * class in {@code Structure.fieldOrder}. A JNA upgrade that changes either fails here (rather than
 * the hand-over silently doing nothing, or handing over a wrong order).
 */
class JnaFieldOrderTest {
    @Test
    void theHandedOverOrderIsTheAnnotationOfThisJna() throws Exception {
        Class<?> ffi = Class.forName("com.sun.jna.Structure$FFIType", false, getClass().getClassLoader());
        Structure.FieldOrder order = ffi.getAnnotation(Structure.FieldOrder.class);
        assertNotNull(order, "Structure.FFIType has no @FieldOrder");
        assertEquals(List.of(order.value()), JnaFieldOrder.FFI_TYPE);
    }

    @Test
    void jnaHoldsTheOrderInItsCacheAfterTheFirstRegistration() throws Exception {
        assertEquals(-1, LibC.close(-1)); // LibC registers (its Libc initialiser hands the order over first)
        Class<?> ffi = Class.forName("com.sun.jna.Structure$FFIType", false, getClass().getClassLoader());
        Field f = Structure.class.getDeclaredField("fieldOrder");
        f.setAccessible(true);
        Map<?, ?> cache = (Map<?, ?>) f.get(null);
        assertSame(JnaFieldOrder.FFI_TYPE, cache.get(ffi),
                "JNA's field-order cache does not hold the handed-over list: it read the annotation itself");
        assertFalse(JnaFieldOrder.preset(), "a second hand-over must do nothing");
    }
}
