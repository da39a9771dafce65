package dev.tuncrypt.tcpstack.wire;

/**
 * The addresses a transport checksum covers, for the value records' {@code emit} and
 * {@code parse}: {@link V4} (RFC 9293 §3.1, RFC 768) or {@link V6} (RFC 8200 §8.1). The family
 * also picks the rules that differ (UDP's zero checksum).
 */
public sealed interface PseudoHeader permits PseudoHeader.V4, PseudoHeader.V6 {

    /** The pseudo-header sum for {@code length} bytes of upper-layer {@code protocol}. */
    int sum(int protocol, int length);

    record V4(int source, int destination) implements PseudoHeader {
        @Override
        public int sum(int protocol, int length) {
            return Checksum.pseudoHeaderIpv4(source, destination, protocol, length);
        }
    }

    record V6(long sourceHi, long sourceLo, long destinationHi, long destinationLo) implements PseudoHeader {
        @Override
        public int sum(int protocol, int length) {
            return Checksum.pseudoHeaderIpv6(sourceHi, sourceLo, destinationHi, destinationLo, protocol, length);
        }
    }
}
