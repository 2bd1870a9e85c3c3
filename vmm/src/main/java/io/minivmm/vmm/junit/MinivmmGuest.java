package io.minivmm.vmm.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The guest a {@link VmExtension} test class runs against: booted once (or restored from
 * {@link #snapshot}), snapshotted when its console matches {@link #readyOn}, and reset to that
 * snapshot before each test. Exactly one of {@link #kernel}, {@link #image} or {@link #snapshot}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MinivmmGuest {
    /** A guest image file. */
    String kernel() default "";

    /** A guest image on the class path (e.g. {@code /guests/snapguest.bin}). */
    String image() default "";

    /** Restore this snapshot file instead of booting (then {@link #readyOn} is not waited for). */
    String snapshot() default "";

    /** Image format: auto, bzimage, pvh, elf, multiboot, bootsector, raw. */
    String format() default "auto";

    /** Raw images: load address, entry (default: the load address) and mode (real, protected, long). */
    long loadAddress() default -1;

    long entry() default -1;

    String mode() default "long";

    String initrd() default "";

    /** Kernel command line; empty: the default. */
    String cmdline() default "";

    int memoryMiB() default 256;

    int cpus() default 1;

    /** The console output (a regex) that says the guest is ready: the snapshot is taken there. */
    String readyOn() default "";

    /** How long the boot may take to reach {@link #readyOn}, and each expect() in the tests. */
    int timeoutSeconds() default 120;
}
