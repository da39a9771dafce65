/**
 * TCP-ENO and tcpcrypt, pure protocol engines without I/O: types shared by the wire dialects
 * ({@link dev.tuncrypt.tcpcrypt.Tep}, {@link dev.tuncrypt.tcpcrypt.SymCipher},
 * {@link dev.tuncrypt.tcpcrypt.Role}, {@link dev.tuncrypt.tcpcrypt.SessionId},
 * {@link dev.tuncrypt.tcpcrypt.Result}). The TCP-ENO option model, negotiation outcome and
 * session cache both dialects share live in {@link dev.tuncrypt.tcpcrypt.eno}; the dialect spoken
 * by tcpcryptd 0.5 in {@link dev.tuncrypt.tcpcrypt.v05}, RFC 8547/8548 in
 * {@link dev.tuncrypt.tcpcrypt.rfc8548}; elliptic curves and the KDF in
 * {@link dev.tuncrypt.tcpcrypt.crypto}.
 */
package dev.tuncrypt.tcpcrypt;
