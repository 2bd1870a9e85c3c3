/** minivmm: the monitor. The library API is {@code Vm}/{@code VmBuilder}; the CLI is {@code Main}. */
package io.minivmm.vmm;
