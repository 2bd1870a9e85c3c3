package io.minivmm.vmm;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Boundary rules of ARCHITECTURE.md, checked on the compiled classes. */
class ArchitectureTest {
    static JavaClasses vmm;

    @BeforeAll
    static void importClasses() {
        vmm = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.minivmm.vmm");
    }

    @Test
    void noNativeAccessOutsideKvmBindings() {
        noClasses().that().resideInAPackage("io.minivmm.vmm..")
                .should().dependOnClassesThat().resideInAnyPackage("com.sun.jna..", "jnr..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("sun.misc.Unsafe")
                .because("native code stays in kvm-bindings")
                .check(vmm);
    }

    @Test
    void onlyTheSignalBridgeUsesSunMisc() {
        noClasses().that().resideInAPackage("io.minivmm.vmm..")
                .and().doNotHaveFullyQualifiedName("io.minivmm.vmm.console.Signals")
                .and().doNotHaveFullyQualifiedName("io.minivmm.vmm.console.Signals$Dispatch") // its handler class
                .should().dependOnClassesThat().resideInAnyPackage("sun.misc..")
                .check(vmm);
    }

    @Test
    void vmmCallsNoNativeEntryPointOfKvmBindings() {
        noClasses().that().resideInAPackage("io.minivmm.vmm..")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.minivmm.kvm.sys.LibC")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.minivmm.kvm.sys.LibcMemory")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.minivmm.kvm.sys.NativeStubs")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.minivmm.kvm.posix.Tty$LibC")
                .check(vmm);
    }

    @Test
    void devicesDoNotUseKvm() {
        noClasses().that().resideInAPackage("io.minivmm.vmm.devices..")
                .should().dependOnClassesThat().resideInAnyPackage("io.minivmm.kvm..")
                .check(vmm);
    }

    @Test
    void loaderNeverTouchesAVcpu() {
        noClasses().that().resideInAPackage("io.minivmm.vmm.loader..")
                .should().dependOnClassesThat().resideInAnyPackage("io.minivmm.vmm.vcpu..", "io.minivmm.kvm")
                .allowEmptyShould(true)
                .check(vmm);
    }
}
