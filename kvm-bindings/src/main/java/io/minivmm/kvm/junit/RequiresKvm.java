package io.minivmm.kvm.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a JUnit 5 test (class or method) that needs a usable /dev/kvm. Where KVM is unusable
 * the test is skipped with the reason (e.g. "no permission to open /dev/kvm: ..."); with the
 * system property {@code minivmm.requireKvm=true} (CI on a KVM machine) it fails instead, so a
 * KVM test can never silently not run.
 * <pre>{@code
 * @RequiresKvm
 * class BootTest {
 *     @Test void boots() { ... }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("kvm")
@ExtendWith(KvmCondition.class)
public @interface RequiresKvm {}
