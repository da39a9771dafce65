package dev.tuncrypt.tcpstack.ip;

import dev.tuncrypt.tcpstack.DropReason;
import dev.tuncrypt.tcpstack.InboundPacket;
import dev.tuncrypt.tcpstack.StackAddresses;
import dev.tuncrypt.tcpstack.StackCounters;
import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tun.Clock;
import java.nio.ByteBuffer;

/**
 * Sends ICMP and ICMPv6 error messages about an inbound packet, obeying the rules on when an
 * error must not be sent (RFC 1122 §3.2.2, RFC 4443 §2.4(e)) and a token-bucket rate limit
 * (RFC 1812 §4.3.2.8, RFC 4443 §2.4(f)).
 */
public final class IcmpErrors {
    public static final int ICMP_DEST_UNREACHABLE = 3;
    public static final int ICMP_TIME_EXCEEDED = 11;
    public static final int UNREACH_PROTOCOL = 2;
    public static final int UNREACH_PORT = 3;
    public static final int TIME_EXCEEDED_REASSEMBLY = 1;

    public static final int ICMP6_DEST_UNREACHABLE = 1;
    public static final int ICMP6_PARAMETER_PROBLEM = 4;
    public static final int UNREACH6_PORT = 4;
    public static final int PARAM6_NEXT_HEADER = 1;

    /** RFC 1812 §4.3.2.3: an ICMPv4 error quotes at most 576 bytes in all. */
    private static final int V4_MAX = 576;
    /** RFC 4443 §2.4(c): an ICMPv6 error must not exceed the minimum IPv6 MTU. */
    private static final int V6_MAX = 1280;

    private final IpOutput output;
    private final StackAddresses addresses;
    private final StackCounters counters;
    private final Clock clock;
    private final long refillIntervalNanos;
    private final int burst;
    private int tokens;
    private long lastRefill;

    /**
     * @param perSecond sustained error rate allowed
     * @param burst tokens available at once
     */
    public IcmpErrors(IpOutput output, StackAddresses addresses, StackCounters counters, Clock clock,
            int perSecond, int burst) {
        this.output = output;
        this.addresses = addresses;
        this.counters = counters;
        this.clock = clock;
        this.refillIntervalNanos = 1_000_000_000L / Math.max(1, perSecond);
        this.burst = burst;
        this.tokens = burst;
        this.lastRefill = clock.nanos();
    }

    /** Destination unreachable (protocol or port) about {@code p}. */
    public void unreachable(InboundPacket p, int code) {
        if (p.isV6()) {
            sendV6(p, ICMP6_DEST_UNREACHABLE, UNREACH6_PORT, 0);
        } else {
            sendV4(p, ICMP_DEST_UNREACHABLE, code);
        }
    }

    /** IPv6 parameter problem, unrecognized next header at {@code pointer} (RFC 4443 §3.4). */
    public void unknownNextHeaderV6(InboundPacket p, int pointer) {
        sendV6(p, ICMP6_PARAMETER_PROBLEM, PARAM6_NEXT_HEADER, pointer);
    }

    /** Time exceeded, fragment reassembly (RFC 792), quoting an IPv4 packet held in {@code quoted}. */
    public void reassemblyTimeoutV4(ByteBuffer quoted, int offset, int length, int source, int destination) {
        if (!allowedV4Source(source) || !take()) {
            counters.drop(DropReason.ICMP_ERROR_SUPPRESSED);
            return;
        }
        writeV4(quoted, offset, length, destination, source, ICMP_TIME_EXCEEDED, TIME_EXCEEDED_REASSEMBLY);
    }

    private void sendV4(InboundPacket p, int type, int code) {
        // RFC 1122 §3.2.2: never about an ICMP error, a non-unicast destination or source,
        // or a non-initial fragment (reassembled datagrams are whole here).
        if (!p.destinationLocal() || !allowedV4Source(p.source4()) || isIcmpErrorV4(p)) {
            counters.drop(DropReason.ICMP_ERROR_SUPPRESSED);
            return;
        }
        if (!take()) {
            counters.drop(DropReason.ICMP_ERROR_SUPPRESSED);
            return;
        }
        writeV4(p.buffer(), p.ipOffset(), p.ipLength(), p.destination4(), p.source4(), type, code);
    }

