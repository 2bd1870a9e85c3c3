package io.minivmm.vmm.launcher;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.ResourceBundle;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The launcher's LoggerFinder hands System.Logger messages to the java.util.logging logger of the
 * same name, with the level mapping System.Logger.Level documents, and both providers the
 * launcher's service entries name can be made by ServiceLoader (public, no-argument).
 */
class JulLoggerFinderTest {
    @Test
    void systemLoggersWriteToTheJulLoggerOfTheirName() {
        Logger jul = Logger.getLogger("minivmm.test.finder");
        java.util.logging.Level level = jul.getLevel();
        boolean parents = jul.getUseParentHandlers();
        List<LogRecord> got = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) { got.add(r); }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        jul.addHandler(h);
        jul.setUseParentHandlers(false);
        try {
            jul.setLevel(java.util.logging.Level.FINE);
            System.Logger log = new JulLoggerFinder().getLogger("minivmm.test.finder", getClass().getModule());
            assertEquals("minivmm.test.finder", log.getName());
            assertTrue(log.isLoggable(System.Logger.Level.DEBUG));
            assertFalse(log.isLoggable(System.Logger.Level.TRACE));
            log.log(System.Logger.Level.TRACE, "dropped");
            log.log(System.Logger.Level.WARNING, "disk {0} of {1}", "vda", 2);
            IllegalStateException e = new IllegalStateException("boom");
            log.log(System.Logger.Level.ERROR, "failed", e);
            ResourceBundle bundle = new ListResourceBundle() {
                @Override
                protected Object[][] getContents() { return new Object[][] {{"key", "localised {0}"}}; }
            };
            log.log(System.Logger.Level.INFO, bundle, "key", "text");
            assertEquals(3, got.size(), "TRACE is below the JUL logger's FINE");
            assertEquals(java.util.logging.Level.WARNING, got.get(0).getLevel());
            assertEquals("disk {0} of {1}", got.get(0).getMessage());
            assertArrayEquals(new Object[] {"vda", 2}, got.get(0).getParameters());
            assertEquals(java.util.logging.Level.SEVERE, got.get(1).getLevel());
            assertSame(e, got.get(1).getThrown());
            assertSame(bundle, got.get(2).getResourceBundle());
            assertEquals("localised text", new java.util.logging.SimpleFormatter().formatMessage(got.get(2)));
        } finally {
            jul.removeHandler(h);
            jul.setLevel(level);
            jul.setUseParentHandlers(parents);
        }
    }

    @Test
    void levelsMapAsSystemLoggerDocumentsThem() {
        assertEquals(java.util.logging.Level.ALL, JulLoggerFinder.jul(System.Logger.Level.ALL));
        assertEquals(java.util.logging.Level.FINER, JulLoggerFinder.jul(System.Logger.Level.TRACE));
        assertEquals(java.util.logging.Level.FINE, JulLoggerFinder.jul(System.Logger.Level.DEBUG));
        assertEquals(java.util.logging.Level.INFO, JulLoggerFinder.jul(System.Logger.Level.INFO));
        assertEquals(java.util.logging.Level.WARNING, JulLoggerFinder.jul(System.Logger.Level.WARNING));
        assertEquals(java.util.logging.Level.SEVERE, JulLoggerFinder.jul(System.Logger.Level.ERROR));
        assertEquals(java.util.logging.Level.OFF, JulLoggerFinder.jul(System.Logger.Level.OFF));
    }

    @Test
    void bothProvidersCanBeMadeAsServiceLoaderMakesThem() throws Exception {
        for (Class<?> c : new Class<?>[] {JulLoggerFinder.class, JulLoggerFinder.Spare.class}) {
            assertTrue(java.lang.reflect.Modifier.isPublic(c.getModifiers()), c.getName());
            assertTrue(System.LoggerFinder.class.isAssignableFrom(c), c.getName());
            Object f = c.getConstructor().newInstance();
            assertNotNull(((System.LoggerFinder) f).getLogger("minivmm.test.spare", getClass().getModule()));
        }
    }
}
