/**
 * Host memory mappings: {@link io.minivmm.kvm.memory.MemoryMapping} (guest RAM, shared regions,
 * files), its bounded volatile {@link io.minivmm.kvm.memory.VolatileSlice}, and the
 * {@link io.minivmm.kvm.memory.MemoryMappingArena} reservation (SPEC-seeds.md §1).
 */
package io.minivmm.kvm.memory;