    private void writeV4(ByteBuffer src, int offset, int length, int from, int to, int type, int code) {
        ByteBuffer tx = output.buffer();
        int at = IpOutput.V4_PAYLOAD;
        int quote = Math.min(length, V4_MAX - 20 - 8);
        tx.put(at, (byte) type).put(at + 1, (byte) code).putShort(at + 2, (short) 0).putInt(at + 4, 0);
        tx.put(at + 8, src, offset, quote);
        int icmpLength = 8 + quote;
        tx.putShort(at + 2, (short) Checksum.compute(tx, at, icmpLength, 0));
        if (output.sendV4(from, to, 1, icmpLength)) {
            counters.countIcmpError();
        }
    }

    private void sendV6(InboundPacket p, int type, int code, int pointer) {
        // RFC 4443 §2.4(e): not about an ICMPv6 error, a multicast destination, or from a
        // non-unicast source.
        if (!p.destinationLocal() || !allowedV6Source(p.sourceHi(), p.sourceLo()) || isIcmpErrorV6(p)) {
            counters.drop(DropReason.ICMP_ERROR_SUPPRESSED);
            return;
        }
        if (!take()) {
            counters.drop(DropReason.ICMP_ERROR_SUPPRESSED);
            return;
        }
        ByteBuffer tx = output.buffer();
        int at = IpOutput.V6_PAYLOAD;
        int quote = Math.min(p.ipLength(), V6_MAX - 40 - 8);
        tx.put(at, (byte) type).put(at + 1, (byte) code).putShort(at + 2, (short) 0).putInt(at + 4, pointer);
        tx.put(at + 8, p.buffer(), p.ipOffset(), quote);
        int len = 8 + quote;
        int pseudo = Checksum.pseudoHeaderIpv6(p.destinationHi(), p.destinationLo(), p.sourceHi(), p.sourceLo(), 58, len);
        tx.putShort(at + 2, (short) Checksum.compute(tx, at, len, pseudo));
        if (output.sendV6(p.destinationHi(), p.destinationLo(), p.sourceHi(), p.sourceLo(), 58, len)) {
            counters.countIcmpError();
        }
    }

    private boolean take() {
        long now = clock.nanos();
        long earned = (now - lastRefill) / refillIntervalNanos;
        if (earned > 0) {
            tokens = (int) Math.min(burst, tokens + earned);
            lastRefill += earned * refillIntervalNanos;
        }
        if (tokens == 0) {
            return false;
        }
        tokens--;
        return true;
    }

    private boolean allowedV4Source(int source) {
        int first = source >>> 24;
        return source != 0 && source != -1 && first != 127 && (first & 0xf0) != 0xe0 && !addresses.isLocal4(source);
    }

    private static boolean allowedV6Source(long hi, long lo) {
        boolean unspecified = hi == 0 && lo == 0;
        boolean multicast = (hi >>> 56) == 0xff;
        return !unspecified && !multicast;
    }

    private static boolean isIcmpErrorV4(InboundPacket p) {
        if (p.protocol() != 1 || p.transportLength() < 1) {
            return false;
        }
        int type = p.buffer().get(p.transportOffset()) & 0xff;
        // RFC 1122 §3.2.2: only echo, timestamp, information and address-mask types are queries.
        return type != 0 && type != 8 && type != 13 && type != 14 && type != 15 && type != 16 && type != 17 && type != 18;
    }

    private static boolean isIcmpErrorV6(InboundPacket p) {
        // RFC 4443 §2.1: types 0-127 are errors.
        return p.protocol() == 58 && p.transportLength() >= 1 && (p.buffer().get(p.transportOffset()) & 0x80) == 0;
    }
}
