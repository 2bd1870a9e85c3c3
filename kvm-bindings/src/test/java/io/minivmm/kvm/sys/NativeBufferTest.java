package io.minivmm.kvm.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * A closed buffer refuses every access: its view points at freed C heap, and one 8-byte write
 * there (an eventfd signalled after close did it) corrupted the JVM's own symbol table and
 * crashed a later class load.
 */
class NativeBufferTest {
    @Test
    void useAfterCloseIsRefusedNotWrittenToFreedMemory() {
        NativeBuffer b = new NativeBuffer(16);
        b.buffer().putLong(0, 42);
        assertEquals(42, b.buffer().getLong(0));
        b.close();
        b.close(); // idempotent
        assertThrows(IllegalStateException.class, b::buffer);
        assertThrows(IllegalStateException.class, b::address);
        assertThrows(IllegalStateException.class, () -> b.cleared(8));
    }
}
