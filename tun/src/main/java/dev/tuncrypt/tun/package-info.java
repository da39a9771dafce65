/**
 * Packet links for the stack: the {@link dev.tuncrypt.tun.PacketLink} interface and what
 * implements or decorates it.
 *
 * <ul>
 *   <li>{@link dev.tuncrypt.tun.TunDevice} opens a Linux TUN interface (multi-queue, optional vnet
 *       header and offloads), configures MTU, state and addresses, and undoes all of it on close;
 *       each of its {@link dev.tuncrypt.tun.TunQueue}s is a link.
 *   <li>{@link dev.tuncrypt.tun.MemoryLink} is an in-memory pair of links with seeded fault
 *       injection ({@link dev.tuncrypt.tun.FaultModel}) for deterministic tests and simulations on
 *       a {@link dev.tuncrypt.tun.ManualClock}.
 *   <li>{@link dev.tuncrypt.tun.PcapTap} records a link's traffic through a
 *       {@link dev.tuncrypt.tun.PcapWriter}.
 *   <li>{@link dev.tuncrypt.tun.Netns} runs code and commands inside network namespaces.
 * </ul>
 *
 * <p>Native calls go through {@link dev.tuncrypt.tun.LibC} (jnr-ffi); failures surface as
 * {@link dev.tuncrypt.tun.TunException}s whose messages say what to do.
 */
package dev.tuncrypt.tun;
