package dev.tuncrypt.tcpstack.sim;

import dev.tuncrypt.tcpstack.InboundPacket;
import dev.tuncrypt.tcpstack.LoopContext;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.ProtocolHandler;
import dev.tuncrypt.tcpstack.ip.IpOutput;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * A test-only datagram protocol on IP protocol {@value #PROTOCOL} (RFC 3692 experimental): sends
 * numbered datagrams on a timer, echoes requests, and logs what arrives. A CRC-32 over the whole
 * datagram rejects corrupted ones (IPv6 has no header checksum, and IPv4's covers only the header).
 *
 * <pre>
 * 0      4      8    9
 * | seq  | crc  |kind| payload ... |   kind 0 = request (echoed), 1 = echo
 * </pre>
 */
final class ProbeProtocol implements ProtocolHandler {
    static final int PROTOCOL = 253;
    private static final int HEADER = 9;
    private static final int REQUEST = 0;
    private static final int ECHO = 1;

    /** One datagram that passed the CRC, at the virtual time it arrived. */
    record Delivery(long nanos, boolean echo, int seq, byte[] payload) {}

    private final LoopContext ctx;
    private final CRC32 crc = new CRC32();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<byte[]> sent = new ArrayList<>();
    private long rejected;

    // The sending schedule (loop-confined: set by a task posted to the loop).
    private InetAddress from;
    private InetAddress to;
    private int remaining;
    private int size;
    private long interval;
    private long nextSend = Long.MAX_VALUE;

    private ProbeProtocol(LoopContext ctx) {
        this.ctx = ctx;
    }

    /** Registers the probe on a stack being built, handing its instance to {@code created}. */
    static Consumer<NetStack.Builder> install(Consumer<ProbeProtocol> created) {
        return b -> b.transport(PROTOCOL, ctx -> {
            ProbeProtocol p = new ProbeProtocol(ctx);
            created.accept(p);
            return p;
        });
    }

    /**
     * Sends {@code count} requests of {@code size} random payload bytes from {@code from} to
     * {@code to}, the first now, then one per {@code intervalNanos}. Posted to the probe's loop.
     */
    void start(InetAddress from, InetAddress to, int count, int size, long intervalNanos) {
        ctx.post(() -> {
            this.from = from;
            this.to = to;
            this.remaining = count;
            this.size = size;
            this.interval = intervalNanos;
            this.nextSend = ctx.clock().nanos();
        });
    }

    @Override
    public long nextDeadline() {
        return nextSend;
    }

    @Override
    public void onTimer(long now) {
        while (remaining > 0 && nextSend - now <= 0) {
            byte[] payload = new byte[size];
            ctx.random().nextBytes(payload);
            send(from, to, REQUEST, sent.size(), payload);
            sent.add(payload);
            remaining--;
            nextSend += interval;
        }
        if (remaining == 0) {
            nextSend = Long.MAX_VALUE;
        }
    }

    @Override
    public void input(InboundPacket p) {
        ByteBuffer buf = p.buffer();
        int at = p.transportOffset();
        int length = p.transportLength();
        if (length < HEADER || crc(buf, at, length) != buf.getInt(at + 4)) {
            rejected++;
            return;
        }
        int seq = buf.getInt(at);
        int kind = buf.get(at + 8);
        byte[] payload = new byte[length - HEADER];
        buf.get(at + HEADER, payload);
        deliveries.add(new Delivery(ctx.clock().nanos(), kind == ECHO, seq, payload));
        if (kind == REQUEST) {
            write(p.isV6(), ECHO, seq, payload);
            if (p.isV6()) {
                ctx.output().sendV6(p.destinationHi(), p.destinationLo(), p.sourceHi(), p.sourceLo(), PROTOCOL,
                        HEADER + payload.length);
            } else {
                ctx.output().sendV4(p.destination4(), p.source4(), PROTOCOL, HEADER + payload.length);
            }
        }
    }

    private void send(InetAddress source, InetAddress destination, int kind, int seq, byte[] payload) {
        ByteBuffer s = ByteBuffer.wrap(source.getAddress());
        ByteBuffer d = ByteBuffer.wrap(destination.getAddress());
        boolean v6 = !(source instanceof Inet4Address);
        write(v6, kind, seq, payload);
        if (v6) {
            ctx.output().sendV6(s.getLong(), s.getLong(), d.getLong(), d.getLong(), PROTOCOL, HEADER + payload.length);
        } else {
            ctx.output().sendV4(s.getInt(), d.getInt(), PROTOCOL, HEADER + payload.length);
        }
    }

    /** Writes a datagram into the output buffer at the transport offset of its family. */
    private void write(boolean v6, int kind, int seq, byte[] payload) {
        int at = v6 ? IpOutput.V6_PAYLOAD : IpOutput.V4_PAYLOAD;
        ByteBuffer out = ctx.output().buffer();
        out.putInt(at, seq).putInt(at + 4, 0).put(at + 8, (byte) kind).put(at + HEADER, payload);
        out.putInt(at + 4, crc(out, at, HEADER + payload.length));
    }

    private int crc(ByteBuffer buf, int at, int length) {
        crc.reset();
        for (int i = 0; i < length; i++) {
            crc.update(i >= 4 && i < 8 ? 0 : buf.get(at + i)); // the CRC field counts as zero
        }
        return (int) crc.getValue();
    }

    List<Delivery> deliveries() {
        return deliveries;
    }

    /** Payloads of the requests sent, by sequence number. */
    List<byte[]> sent() {
        return sent;
    }

    /** Datagrams that failed the CRC (or were too short). */
    long rejected() {
        return rejected;
    }

    /** SHA-256 of the delivery log (time, kind, seq, payload of each delivery in order). */
    String logHash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer head = ByteBuffer.allocate(13);
            for (Delivery d : deliveries) {
                md.update(head.clear().putLong(d.nanos()).put((byte) (d.echo() ? 1 : 0)).putInt(d.seq()).flip());
                md.update(d.payload());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
