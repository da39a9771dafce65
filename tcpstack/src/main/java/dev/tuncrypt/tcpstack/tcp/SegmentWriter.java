package dev.tuncrypt.tcpstack.tcp;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;

import dev.tuncrypt.tcpstack.LoopContext;
import dev.tuncrypt.tcpstack.ip.IpOutput;
import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.TcpOptions;
import dev.tuncrypt.tcpstack.wire.TcpOptionsWriter;
import dev.tuncrypt.tcpstack.wire.TcpView;
import java.nio.ByteBuffer;

/**
 * Formats a connection's segments straight into the loop's IP output buffer: header, options
 * (RFC 7323 timestamps, RFC 2018 SACK blocks, whatever the segment protection adds), payload
 * copied from the send buffer, checksum. Nothing is allocated per segment.
 */
final class SegmentWriter {
    private final LoopContext ctx;
    private final long[] sackLeft = new long[TcpOptions.MAX_SACK_BLOCKS];
    private final long[] sackRight = new long[TcpOptions.MAX_SACK_BLOCKS];
    private final long[] moreLeft = new long[TcpOptions.MAX_SACK_BLOCKS];
    private final long[] moreRight = new long[TcpOptions.MAX_SACK_BLOCKS];

    SegmentWriter(LoopContext ctx) {
        this.ctx = ctx;
    }

    private static int transportOffset(FlowKey k) {
        return k.isV6() ? IpOutput.V6_PAYLOAD : IpOutput.V4_PAYLOAD;
    }

    /** SYN (active open) or SYN,ACK (passive open) with the options this end offers. */
    void syn(TcpConnection c, boolean synAck, long now) {
        TcpConfig cfg = c.config;
        ByteBuffer tx = ctx.output().buffer();
        int at = transportOffset(c.key);
        int opt = at + TcpView.MIN_HEADER_LENGTH;
        int p = opt;
        // Linux's order: MSS, SACK-permitted, timestamps, NOP, window scale.
        p = TcpOptionsWriter.mss(tx, p, Math.min(cfg.mss(), ctx.output().maxTransportLength(c.key.isV6()) - 20));
        boolean sack = cfg.sack() && (!synAck || c.sackOk);
        boolean ts = cfg.timestamps() && (!synAck || c.tsOk);
        boolean ws = cfg.windowScaling() && (!synAck || c.rcvShift > 0 || c.sndShift > 0);
        if (sack && ts) {
            p = TcpOptionsWriter.sackPermitted(tx, p);
            p = TcpOptionsWriter.timestamps(tx, p, Integer.toUnsignedLong(c.tsClock(now)),
                    synAck ? Integer.toUnsignedLong(c.tsRecent) : 0);
        } else if (ts) {
            p = TcpOptionsWriter.nop(tx, p);
            p = TcpOptionsWriter.nop(tx, p);
            p = TcpOptionsWriter.timestamps(tx, p, Integer.toUnsignedLong(c.tsClock(now)),
                    synAck ? Integer.toUnsignedLong(c.tsRecent) : 0);
        } else if (sack) {
            p = TcpOptionsWriter.nop(tx, p);
            p = TcpOptionsWriter.nop(tx, p);
            p = TcpOptionsWriter.sackPermitted(tx, p);
        }
        if (ws) {
            p = TcpOptionsWriter.nop(tx, p);
            p = TcpOptionsWriter.windowScale(tx, p, cfg.receiveWindowShift());
        }
        p = c.protection.writeSynOptions(tx, p, TcpOptions.MAX_LENGTH - (p - opt), synAck);
        p = TcpOptionsWriter.pad(tx, opt, p);
        int headerLength = p - at;
        // RFC 7323 §2.2: the window field of a SYN is never scaled.
        int window = (int) Math.min(c.receiver.receiveWindow(), 65535);
        int ack = synAck ? c.rcvNxt() : 0;
        TcpView.writeHeader(tx, at, c.key.localPort(), c.key.remotePort(), Integer.toUnsignedLong(c.iss),
                Integer.toUnsignedLong(ack), headerLength, SYN | (synAck ? ACK : 0), window, 0);
        if (synAck) {
            c.receiver.synAckSent(ack, window);
        }
        send(c, headerLength, 0);
        c.stats.segmentsOut++;
    }

