/**
 * Guest page tables, built and read by the VMM in guest-physical memory (SPEC-seeds.md §2-4).
 *
 * <h2>Layers</h2>
 * <ul>
 *   <li>{@link io.minivmm.vmm.paging.PageTable64}: one x86-64 4-level table. Tables are 4 KiB
 *       frames from a {@link io.minivmm.vmm.paging.FrameAllocator}; entries are read and written
 *       through {@link io.minivmm.vmm.memory.PhysMemory}, so the same code edits a real guest's
 *       RAM or a byte array ({@link io.minivmm.vmm.paging.ArrayPhysMemory}) in tests. The entry
 *       format is {@link io.minivmm.vmm.paging.X86Pte}; access rights are the architecture-neutral
 *       {@link io.minivmm.vmm.paging.MappingFlags}.</li>
 *   <li>{@link io.minivmm.vmm.paging.MemorySet} / {@link io.minivmm.vmm.paging.MemoryArea} /
 *       {@link io.minivmm.vmm.paging.Backend}: non-overlapping areas, each mapped by a backend
 *       (linear offset, or allocated frames, populated now or on first fault).</li>
 *   <li>{@link io.minivmm.vmm.paging.AddressSpace}: a range of virtual addresses with its areas,
 *       its table, fault handling and reads/writes through the table.</li>
 *   <li>{@link io.minivmm.vmm.paging.PageWalker}: a small walker over
 *       {@link io.minivmm.vmm.paging.TableReader}/{@link io.minivmm.vmm.paging.TableAccess}, for
 *       reading tables the VMM did not build (the guest's own CR3: crash reports, a debugger,
 *       snapshots), and for writing leaves by kind (basic / copy-on-write).</li>
 * </ul>
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>All-or-nothing: a {@code PageTable64} call that throws {@link io.minivmm.vmm.paging.PagingError}
 *       leaves every entry as it was and every frame it took returned. {@code map} allocates all
 *       missing tables before linking any; {@code mapRegion} logs the tables it creates and clears
 *       what it mapped on failure; {@code unmapRegion}/{@code protectRegion} check for holes before
 *       touching anything and undo their huge-page splits if a split runs out of frames.</li>
 *   <li>Intermediate tables are freed only by {@code close()}, never by unmapping (so a
 *       2 MiB/1 GiB map over a range that once held smaller pages reports ALREADY_MAPPED, as
 *       upstream does).</li>
 *   <li>Leaves carry A preset; a leaf mapped with EMPTY flags is kept (not present to the CPU,
 *       but in use here), so PROT_NONE-style protection keeps the frame.</li>
 *   <li>Virtual addresses are canonical 48-bit; ranges may not wrap or cross the non-canonical
 *       hole. Addresses compare unsigned.</li>
 *   <li>Sharing ({@code copyFrom}) is shallow and the borrower never frees what it borrowed.</li>
 *   <li>Nothing here is thread-safe and nothing flushes TLBs: tables are built before the guest
 *       runs, or edited with its vCPUs stopped.</li>
 * </ul>
 *
 * <p>Hot path: {@code mapRegion} with 4 KiB pages walks from the root once per page table (512
 * pages) and then writes entries in sequence; decoding flags allocates nothing.
 */
package io.minivmm.vmm.paging;
