/**
 * The rfc8548 dialect: TCP-ENO as RFC 8547 specifies it (option kind 69, general suboption with
 * the b and application-aware bits, roles A and B) and tcpcrypt as RFC 8548 specifies it (TEPs
 * 0x21-0x24, 16-bit AEAD identifiers, HKDF-SHA256 key schedule, stream frames whose 12-byte
 * nonce is the frame's offset XOR the nonce randomizer NR, re-keying, resumption). Points the RFC text could not be
 * checked against are listed in docs/rfc8548.md.
 * The option model, the negotiation outcome and the session cache are shared with
 * tcpcrypt-0.5 ({@link dev.tuncrypt.tcpcrypt.eno}).
 */
package dev.tuncrypt.tcpcrypt.rfc8548;
