package io.minivmm.vmm.devices;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Devices are pure state machines: no KVM, no native code, no logging framework. */
class DevicesBoundaryTest {
    @Test
    void devicesDependOnNeitherKvmNorNativeCode() {
        JavaClasses devices = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.minivmm.vmm.devices");
        noClasses().that().resideInAPackage("io.minivmm.vmm.devices..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.minivmm.kvm..", "com.sun.jna..", "jnr..", "org.apache.logging..")
                .check(devices);
    }
}