    /**
     * A segment carrying {@code len} bytes of the send buffer from {@code seq} (0 for a pure
     * ACK) with the given flags; ACK carries RCV.NXT and the current window.
     */
    void data(TcpConnection c, int seq, int len, int flags, long now) {
        data(c, seq, len, 0, flags, now);
    }

    /**
     * As {@link #data(TcpConnection, int, int, int, long)}; with {@code gsoSize > 0} a
     * super-packet: {@code len} bytes that the link cuts into segments of {@code gsoSize} bytes,
     * each with a copy of this header (options sized for one such segment).
     */
    void data(TcpConnection c, int seq, int len, int gsoSize, int flags, long now) {
        ByteBuffer tx = ctx.output().buffer();
        int at = transportOffset(c.key);
        int opt = at + TcpView.MIN_HEADER_LENGTH;
        int p = opt;
        if (c.tsOk) {
            p = TcpOptionsWriter.nop(tx, p);
            p = TcpOptionsWriter.nop(tx, p);
            p = TcpOptionsWriter.timestamps(tx, p, Integer.toUnsignedLong(c.tsClock(now)),
                    Integer.toUnsignedLong(c.tsRecent));
        }
        if (c.sackOk && c.receiver.hasSackBlocks()) {
            // SACK blocks ride only in the option space the MTU leaves beside the payload.
            int mtuRoom = ctx.output().maxTransportLength(c.key.isV6()) - TcpView.MIN_HEADER_LENGTH
                    - (gsoSize > 0 ? gsoSize : len);
            int space = Math.min(TcpOptions.MAX_LENGTH, mtuRoom) - (p - opt);
            int room = (space - 4) / 8;
            // RFC 2883 §4: a duplicate's block goes first, once, then the usual SACK blocks
            int n = c.receiver.sackBlocks(sackLeft, sackRight, moreLeft, moreRight,
                    room > 0 ? Math.min(room, TcpOptions.MAX_SACK_BLOCKS) : room);
            if (n > 0) {
                p = TcpOptionsWriter.nop(tx, p);
                p = TcpOptionsWriter.nop(tx, p);
                p = TcpOptionsWriter.sack(tx, p, sackLeft, sackRight, n);
            }
        }
        p = c.protection.writeOptions(tx, p, TcpOptions.MAX_LENGTH - (p - opt));
        p = TcpOptionsWriter.pad(tx, opt, p);
        int headerLength = p - at;
        if (len > 0) {
            int pos = tx.position();
            int lim = tx.limit();
            tx.limit(tx.capacity()).position(p);
            c.sendBuffer.copyOut(seq, len, tx);
            tx.limit(lim).position(pos);
        }
        int ack = c.receiver.rcvNxt();
        int window = c.receiver.windowToAdvertise();
        int wireSeq = seq;
        int wireAck = ack;
        SequenceMapping numbering = c.sequenceMapping;
        if (numbering != SequenceMapping.IDENTITY) { // the protection numbers the wire its own way
            wireSeq = numbering.wireSeq(seq);
            wireAck = numbering.wireAck(ack);
        }
        TcpView.writeHeader(tx, at, c.key.localPort(), c.key.remotePort(), Integer.toUnsignedLong(wireSeq),
                Integer.toUnsignedLong(wireAck), headerLength, flags | ACK, window, 0);
        c.receiver.ackSent(ack);
        send(c, headerLength + len, gsoSize);
        c.stats.segmentsOut += gsoSize > 0 ? (len + gsoSize - 1) / gsoSize : 1;
    }

