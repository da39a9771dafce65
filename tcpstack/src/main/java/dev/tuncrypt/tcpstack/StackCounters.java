package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.wire.WireError;
import java.util.StringJoiner;

/**
 * Packet counters of one stack loop, written only by that loop's thread (plain fields, no
 * atomics on the hot path). Other threads read a {@link #copy()} taken on the loop.
 */
public final class StackCounters {
    private static final DropReason[] REASONS = DropReason.values();
    private static final WireError[] WIRE_ERRORS = WireError.values();

    long rxPackets;
    long rxBytes;
    long txPackets;
    long txBytes;
    long echoReplies;
    long icmpErrorsSent;
    long resetsSent;
    long datagramsReassembled;
    long forwarded;
    long drainReads;
    long drainLimits;
    long packetsReadAhead;
    long readAheadsFull;
    private final long[] drops = new long[REASONS.length];
    private final long[] malformed = new long[WIRE_ERRORS.length];

    /** Counts a dropped packet. */
    public void drop(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    /** Counts a packet that failed wire validation. */
    public void malformed(WireError error) {
        drops[DropReason.MALFORMED.ordinal()]++;
        malformed[error.ordinal()]++;
    }

    public void countEchoReply() {
        echoReplies++;
    }

    public void countIcmpError() {
        icmpErrorsSent++;
    }

    public void countReset() {
        resetsSent++;
    }

    /** A packet handed to the loop owning its flow. */
    public void countForwarded() {
        forwarded++;
    }

    /** Packets handed to another loop that owns their flow. */
    public long forwarded() {
        return forwarded;
    }

    /** A read made at once because the one before filled the batch (the device's queue had more). */
    public void countDrainRead() {
        drainReads++;
    }

    /** A turn that stopped reading at its limit of full batches with the queue maybe not empty. */
    public void countDrainLimit() {
        drainLimits++;
    }

    /** Reads made at once after a full batch, before the turn's output. */
    public long drainReads() {
        return drainReads;
    }

    /** Turns that read their limit of full batches. */
    public long drainLimits() {
        return drainLimits;
    }

    /** Packets read from the link between the loop's writes and processed at its next turn. */
    public long packetsReadAhead() {
        return packetsReadAhead;
    }

    /** Reads between writes skipped because every spare batch was full. */
    public long readAheadsFull() {
        return readAheadsFull;
    }

    public void countReassembled() {
        datagramsReassembled++;
    }

    public void countRx(int bytes) {
        rxPackets++;
        rxBytes += bytes;
    }

    public void countTx(int bytes) {
        txPackets++;
        txBytes += bytes;
    }

    public long drops(DropReason reason) {
        return drops[reason.ordinal()];
    }

    /** Packets dropped for failing {@code error}'s check. */
    public long malformedCount(WireError error) {
        return malformed[error.ordinal()];
    }

    public long totalDrops() {
        long sum = 0;
        for (long d : drops) {
            sum += d;
        }
        return sum;
    }

    public long rxPackets() {
        return rxPackets;
    }

    public long rxBytes() {
        return rxBytes;
    }

    public long txPackets() {
        return txPackets;
    }

    public long txBytes() {
        return txBytes;
    }

    public long echoReplies() {
        return echoReplies;
    }

    public long icmpErrorsSent() {
        return icmpErrorsSent;
    }

    public long resetsSent() {
        return resetsSent;
    }

    public long datagramsReassembled() {
        return datagramsReassembled;
    }

    /** A detached copy. */
    public StackCounters copy() {
        StackCounters c = new StackCounters();
        c.add(this);
        return c;
    }

    /** Adds {@code other} into this (to sum loops). */
    public void add(StackCounters other) {
        rxPackets += other.rxPackets;
        rxBytes += other.rxBytes;
        txPackets += other.txPackets;
        txBytes += other.txBytes;
        echoReplies += other.echoReplies;
        icmpErrorsSent += other.icmpErrorsSent;
        resetsSent += other.resetsSent;
        datagramsReassembled += other.datagramsReassembled;
        forwarded += other.forwarded;
        drainReads += other.drainReads;
        drainLimits += other.drainLimits;
        packetsReadAhead += other.packetsReadAhead;
        readAheadsFull += other.readAheadsFull;
        for (int i = 0; i < drops.length; i++) {
            drops[i] += other.drops[i];
        }
        for (int i = 0; i < malformed.length; i++) {
            malformed[i] += other.malformed[i];
        }
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        j.add("rx " + rxPackets).add("tx " + txPackets).add("echo " + echoReplies)
                .add("rst " + resetsSent).add("icmp-err " + icmpErrorsSent)
                .add("drain-reads " + drainReads).add("drain-limits " + drainLimits)
                .add("read-ahead " + packetsReadAhead).add("read-ahead-full " + readAheadsFull);
        for (DropReason r : REASONS) {
            if (drops[r.ordinal()] != 0) {
                j.add(r.name().toLowerCase() + " " + drops[r.ordinal()]);
            }
        }
        for (WireError e : WIRE_ERRORS) {
            if (malformed[e.ordinal()] != 0) {
                j.add("malformed:" + e.name().toLowerCase() + " " + malformed[e.ordinal()]);
            }
        }
        return j.toString();
    }
}
