/** Safe Java wrappers of the KVM API: one class per file-descriptor kind, methods named after the ioctl. */
package io.minivmm.kvm;
