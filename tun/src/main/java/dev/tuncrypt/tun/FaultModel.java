package dev.tuncrypt.tun;

/**
 * What one direction of a {@link MemoryLink} does to the packets it carries. Rates are
 * probabilities per packet, in [0, 1]. Start from {@link #NONE} and adjust with the withers:
 *
 * <pre>{@code
 * FaultModel wan = FaultModel.NONE.withDelay(20_000_000, 2_000_000).withLoss(0.01)
 *         .withRate(10_000_000).withQueueLimit(64);
 * }</pre>
 *
 * @param lossRate chance that a packet vanishes (after it was serialized)
 * @param duplicateRate chance that a packet arrives twice (the copy draws its own faults)
 * @param reorderRate chance that a packet is held back by {@code reorderDelayNanos} extra, so
 *     packets sent after it overtake it
 * @param reorderDelayNanos extra delay of a reordered packet
 * @param corruptRate chance that one random bit of a packet is flipped
 * @param delayNanos one-way propagation delay
 * @param jitterNanos extra delay drawn uniformly from [0, jitterNanos] per packet
 * @param rateBitsPerSecond link rate: packets are serialized one after another at this rate,
 *     counting the IP packet's bytes; 0 = no limit
 * @param queueLimit most packets waiting in the direction's queue, beyond which sends are
 *     tail-dropped; 0 = no limit. With a rate limit the queue is the packets not yet serialized
 *     (the one on the wire included), as in a router; without one, nothing waits for the wire and
 *     the queue is the packets sent but not yet received.
 */
public record FaultModel(double lossRate, double duplicateRate, double reorderRate, long reorderDelayNanos,
        double corruptRate, long delayNanos, long jitterNanos, long rateBitsPerSecond, int queueLimit) {

    /** A perfect link: no faults, no delay, no rate or queue limit. */
    public static final FaultModel NONE = new FaultModel(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public FaultModel {
        checkRate("lossRate", lossRate);
        checkRate("duplicateRate", duplicateRate);
        checkRate("reorderRate", reorderRate);
        checkRate("corruptRate", corruptRate);
        checkNotNegative("reorderDelayNanos", reorderDelayNanos);
        checkNotNegative("delayNanos", delayNanos);
        checkNotNegative("jitterNanos", jitterNanos);
        checkNotNegative("rateBitsPerSecond", rateBitsPerSecond);
        checkNotNegative("queueLimit", queueLimit);
        if (jitterNanos == Long.MAX_VALUE) {
            throw new IllegalArgumentException("jitterNanos too large");
        }
    }

    public FaultModel withLoss(double lossRate) {
        return new FaultModel(lossRate, duplicateRate, reorderRate, reorderDelayNanos, corruptRate, delayNanos,
                jitterNanos, rateBitsPerSecond, queueLimit);
    }

    public FaultModel withDuplicate(double duplicateRate) {
        return new FaultModel(lossRate, duplicateRate, reorderRate, reorderDelayNanos, corruptRate, delayNanos,
                jitterNanos, rateBitsPerSecond, queueLimit);
    }

    /** Holds back a share {@code reorderRate} of packets by {@code reorderDelayNanos} extra. */
    public FaultModel withReorder(double reorderRate, long reorderDelayNanos) {
        return new FaultModel(lossRate, duplicateRate, reorderRate, reorderDelayNanos, corruptRate, delayNanos,
                jitterNanos, rateBitsPerSecond, queueLimit);
    }

    public FaultModel withCorrupt(double corruptRate) {
        return new FaultModel(lossRate, duplicateRate, reorderRate, reorderDelayNanos, corruptRate, delayNanos,
                jitterNanos, rateBitsPerSecond, queueLimit);
    }

    /** Fixed one-way delay plus a uniform jitter in [0, jitterNanos]. */
    public FaultModel withDelay(long delayNanos, long jitterNanos) {
        return new FaultModel(lossRate, duplicateRate, reorderRate, reorderDelayNanos, corruptRate, delayNanos,
                jitterNanos, rateBitsPerSecond, queueLimit);
    }

    /** Link rate in bits per second; 0 = unlimited. */
    public FaultModel withRate(long rateBitsPerSecond) {
        return new FaultModel(lossRate, duplicateRate, reorderRate, reorderDelayNanos, corruptRate, delayNanos,
                jitterNanos, rateBitsPerSecond, queueLimit);
    }

    /** Queue limit in packets; 0 = unlimited. */
    public FaultModel withQueueLimit(int queueLimit) {
        return new FaultModel(lossRate, duplicateRate, reorderRate, reorderDelayNanos, corruptRate, delayNanos,
                jitterNanos, rateBitsPerSecond, queueLimit);
    }

    private static void checkRate(String what, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(what + " must be in [0, 1]: " + rate);
        }
    }

    private static void checkNotNegative(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + value);
        }
    }
}
