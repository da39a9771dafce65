package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.TestPackets.KERNEL4;
import static dev.tuncrypt.tcpstack.TestPackets.KERNEL6;
import static dev.tuncrypt.tcpstack.TestPackets.STACK4;
import static dev.tuncrypt.tcpstack.TestPackets.STACK6;

import dev.tuncrypt.tcpstack.TestPackets;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.PseudoHeader;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import dev.tuncrypt.tcpstack.wire.TcpOption;
import dev.tuncrypt.tcpstack.wire.TcpView;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-built segment from the test's peer (198.18.7.1 / 2001:2:0:7::1) to the stack, fluent:
 * {@code Seg.tcp().from(40000).to(80).seq(100).flags(SYN).mss(1460).ws(7).build()}. Options are
 * laid out in the order they are added; sequence numbers are taken modulo 2^32.
 */
public final class Seg {
    private int sourcePort = Peer.CLIENT_PORT;
    private int destinationPort = Peer.SERVER_PORT;
    private long seq;
    private long ack;
    private int flags;
    private int window = 65535;
    private final List<TcpOption> options = new ArrayList<>();
    private byte[] payload = new byte[0];
    private boolean v6;

    public static Seg tcp() {
        return new Seg();
    }

    public Seg from(int port) {
        sourcePort = port;
        return this;
    }

    public Seg to(int port) {
        destinationPort = port;
        return this;
    }

    public Seg seq(long s) {
        seq = s & 0xFFFF_FFFFL;
        return this;
    }

    public Seg ack(long a) {
        ack = a & 0xFFFF_FFFFL;
        return this;
    }

    /** Replaces the control bits. */
    public Seg flags(int f) {
        flags = f;
        return this;
    }

    public Seg window(int w) {
        window = w;
        return this;
    }

    public Seg mss(int mss) {
        options.add(new TcpOption.Mss(mss));
        return this;
    }

    public Seg ws(int shift) {
        options.add(new TcpOption.WindowScale(shift));
        return this;
    }

    public Seg sackPermitted() {
        options.add(new TcpOption.SackPermitted());
        return this;
    }

    public Seg ts(long tsVal, long tsEcr) {
        options.add(new TcpOption.Timestamps(tsVal & 0xFFFF_FFFFL, tsEcr & 0xFFFF_FFFFL));
        return this;
    }

    /** A SACK option; {@code edges} are left, right pairs (sequence numbers, taken modulo 2^32). */
    public Seg sack(long... edges) {
        if (edges.length == 0 || edges.length % 2 != 0) {
            throw new IllegalArgumentException("SACK edges come in pairs");
        }
        List<TcpOption.SackBlock> blocks = new ArrayList<>();
        for (int i = 0; i < edges.length; i += 2) {
            blocks.add(new TcpOption.SackBlock(edges[i] & 0xFFFF_FFFFL, edges[i + 1] & 0xFFFF_FFFFL));
        }
        options.add(new TcpOption.Sack(blocks));
        return this;
    }

    /** Any option (e.g. TCP-ENO, {@link TcpOption.Eno}). */
    public Seg option(TcpOption o) {
        options.add(o);
        return this;
    }

    /** The IP packet from {@code source} (an IPv4 address as an int) instead of the usual peer, checksums filled in. */
    public byte[] buildFrom(int source) {
        byte[] tcp = header().toBytes(new PseudoHeader.V4(source, STACK4));
        return TestPackets.ipv4(source, STACK4, IpProtocol.TCP, 0x4242, tcp);
    }

    /** Drops every option added so far (e.g. to send a segment without timestamps). */
    public Seg noOptions() {
        options.clear();
        return this;
    }

    /** Drops the timestamps option if present. */
    public Seg noTimestamps() {
        options.removeIf(o -> o instanceof TcpOption.Timestamps);
        return this;
    }

    public Seg payload(byte[] data) {
        payload = data.clone();
        return this;
    }

    /** {@code n} bytes of a recognizable pattern. */
    public Seg payload(int n, int seed) {
        payload = TestPackets.bytes(n, seed);
        return this;
    }

    public Seg v6(boolean on) {
        v6 = on;
        return this;
    }

    public long seqValue() {
        return seq;
    }

    public int payloadLength() {
        return payload.length;
    }

    /** SEG.LEN: payload plus one for SYN and one for FIN. */
    public int segLen() {
        return payload.length + ((flags & TcpView.SYN) != 0 ? 1 : 0) + ((flags & TcpView.FIN) != 0 ? 1 : 0);
    }

    public TcpHeader header() {
        return new TcpHeader(sourcePort, destinationPort, seq, ack, flags, window, 0, options, payload);
    }

    /** The IP packet, checksums filled in. */
    public byte[] build() {
        TcpHeader h = header();
        if (v6) {
            byte[] tcp = h.toBytes(new PseudoHeader.V6(KERNEL6[0], KERNEL6[1], STACK6[0], STACK6[1]));
            return TestPackets.ipv6(KERNEL6, STACK6, IpProtocol.TCP, tcp);
        }
        byte[] tcp = h.toBytes(new PseudoHeader.V4(KERNEL4, STACK4));
        return TestPackets.ipv4(KERNEL4, STACK4, IpProtocol.TCP, 0x4242, tcp);
    }

    @Override
    public String toString() {
        return header().toString();
    }
}
