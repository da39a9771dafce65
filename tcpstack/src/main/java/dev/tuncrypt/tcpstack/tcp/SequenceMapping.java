package dev.tuncrypt.tcpstack.tcp;

/**
 * How the sequence numbers TCP keeps map to those on the wire, for a stream protection whose
 * peer numbers the stream differently (its frames do not count, or count only in part). TCP asks
 * it for the SEQ and ACK of every segment it writes, maps every arriving segment back before the
 * RFC 9293 §3.10.7.4 checks, and widens the acceptance window by its slack. A protected stream
 * supplies it ({@link ProtectedStream#sequenceMapping()}); plain TCP uses {@link #IDENTITY}.
 * Loop thread only.
 */
interface SequenceMapping {
    /** The SEQ to put on the wire for TCP's {@code seq}. */
    int wireSeq(int seq);

    /** The ACK to put on the wire for TCP's RCV.NXT {@code rcvNxt}. */
    int wireAck(int rcvNxt);

    /** Maps an arriving segment's SEQ and ACK, in place, into TCP's numbering. */
    void mapPeerSegment(InboundSegment seg);

    /** Octets beyond the advertised window that an arriving segment may still occupy and be acceptable. */
    int windowSlack();

    /** TCP's numbering is the wire's. */
    SequenceMapping IDENTITY = new SequenceMapping() {
        @Override
        public int wireSeq(int seq) {
            return seq;
        }

        @Override
        public int wireAck(int rcvNxt) {
            return rcvNxt;
        }

        @Override
        public void mapPeerSegment(InboundSegment seg) {}

        @Override
        public int windowSlack() {
            return 0;
        }
    };
}
