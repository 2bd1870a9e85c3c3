package io.minivmm.kvm.junit;

import io.minivmm.kvm.Kvm;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The condition behind {@link RequiresKvm}. The availability check runs once per JVM. */
public final class KvmCondition implements ExecutionCondition {
    private static volatile Kvm.Availability cached;

    private static Kvm.Availability availability() {
        Kvm.Availability a = cached;
        if (a == null) cached = a = Kvm.availability();
        return a;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Kvm.Availability a = availability();
        if (a.available()) return ConditionEvaluationResult.enabled(a.reason());
        if (Boolean.getBoolean("minivmm.requireKvm")) {
            throw new IllegalStateException("minivmm.requireKvm=true but KVM is unusable: " + a.reason());
        }
        return ConditionEvaluationResult.disabled("KVM unusable: " + a.reason());
    }
}
