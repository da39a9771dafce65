/**
 * TCP-ENO and tcpcrypt, pure protocol engines without I/O: types shared by the wire dialects
 * ({@link dev.tuncrypt.tcpcrypt.Tep}, {@link dev.tuncrypt.tcpcrypt.SymCipher},
 * {@link dev.tuncrypt.tcpcrypt.Role}, {@link dev.tuncrypt.tcpcrypt.SessionId},
 * {@link dev.tuncrypt.tcpcrypt.Result}). The TCP-ENO option model, negotiation outcome and
 * session cache both dialects share live in {@link dev.tuncrypt.tcpcrypt.eno}; the dialect spoken
 * by tcpcryptd 0.5 in {@link dev.tuncrypt.tcpcrypt.v05}, RFC 8547/8548 in
 * {@link dev.tuncrypt.tcpcrypt.rfc8548}; elliptic curves and the KDF in
 * {@link dev.tuncrypt.tcpcrypt.crypto}.
 *
 * <p>The engine that joins them to a TCP connection is one for both dialects:
 * {@code TcpCryptProtection} negotiates through one {@code EnoDialect} strategy per connection
 * ({@code Rfc8547Eno}, {@code Tcpcrypt05Eno}), and {@code FramedStream} runs the encrypted stream
 * with that dialect's {@code DialectCodec} ({@code Rfc8548Codec}, {@code Tcpcrypt05Codec}) and
 * {@code SessionKeys}.
 */
package dev.tuncrypt.tcpcrypt;
