package dev.tuncrypt.tcpcrypt.v05;

import java.io.ByteArrayOutputStream;

/**
 * The negotiation transcript exactly as tcpcryptd 0.5 feeds it to the KDF
 * ({@code set_eno_transcript} and {@code do_set_eno_transcript} in {@code src/tcpcrypt.c}): for
 * the SYN and then the SYN-ACK, every ENO option of that segment (kind, length, ExID,
 * suboptions), followed by an appended minimal option {@code FD 04 45 4E}. For the usual one
 * option per segment:
 *
 * <pre>SYN-ENO || fd04454e || SYNACK-ENO || fd04454e</pre>
 *
 * e.g. {@code fd06454e2122 fd04454e fd05454e21 fd04454e} (golden vectors
 * {@code eno_transcript_hex}; RFC 8547 would have only the two options).
 */
public final class EnoTranscript {
    private EnoTranscript() {}

    /** The transcript of a SYN and a SYN-ACK with one ENO option each. */
    public static byte[] of(EnoOption syn, EnoOption synAck) {
        return builder().segment(syn).segment(synAck).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Accumulates segments in order: SYN first, then SYN-ACK. */
    public static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

        private Builder() {}

        /** One segment's ENO options (any number, in segment order), then the minimal option. */
        public Builder segment(EnoOption... optionsInSegment) {
            for (EnoOption o : optionsInSegment) {
                out.writeBytes(o.encode());
            }
            out.writeBytes(EnoOption.MINIMAL.encode());
            return this;
        }

        public byte[] build() {
            return out.toByteArray();
        }
    }
}
