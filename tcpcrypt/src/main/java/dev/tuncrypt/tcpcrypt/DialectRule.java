package dev.tuncrypt.tcpcrypt;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * The dialects to use with the peers of one address prefix ({@code --dialect-for
 * PREFIX=DIALECT}), e.g. tcpcrypt-0.5 for legacy tcpcryptd hosts while the rest speak rfc8548.
 * It applies to both roles: what a connection to such a peer offers, and what a connection from
 * one accepts. The most specific matching rule wins ({@link TcpCryptConfig#forPeer}).
 *
 * @param network the prefix's address (bits beyond {@code prefixLength} are ignored)
 * @param prefixLength 0-32 (IPv4) or 0-128 (IPv6)
 * @param dialects as {@link TcpCryptConfig#dialects()}: the first is offered, all are accepted
 */
public record DialectRule(InetAddress network, int prefixLength, List<Dialect> dialects) {
    public DialectRule {
        Objects.requireNonNull(network, "network");
        dialects = List.copyOf(dialects);
        if (prefixLength < 0 || prefixLength > network.getAddress().length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " for " + network.getHostAddress());
        }
        if (dialects.isEmpty() || dialects.stream().distinct().count() != dialects.size()) {
            throw new IllegalArgumentException("a rule names at least one dialect, each once");
        }
    }

    /** Whether {@code peer} lies in this prefix (same address family only). */
    public boolean matches(InetAddress peer) {
        byte[] a = network.getAddress();
        byte[] b = peer.getAddress();
        if (a.length != b.length) {
            return false;
        }
        int bits = prefixLength;
        for (int i = 0; bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if (((a[i] ^ b[i]) & mask) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength + "=" + String.join(",", dialects.stream().map(Dialect::wireName).toList());
    }
}
