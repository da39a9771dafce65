package dev.tuncrypt.tcpstack.ip;

import dev.tuncrypt.tcpstack.DropReason;
import dev.tuncrypt.tcpstack.StackCounters;
import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.Ipv4View;
import dev.tuncrypt.tcpstack.wire.WireError;
import java.nio.ByteBuffer;

/**
 * IPv4 fragment reassembly (RFC 791 §3.2, RFC 815 hole tracking) with hard limits: a fixed
 * number of datagrams in progress, a memory budget, and a timeout. Fragments that overlap
 * anything but an exact duplicate discard the whole datagram (the safe policy of RFC 5722,
 * applied to IPv4 as Linux does), so no overlapping-fragment attack can choose which bytes win.
 */
public final class Ipv4Reassembler {
    /** Limits of the reassembler. */
    public record Limits(int maxDatagrams, int memoryBytes, long timeoutNanos, int maxFragmentsPerDatagram) {
        /** Linux-like defaults: 64 datagrams, 4 MiB, 30 s, 64 fragments each. */
        public static final Limits DEFAULT = new Limits(64, 4 << 20, 30_000_000_000L, 64);
    }

    private static final int MAX_DATAGRAM = 65535;

    private final Limits limits;
    private final StackCounters counters;
    private final Slot[] slots;
    private final ByteBuffer assembled = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private int memoryInUse;
    private TimeoutListener timeoutListener = (b, o, l, s, d) -> {};

    /** Told when a datagram times out with its first fragment present (for ICMP time exceeded). */
    @FunctionalInterface
    public interface TimeoutListener {
        void timedOut(ByteBuffer firstFragment, int offset, int length, int source, int destination);
    }

    public Ipv4Reassembler(Limits limits, StackCounters counters) {
        this.limits = limits;
        this.counters = counters;
        this.slots = new Slot[limits.maxDatagrams()];
    }

    public void onTimeout(TimeoutListener listener) {
        this.timeoutListener = listener;
    }

    /** Bytes currently held for incomplete datagrams. */
    public int memoryInUse() {
        return memoryInUse;
    }

    /** Datagrams currently being reassembled. */
    public int inProgress() {
        int n = 0;
        for (Slot s : slots) {
            if (s != null && s.active) {
                n++;
            }
        }
        return n;
    }

    /**
     * Takes one fragment (a valid IPv4 packet with MF set or a non-zero offset).
     *
     * @return the length of the complete datagram now in {@link #assembled()}, or -1 while
     *     incomplete or when the fragment was dropped (counted)
     */
    public int offer(Ipv4View ip, long now) {
        int offset = ip.fragmentOffset();
        int length = ip.payloadLength();
        boolean more = ip.moreFragments();
        int end = offset + length;
        // RFC 791: every fragment but the last carries a multiple of 8 data octets.
        if ((more && (length & 7) != 0) || (more && length == 0)) {
            counters.malformed(WireError.BAD_FRAGMENT);
            return -1;
        }
        if (end + ip.headerLength() > MAX_DATAGRAM) {
            counters.drop(DropReason.FRAGMENT_TOO_BIG);
            return -1;
        }
        Slot slot = find(ip, now);
        if (slot == null) {
            return -1;
        }
        int overlap = slot.overlaps(offset, end);
        if (overlap == Slot.DUPLICATE) {
            return -1; // an exact copy of what we hold changes nothing
        }
        if (overlap == Slot.CONFLICT || (!more && slot.lastEnd >= 0 && slot.lastEnd != end)
                || (slot.lastEnd >= 0 && end > slot.lastEnd)) {
            counters.drop(DropReason.FRAGMENT_OVERLAP);
            free(slot);
            return -1;
        }
        if (slot.rangeCount == limits.maxFragmentsPerDatagram() || memoryInUse + length > limits.memoryBytes()) {
            counters.drop(DropReason.FRAGMENT_LIMIT);
            free(slot);
            return -1;
        }
        ByteBuffer src = ip.buffer();
        slot.data.put(offset, src, ip.payloadOffset(), length);
        slot.addRange(offset, end);
        memoryInUse += length;
        slot.bytes += length;
        if (offset == 0) {
            slot.headerLength = ip.headerLength();
            slot.header.put(0, src, ip.offset(), slot.headerLength);
        }
        if (!more) {
            slot.lastEnd = end;
        }
        if (slot.lastEnd < 0 || slot.headerLength == 0 || !slot.covers(slot.lastEnd)) {
            return -1;
        }
        int total = slot.headerLength + slot.lastEnd;
        assembled.put(0, slot.header, 0, slot.headerLength);
        assembled.put(slot.headerLength, slot.data, 0, slot.lastEnd);
        // The whole datagram: MF and offset cleared, total length set, checksum redone.
        assembled.putShort(2, (short) total);
        assembled.putShort(6, (short) (assembled.getShort(6) & 0x4000));
        assembled.putShort(10, (short) 0);
        assembled.putShort(10, (short) Checksum.compute(assembled, 0, slot.headerLength));
        free(slot);
        counters.countReassembled();
        return total;
    }

