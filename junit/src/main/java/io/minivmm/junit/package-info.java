/**
 * minivmm's JUnit 5 support artifact ({@code io.minivmm:junit}). The KVM condition,
 * {@link io.minivmm.kvm.junit.RequiresKvm}, still lives in kvm-bindings (package
 * {@code io.minivmm.kvm.junit}, with JUnit as an optional dependency there) because kvm-bindings'
 * own tests use it and a module of its own would depend on kvm-bindings: a cycle. This artifact
 * brings the JUnit API those classes need; JUnit 5 extensions that need the whole VMM (the
 * snapshot extension) belong here.
 */
package io.minivmm.junit;