    /**
     * A stateless SYN,ACK whose ISN is a SYN cookie: MSS only, so the handshake can complete
     * from the cookie alone.
     */
    void cookieSynAck(FlowKey k, int iss, int ack, int mss) {
        ByteBuffer tx = ctx.output().buffer();
        int at = transportOffset(k);
        int p = TcpOptionsWriter.mss(tx, at + TcpView.MIN_HEADER_LENGTH, mss);
        TcpView.writeHeader(tx, at, k.localPort(), k.remotePort(), Integer.toUnsignedLong(iss),
                Integer.toUnsignedLong(ack), p - at, SYN | ACK, 65535, 0);
        send(k, p - at);
    }

    /** A reset with SEG.SEQ = {@code seq} (RFC 9293 §3.10.7). */
    void reset(TcpConnection c, int seq) {
        ByteBuffer tx = ctx.output().buffer();
        int at = transportOffset(c.key);
        TcpView.writeHeader(tx, at, c.key.localPort(), c.key.remotePort(), Integer.toUnsignedLong(seq), 0, 20, RST, 0, 0);
        send(c, 20, 0);
        ctx.counters().countReset();
    }

    /**
     * Checksums (or, on a link with checksum offload, leaves the pseudo-header sum for the link
     * to complete) and sends a connection's segment with the flow's own IP IDs: a receiver's GRO
     * merges segments only when their IDs are consecutive per flow.
     */
    private void send(TcpConnection c, int segmentLength, int gsoSize) {
        FlowKey k = c.key;
        IpOutput out = ctx.output();
        ByteBuffer tx = out.buffer();
        int at = transportOffset(k);
        boolean partial = c.layer.checksumOffload;
        if (SegmentTrace.on()) {
            SegmentTrace.out(c, tx, at, segmentLength, gsoSize);
        }
        int pseudo = k.isV6()
                ? Checksum.pseudoHeaderIpv6(k.localHi(), k.localLo(), k.remoteHi(), k.remoteLo(), IpProtocol.TCP,
                        segmentLength)
                : Checksum.pseudoHeaderIpv4(k.local4(), k.remote4(), IpProtocol.TCP, segmentLength);
        if (partial) {
            tx.putShort(at + 16, (short) pseudo); // the kernel adds the rest, per segment after GSO
        } else {
            TcpView.fillChecksum(tx, at, segmentLength, pseudo);
        }
        if (k.isV6()) {
            out.sendTcpV6(k.localHi(), k.localLo(), k.remoteHi(), k.remoteLo(), segmentLength, partial, gsoSize);
        } else {
            int payload = segmentLength - ((tx.get(at + 12) & 0xf0) >>> 2); // less the data offset
            int segments = gsoSize > 0 ? Math.max(1, (payload + gsoSize - 1) / gsoSize) : 1;
            out.sendTcpV4(k.local4(), k.remote4(), segmentLength, c.takeIpIds(segments), partial, gsoSize);
        }
    }

    private void send(FlowKey k, int segmentLength) {
        ByteBuffer tx = ctx.output().buffer();
        int at = transportOffset(k);
        if (k.isV6()) {
            int pseudo = Checksum.pseudoHeaderIpv6(k.localHi(), k.localLo(), k.remoteHi(), k.remoteLo(), IpProtocol.TCP,
                    segmentLength);
            TcpView.fillChecksum(tx, at, segmentLength, pseudo);
            ctx.output().sendV6(k.localHi(), k.localLo(), k.remoteHi(), k.remoteLo(), IpProtocol.TCP, segmentLength);
        } else {
            int pseudo = Checksum.pseudoHeaderIpv4(k.local4(), k.remote4(), IpProtocol.TCP, segmentLength);
            TcpView.fillChecksum(tx, at, segmentLength, pseudo);
            ctx.output().sendV4(k.local4(), k.remote4(), IpProtocol.TCP, segmentLength);
        }
    }
}