    /** Where {@link #offer} left the last complete datagram. */
    public ByteBuffer assembled() {
        return assembled;
    }

    /** Discards datagrams whose time ran out. */
    public void expire(long now) {
        for (Slot s : slots) {
            if (s != null && s.active && now - s.deadline >= 0) {
                counters.drop(DropReason.FRAGMENT_TIMEOUT);
                if (s.headerLength > 0) {
                    // RFC 792 / RFC 1122 §3.3.2: time exceeded when fragment zero had arrived.
                    int quoted = Math.min(s.bytes, 8);
                    ByteBuffer q = assembled;
                    q.put(0, s.header, 0, s.headerLength);
                    q.put(s.headerLength, s.data, 0, quoted);
                    timeoutListener.timedOut(q, 0, s.headerLength + quoted, s.source, s.destination);
                }
                free(s);
            }
        }
    }

    /** Earliest expiry, or Long.MAX_VALUE. */
    public long nextDeadline() {
        long min = Long.MAX_VALUE;
        for (Slot s : slots) {
            if (s != null && s.active && s.deadline < min) {
                min = s.deadline;
            }
        }
        return min;
    }

    private Slot find(Ipv4View ip, long now) {
        int free = -1;
        for (int i = 0; i < slots.length; i++) {
            Slot s = slots[i];
            if (s != null && s.active && s.matches(ip)) {
                return s;
            }
            if (free < 0 && (s == null || !s.active)) {
                free = i;
            }
        }
        if (free < 0) {
            counters.drop(DropReason.FRAGMENT_LIMIT);
            return null;
        }
        if (slots[free] == null) {
            slots[free] = new Slot(); // lazily, once per slot: the pool then stays
        }
        Slot s = slots[free];
        s.start(ip, now + limits.timeoutNanos());
        return s;
    }

    private void free(Slot s) {
        memoryInUse -= s.bytes;
        s.active = false;
    }

    private static final class Slot {
        static final int FREE = 0;
        static final int DUPLICATE = 1;
        static final int CONFLICT = 2;

        final ByteBuffer data = ByteBuffer.allocate(MAX_DATAGRAM);
        final ByteBuffer header = ByteBuffer.allocate(60);
        int[] starts = new int[8];
        int[] ends = new int[8];
        int rangeCount;
        boolean active;
        int source;
        int destination;
        int protocol;
        int id;
        long deadline;
        int lastEnd;
        int headerLength;
        int bytes;

        void start(Ipv4View ip, long deadline) {
            active = true;
            source = ip.source();
            destination = ip.destination();
            protocol = ip.protocol();
            id = ip.identification();
            this.deadline = deadline;
            rangeCount = 0;
            lastEnd = -1;
            headerLength = 0;
            bytes = 0;
        }

        boolean matches(Ipv4View ip) {
            // RFC 791: fragments belong together by source, destination, protocol and identification.
            return ip.identification() == id && ip.source() == source && ip.destination() == destination
                    && ip.protocol() == protocol;
        }

        int overlaps(int start, int end) {
            for (int i = 0; i < rangeCount; i++) {
                if (starts[i] == start && ends[i] == end) {
                    return DUPLICATE;
                }
                if (start < ends[i] && starts[i] < end) {
                    return CONFLICT;
                }
            }
            return FREE;
        }

        void addRange(int start, int end) {
            if (rangeCount == starts.length) {
                starts = java.util.Arrays.copyOf(starts, rangeCount * 2);
                ends = java.util.Arrays.copyOf(ends, rangeCount * 2);
            }
            starts[rangeCount] = start;
            ends[rangeCount] = end;
            rangeCount++;
        }

        /** Whether the ranges, which never overlap, cover [0, end). */
        boolean covers(int end) {
            int sum = 0;
            for (int i = 0; i < rangeCount; i++) {
                sum += ends[i] - starts[i];
            }
            return sum == end;
        }
    }
}
