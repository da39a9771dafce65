package dev.tuncrypt.tcpstack.tcp.rfc;

import static org.assertj.core.api.Assertions.fail;

import dev.tuncrypt.tcpstack.wire.TcpHeader;
import dev.tuncrypt.tcpstack.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;

/** Fluent checks of one segment the stack sent; failures print the segment in readable form. */
public final class SegCheck {
    private static final long MASK = 0xFFFF_FFFFL;
    private final Peer peer;
    private final TcpHeader s;
    private final String context;

    SegCheck(Peer peer, TcpHeader s, String context) {
        this.peer = peer;
        this.s = s;
        this.context = context;
    }

    private void failWith(String what) {
        fail(context + ": " + what + "\n  segment: " + peer.describe(s) + "\n  connection: " + peer.connDescription()
                + "\n  stack segments so far:\n" + peer.history());
    }

    /** The control bits are exactly {@code flags} (PSH is ignored unless asked for). */
    public SegCheck flags(int flags) {
        int got = s.flags() & ~dev.tuncrypt.tcpstack.wire.TcpView.PSH;
        int want = flags & ~dev.tuncrypt.tcpstack.wire.TcpView.PSH;
        if (got != want) {
            failWith("expected flags " + TcpHeader.flagNames(flags) + ", got " + TcpHeader.flagNames(s.flags()));
        }
        return this;
    }

    public SegCheck has(int flag) {
        if ((s.flags() & flag) != flag) {
            failWith("expected " + TcpHeader.flagNames(flag) + " set");
        }
        return this;
    }

    public SegCheck lacks(int flag) {
        if ((s.flags() & flag) != 0) {
            failWith("expected " + TcpHeader.flagNames(flag) + " clear");
        }
        return this;
    }

    public SegCheck seq(long seq) {
        if (s.sequenceNumber() != (seq & MASK)) {
            failWith("expected SEQ " + (seq & MASK) + " (S+" + ((seq - peer.stackIss) & MASK) + "), got "
                    + s.sequenceNumber());
        }
        return this;
    }

    public SegCheck ack(long ack) {
        if (s.acknowledgmentNumber() != (ack & MASK)) {
            failWith("expected ACK " + (ack & MASK) + " (P+" + ((ack - peer.peerIss) & MASK) + "), got "
                    + s.acknowledgmentNumber());
        }
        return this;
    }

    public SegCheck len(int n) {
        if (s.payload().length != n) {
            failWith("expected " + n + " payload bytes, got " + s.payload().length);
        }
        return this;
    }

    public SegCheck window(int w) {
        if (s.window() != w) {
            failWith("expected window field " + w + ", got " + s.window());
        }
        return this;
    }

    public SegCheck hasOption(Class<? extends TcpOption> kind) {
        if (!Peer.has(s, kind)) {
            failWith("expected a " + kind.getSimpleName() + " option");
        }
        return this;
    }

    public SegCheck lacksOption(Class<? extends TcpOption> kind) {
        if (Peer.has(s, kind)) {
            failWith("expected no " + kind.getSimpleName() + " option");
        }
        return this;
    }

    /** The SACK blocks are exactly these left/right pairs, in this order. */
    public SegCheck sack(long... edges) {
        TcpOption.Sack sack = Peer.option(s, TcpOption.Sack.class);
        List<Long> want = new ArrayList<>();
        for (long e : edges) {
            want.add(e & MASK);
        }
        List<Long> got = new ArrayList<>();
        if (sack != null) {
            for (TcpOption.SackBlock b : sack.blocks()) {
                got.add(b.left());
                got.add(b.right());
            }
        }
        if (!want.equals(got)) {
            failWith("expected SACK blocks " + blocks(want) + ", got " + blocks(got));
        }
        return this;
    }

    public SegCheck noSack() {
        return lacksOption(TcpOption.Sack.class);
    }

    private String blocks(List<Long> edges) {
        if (edges.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + 1 < edges.size(); i += 2) {
            sb.append(String.format("[P+%d, P+%d) ", (edges.get(i) - peer.peerIss) & MASK,
                    (edges.get(i + 1) - peer.peerIss) & MASK));
        }
        return sb.toString().trim();
    }

    public TcpHeader segment() {
        return s;
    }
}
