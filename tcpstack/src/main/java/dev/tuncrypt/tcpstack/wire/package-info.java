/**
 * The wire layer: packet formats, nothing else (like smoltcp's {@code wire} module).
 *
 * <p><b>Views</b> ({@link dev.tuncrypt.tcpstack.wire.Ipv4View}, {@link dev.tuncrypt.tcpstack.wire.Ipv6View},
 * {@link dev.tuncrypt.tcpstack.wire.TcpView}, {@link dev.tuncrypt.tcpstack.wire.UdpView},
 * {@link dev.tuncrypt.tcpstack.wire.IcmpV4View}, {@link dev.tuncrypt.tcpstack.wire.IcmpV6View}) are
 * mutable, reusable flyweights for the hot path: {@code wrap(buf, offset, length)} validates and
 * returns a {@link dev.tuncrypt.tcpstack.wire.WireError} or {@code null}; getters read absolute
 * indices and never move the buffer's position; static {@code writeHeader}/{@code fillChecksum}
 * write in place. {@link dev.tuncrypt.tcpstack.wire.TcpOptions} and
 * {@link dev.tuncrypt.tcpstack.wire.TcpOptionsWriter} read and write TCP options;
 * {@link dev.tuncrypt.tcpstack.wire.Checksum} does RFC 1071/1624 arithmetic. None of them
 * allocates per packet, and none throws for malformed input (only for caller bugs: ranges outside
 * the buffer, impossible field values). Multi-byte fields are read and written big-endian whatever
 * the buffer's own byte order.
 *
 * <p><b>Value records</b> ({@link dev.tuncrypt.tcpstack.wire.Ipv4Header}, {@link dev.tuncrypt.tcpstack.wire.Ipv6Header},
 * {@link dev.tuncrypt.tcpstack.wire.TcpHeader}, {@link dev.tuncrypt.tcpstack.wire.UdpDatagram},
 * {@link dev.tuncrypt.tcpstack.wire.IcmpMessage}) are for tests and code off the hot path.
 * {@code parse(buf)} reads {@code buf}'s {@code [position, limit)}, leaves the position alone and
 * returns a {@link dev.tuncrypt.tcpstack.wire.Parsed}; {@code emit(buf)} writes at the position and
 * advances it; {@code toBytes()} returns what {@code emit} writes. Checksums are derived, over a
 * {@link dev.tuncrypt.tcpstack.wire.PseudoHeader} where the protocol needs one.
 */
package dev.tuncrypt.tcpstack.wire;
