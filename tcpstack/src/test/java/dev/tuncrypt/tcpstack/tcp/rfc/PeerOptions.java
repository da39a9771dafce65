package dev.tuncrypt.tcpstack.tcp.rfc;

/**
 * The options the test's peer puts on its SYN or SYN-ACK (Linux order: MSS, SACK-permitted,
 * timestamps, window scale).
 *
 * @param mss MSS option value, or -1 for none
 * @param windowScale shift count, or -1 for no window scale option
 */
public record PeerOptions(int mss, int windowScale, boolean sackPermitted, boolean timestamps) {
    /** What Linux offers by default: MSS 1460, SACK-permitted, timestamps, window scale 7. */
    public static final PeerOptions ALL = new PeerOptions(1460, 7, true, true);
    /** A bare SYN: no options at all. */
    public static final PeerOptions NONE = new PeerOptions(-1, -1, false, false);

    public PeerOptions withMss(int m) {
        return new PeerOptions(m, windowScale, sackPermitted, timestamps);
    }

    public PeerOptions withWindowScale(int ws) {
        return new PeerOptions(mss, ws, sackPermitted, timestamps);
    }

    public PeerOptions withSack(boolean on) {
        return new PeerOptions(mss, windowScale, on, timestamps);
    }

    public PeerOptions withTimestamps(boolean on) {
        return new PeerOptions(mss, windowScale, sackPermitted, on);
    }

    void addTo(Seg s, long tsVal, long tsEcr) {
        if (mss >= 0) {
            s.mss(mss);
        }
        if (sackPermitted) {
            s.sackPermitted();
        }
        if (timestamps) {
            s.ts(tsVal, tsEcr);
        }
        if (windowScale >= 0) {
            s.ws(windowScale);
        }
    }
}
