package io.minivmm.vmm;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The VMM's logging, through the Log4j 2 API on the logger named {@code minivmm}.
 *
 * <p>In library use the application's Log4j 2 configuration decides, like for any other logger
 * (e.g. {@code <Logger name="minivmm" level="debug"/>}); minivmm ships no configuration in its
 * library artifacts and needs only {@code log4j-api} (without a Log4j implementation on the class
 * path, Log4j's API prints one notice and drops the lines).
 *
 * <p>The CLI sets the system property {@code minivmm.log.level} ({@code error}, {@code warn},
 * {@code info}, {@code debug}, {@code trace}; from {@code -q}/{@code -v}), which then gates every
 * line here before Log4j is touched: Log4j's initialisation costs ~0.5 s of start-up on this class
 * of machine, more than booting a small guest, and a CLI run at the default level that logs
 * nothing never pays it. The CLI jar's own configuration (log4j2.xml, only in vmm.jar) reads the
 * same property.
 */
public final class Log {
    private Log() {}

    private static final int ERROR = 0, WARN = 1, INFO = 2, DEBUG = 3, TRACE = 4;
    /** No {@code minivmm.log.level}: ask the Log4j configuration. */
    private static final int FOLLOW_LOG4J = 5;
    private static volatile int level = -1;

    private static int level() {
        int l = level;
        if (l < 0) {
            String p = System.getProperty("minivmm.log.level");
            l = p == null ? FOLLOW_LOG4J : switch (p) {
                case "error" -> ERROR;
                case "info" -> INFO;
                case "debug" -> DEBUG;
                case "trace" -> TRACE;
                default -> WARN;
            };
            level = l;
        }
        return l;
    }

    private static boolean enabled(int at) {
        int l = level();
        if (l != FOLLOW_LOG4J) return l >= at;
        Logger log = Holder.LOG;
        return switch (at) {
            case ERROR -> log.isErrorEnabled();
            case WARN -> log.isWarnEnabled();
            case INFO -> log.isInfoEnabled();
            case DEBUG -> log.isDebugEnabled();
            default -> log.isTraceEnabled();
        };
    }

    /** Re-reads the level property (after the CLI set it). */
    static void reset() { level = -1; }

    private static final class Holder {
        static final Logger LOG = LogManager.getLogger("minivmm");
    }

    public static boolean debugEnabled() { return enabled(DEBUG); }

    public static boolean traceEnabled() { return enabled(TRACE); }

    public static void error(String fmt, Object... args) { if (enabled(ERROR)) Holder.LOG.error(fmt, args); }

    public static void warn(String fmt, Object... args) { if (enabled(WARN)) Holder.LOG.warn(fmt, args); }

    public static void info(String fmt, Object... args) { if (enabled(INFO)) Holder.LOG.info(fmt, args); }

    public static void debug(String fmt, Object... args) { if (enabled(DEBUG)) Holder.LOG.debug(fmt, args); }

    public static void trace(String fmt, Object... args) { if (enabled(TRACE)) Holder.LOG.trace(fmt, args); }
}
