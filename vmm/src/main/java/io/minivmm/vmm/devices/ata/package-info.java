/**
 * The ATA (IDE) disk controller as a state machine: {@link io.minivmm.vmm.devices.ata.AtaChannel}
 * (one channel, master and slave, PIO), the IDENTIFY DEVICE data it reports
 * ({@link io.minivmm.vmm.devices.ata.AtaIdentify}) and the CHS translation
 * ({@link io.minivmm.vmm.devices.ata.ChsGeometry}). Nothing here touches KVM; the PC's parts
 * ({@code io.minivmm.vmm.pc.IdeChannelPart}) put a channel on its ports and IRQ line.
 */
package io.minivmm.vmm.devices.ata;
