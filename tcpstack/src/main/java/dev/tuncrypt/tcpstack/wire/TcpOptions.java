package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.BigEndian.u16;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u8;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The TCP options of one segment, filled by {@link TcpView#parseOptions(TcpOptions)}. Create one
 * per loop and reuse it: parsing resets it first and allocates nothing. Variable-length contents
 * (ENO, experimental options) are not copied; their absolute offsets into the segment's buffer are
 * recorded, so they are valid only as long as that buffer holds the segment.
 *
 * <p>A later duplicate of an option replaces an earlier one, as Linux's {@code tcp_parse_options}
 * does. Options of kinds this class does not know are skipped by their length and counted
 * (RFC 9293 §3.1: ignore options not implemented, MUST-6); so are experimental options (253,
 * 254) too short to carry an ExID, which Linux also ignores.
 */
public final class TcpOptions {
    public static final int KIND_EOL = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WINDOW_SCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMPS = 8;
    /** TCP-ENO (RFC 8547). */
    public static final int KIND_ENO = 69;
    /** RFC 4727 / RFC 6994 experimental option kinds. */
    public static final int KIND_EXPERIMENT_1 = 253;
    public static final int KIND_EXPERIMENT_2 = 254;
    /** ExID of ENO sent as an experimental option ("EN"), as tcpcryptd 0.5 does. */
    public static final int EXID_ENO = 0x454E;

    /** Option space of a TCP header: data offset 15 words minus the 5 fixed ones. */
    public static final int MAX_LENGTH = 40;
    /** SACK blocks one option can carry: (40 - 2) / 8. */
    public static final int MAX_SACK_BLOCKS = 4;
    /** Experimental options one segment can carry: 40 / 4 (kind, length, 16-bit ExID). */
    public static final int MAX_EXPERIMENTAL = 10;

    private boolean hasMss;
    private int mss;
    private boolean hasWindowScale;
    private int windowScale;
    private boolean sackPermitted;
    private int sackBlockCount;
    private final long[] sackLeft = new long[MAX_SACK_BLOCKS];
    private final long[] sackRight = new long[MAX_SACK_BLOCKS];
    private boolean hasTimestamps;
    private long tsVal;
    private long tsEcr;
    private int enoCount;
    private int enoOffset = -1;
    private int enoLength = -1;
    private int experimentalCount;
    private final int[] experimentalKind = new int[MAX_EXPERIMENTAL];
    private final int[] experimentalExId = new int[MAX_EXPERIMENTAL];
    private final int[] experimentalOffset = new int[MAX_EXPERIMENTAL];
    private final int[] experimentalLength = new int[MAX_EXPERIMENTAL];
    private int unknownCount;

    /** Forgets every option. */
    public void reset() {
        hasMss = false;
        mss = 0;
        hasWindowScale = false;
        windowScale = 0;
        sackPermitted = false;
        sackBlockCount = 0;
        hasTimestamps = false;
        tsVal = 0;
        tsEcr = 0;
        enoCount = 0;
        enoOffset = -1;
        enoLength = -1;
        experimentalCount = 0;
        unknownCount = 0;
    }

    /**
     * Resets, then parses the options in {@code [from, to)} of {@code buf}.
     *
     * @return {@code null} if every option is well-formed
     */
    WireError parse(ByteBuffer buf, int from, int to) {
        Objects.checkFromToIndex(from, to, buf.limit());
        reset();
        int i = from;
        while (i < to) {
            int kind = u8(buf, i);
            if (kind == KIND_EOL) {
                break; // RFC 9293 §3.2: End of Option List; what follows is padding
            }
            if (kind == KIND_NOP) {
                i++; // RFC 9293 §3.2: No-Operation, a single octet
                continue;
            }
            // RFC 9293 §3.1: every other option has a length octet counting kind and length.
            if (to - i < 2) {
                return WireError.OPTION_OVERRUN;
            }
            int len = u8(buf, i + 1);
            WireError e = checkLength(kind, len);
            if (e != null) {
                return e;
            }
            if (len > to - i) {
                return WireError.OPTION_OVERRUN;
            }
            record(buf, kind, i + 2, len - 2);
            i += len;
        }
        return null;
    }

    /**
     * The length rule for an option of {@code kind} whose length octet is {@code len}; shared by
     * the view and the record parser.
     */
    static WireError checkLength(int kind, int len) {
        if (len < 2) {
            // RFC 9293 §3.1: an illegal option length (e.g. zero) must be handled without
            // crashing (MUST-7); it is also the only way a parser could loop forever.
            return WireError.BAD_OPTION_LENGTH;
        }
        boolean ok = switch (kind) {
            case KIND_MSS -> len == 4; // RFC 9293 §3.2: MSS, Length 4
            case KIND_WINDOW_SCALE -> len == 3; // RFC 7323 §2.2: Window Scale, Length 3
            case KIND_SACK_PERMITTED -> len == 2; // RFC 2018 §2: SACK-Permitted, Length 2
            case KIND_SACK -> len >= 10 && len <= 2 + 8 * MAX_SACK_BLOCKS && (len - 2) % 8 == 0; // RFC 2018 §3: 8n+2
            case KIND_TIMESTAMPS -> len == 10; // RFC 7323 §3.2: Timestamps, Length 10
            default -> true; // RFC 8547 ENO, RFC 6994 experimental and unknown kinds: any length >= 2
        };
        return ok ? null : WireError.BAD_OPTION_LENGTH;
    }

    private void record(ByteBuffer buf, int kind, int data, int dataLength) {
        switch (kind) {
            case KIND_MSS -> {
                hasMss = true;
                mss = u16(buf, data);
            }
            case KIND_WINDOW_SCALE -> {
                hasWindowScale = true;
                windowScale = u8(buf, data); // clamping to 14 (RFC 7323 §2.3) is the receiver's job
            }
            case KIND_SACK_PERMITTED -> sackPermitted = true;
            case KIND_SACK -> {
                int n = dataLength / 8;
                for (int b = 0; b < n; b++) {
                    sackLeft[b] = u32(buf, data + 8 * b);
                    sackRight[b] = u32(buf, data + 8 * b + 4);
                }
                sackBlockCount = n;
            }
            case KIND_TIMESTAMPS -> {
                hasTimestamps = true;
                tsVal = u32(buf, data);
                tsEcr = u32(buf, data + 4);
            }
            case KIND_ENO -> {
                // RFC 8547: kind, length, then the suboptions; we keep where the contents are.
                if (enoCount++ == 0) {
                    enoOffset = data;
                    enoLength = dataLength;
                }
            }
            case KIND_EXPERIMENT_1, KIND_EXPERIMENT_2 -> {
                if (dataLength < 2) {
                    unknownCount++; // RFC 6994 §3 needs an ExID; without one we cannot tell whose it is
                } else {
                    int n = experimentalCount++;
                    experimentalKind[n] = kind;
                    experimentalExId[n] = u16(buf, data); // RFC 6994 §3: 16-bit ExID after kind and length
                    experimentalOffset[n] = data + 2;
                    experimentalLength[n] = dataLength - 2;
                }
            }
            default -> unknownCount++; // RFC 9293 §3.1 (MUST-6): skip by length
        }
    }

    public boolean hasMss() {
        return hasMss;
    }

    public int mss() {
        return mss;
    }

    public boolean hasWindowScale() {
        return hasWindowScale;
    }

    /** The shift count as sent (0..255; RFC 7323 §2.3 says to use 14 for anything larger). */
    public int windowScale() {
        return windowScale;
    }

    public boolean sackPermitted() {
        return sackPermitted;
    }

    /** SACK blocks of the (last) SACK option, 0..4. */
    public int sackBlockCount() {
        return sackBlockCount;
    }

    /** Left edge of SACK block {@code i} (unsigned 32-bit sequence number). */
    public long sackLeft(int i) {
        Objects.checkIndex(i, sackBlockCount);
        return sackLeft[i];
    }

    /** Right edge of SACK block {@code i} (unsigned 32-bit, one past the last byte). */
    public long sackRight(int i) {
        Objects.checkIndex(i, sackBlockCount);
        return sackRight[i];
    }

    public boolean hasTimestamps() {
        return hasTimestamps;
    }

    /** TSval, unsigned 32-bit. */
    public long tsVal() {
        return tsVal;
    }

    /** TSecr, unsigned 32-bit. */
    public long tsEcr() {
        return tsEcr;
    }

    public boolean hasEno() {
        return enoCount > 0;
    }

    /** How many kind-69 ENO options the segment had (the first is recorded). */
    public int enoCount() {
        return enoCount;
    }

    /** Absolute index of the first ENO option's contents (after kind and length), or -1. */
    public int enoOffset() {
        return enoOffset;
    }

    /** Length of the first ENO option's contents (may be 0), or -1. */
    public int enoLength() {
        return enoLength;
    }

    /** Experimental options (kind 253/254) with an ExID, in segment order. */
    public int experimentalCount() {
        return experimentalCount;
    }

    /** 253 or 254. */
    public int experimentalKind(int i) {
        Objects.checkIndex(i, experimentalCount);
        return experimentalKind[i];
    }

    /** The 16-bit ExID (RFC 6994 §3). */
    public int experimentalExId(int i) {
        Objects.checkIndex(i, experimentalCount);
        return experimentalExId[i];
    }

    /** Absolute index of the data after the ExID. */
    public int experimentalOffset(int i) {
        Objects.checkIndex(i, experimentalCount);
        return experimentalOffset[i];
    }

    /** Length of the data after the ExID (may be 0). */
    public int experimentalLength(int i) {
        Objects.checkIndex(i, experimentalCount);
        return experimentalLength[i];
    }

    /** Index of the first experimental option with {@code exid}, or -1. */
    public int findExperimental(int exid) {
        for (int i = 0; i < experimentalCount; i++) {
            if (experimentalExId[i] == exid) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether the options offer TCP-ENO: kind 69 (RFC 8547 §4) or an experimental option with
     * ExID 0x454E (RFC 6994, as tcpcryptd 0.5 sends it).
     */
    public boolean offersEno() {
        return hasEno() || findExperimental(EXID_ENO) >= 0;
    }

    /** Options skipped because their kind is unknown (or experimental without an ExID). */
    public int unknownCount() {
        return unknownCount;
    }
}
