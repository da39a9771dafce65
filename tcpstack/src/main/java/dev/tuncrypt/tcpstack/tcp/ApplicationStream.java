package dev.tuncrypt.tcpstack.tcp;

import java.nio.ByteBuffer;

/**
 * The application's side of a connection's byte stream, behind the SEND and RECEIVE calls of
 * RFC 9293 §3.9.1 ({@link TcpConnection#send}, {@link TcpConnection#receive},
 * {@link TcpConnection#transferTo}): plain bytes straight into and out of the rings, or through
 * the {@link ProtectedStream} when a protection transforms the stream; bytes written before the
 * handshake decided that wait in a staging ring. Confined to the connection's loop thread.
 */
final class ApplicationStream {
    private final TcpConnection c;
    /** Application bytes written before the handshake decided whether the stream is protected. */
    private ReceiveBuffer staged;
    /** The application closed its sending side (FIN follows its data). */
    private boolean closed;

    ApplicationStream(TcpConnection c) {
        this.c = c;
    }

    boolean closed() {
        return closed;
    }

    /** The application closed its sending side: what it wrote goes first, then the FIN. */
    void close() {
        closed = true;
    }

    boolean hasStaged() {
        return staged != null;
    }

    /** Hands the staging ring over (to the protected stream, which seals it); none is left here. */
    ReceiveBuffer takeStaged() {
        ReceiveBuffer s = staged;
        staged = null;
        return s;
    }

    /** The stream stays plain: what waited in the staging ring goes to the send buffer. */
    void flushStaged() {
        if (staged == null) {
            return;
        }
        ByteBuffer b = c.layer.plainScratch;
        while (staged.readable() > 0) {
            b.clear();
            staged.read(b);
            b.flip();
            c.sendBuffer.append(b);
        }
        staged = null;
    }

    // ------------------------------------------------------------------ SEND

    /** @see TcpConnection#send */
    int send(ByteBuffer src) {
        if (!acceptsData()) {
            return -1;
        }
        if (c.stream != null) {
            return appended(c.stream.appSend(src), true);
        }
        if (stagesData()) {
            return staging().offer(src); // until the handshake says whether to seal it
        }
        return appended(c.sendBuffer.offer(src), false);
    }

    /** The sending half of {@link #transferTo}: {@link #send} from another connection's ring. */
    private int appendFrom(ReceiveBuffer src) {
        if (!acceptsData()) {
            return -1;
        }
        if (c.stream != null) {
            return appended(c.stream.appSendFrom(src), true);
        }
        if (stagesData()) {
            return src.moveTo(staging()); // until the handshake says whether to seal it
        }
        return appended(src.moveTo(c.sendBuffer), false);
    }

    private boolean acceptsData() {
        TcpState state = c.state;
        return !closed && (state.canSend() || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED);
    }

    /** Data written before the handshake said whether a protection seals it waits in a staging ring. */
    private boolean stagesData() {
        return !c.state.synchronized_() && c.protection != SegmentProtection.NONE;
    }

    private ReceiveBuffer staging() {
        if (staged == null) {
            staged = new ReceiveBuffer(c.config.sendBuffer(), c.layer.rings);
        }
        return staged;
    }

    /** After {@code n} bytes were appended: seal (a protected stream) or send what the windows allow. */
    private int appended(int n, boolean sealed) {
        if (n > 0 && (sealed || c.state.synchronized_())) {
            if (sealed) {
                sealAndSend(c.layer.now());
            } else {
                c.sender.output(c.layer.now());
            }
            c.layer.timers.update(c);
        }
        return n;
    }

    /** Free send buffer space. */
    int writable() {
        if (c.stream != null) {
            return c.stream.appWritable();
        }
        return staged != null ? staged.free() : c.sendBuffer.free();
    }

    /**
     * Lets the protection seal what it can (room freed in the send buffer, or Nagle's wait is
     * over); the FIN follows once everything the application wrote is sealed.
     *
     * @return false if the protection failed (the connection is gone)
     */
    boolean seal() {
        if (c.stream == null) {
            return true;
        }
        try {
            c.stream.seal();
        } catch (ProtectionException e) {
            c.protectionFailed(e);
            return false;
        }
        if (closed && c.stream.outputSealed()) {
            c.sender.queueFin();
        }
        return true;
    }

    void sealAndSend(long now) {
        if (seal()) {
            c.sender.output(now);
        }
    }

    // ------------------------------------------------------------------ RECEIVE

    /** @see TcpConnection#receive */
    int receive(ByteBuffer dst) {
        boolean ended = ended();
        if (c.stream != null) {
            if (c.state == TcpState.CLOSED) {
                c.stream.pumpAfterEnd(); // frames that arrived before the end still open
            }
            int n = c.stream.appReceive(dst);
            if (n == 0) {
                return ended && c.stream.drained() ? -1 : 0;
            }
            c.stats.bytesDelivered += n;
            afterProtectedRead();
            return n;
        }
        if (c.receiveBuffer.readable() == 0) {
            return ended ? -1 : 0;
        }
        int n = c.receiveBuffer.read(dst);
        c.stats.bytesDelivered += n;
        c.receiver.releaseRingIfIdle();
        maybeWindowUpdate();
        return n;
    }

    /** @see TcpConnection#transferTo */
    int transferTo(ApplicationStream to) {
        if (c.stream != null && c.state == TcpState.CLOSED) {
            c.stream.pumpAfterEnd(); // frames that arrived before the end still open
        }
        ReceiveBuffer src = c.stream != null ? c.stream.appIn() : c.receiveBuffer;
        if (src.readable() == 0) {
            return 0;
        }
        int n = to.appendFrom(src);
        if (n <= 0) {
            return n;
        }
        c.stats.bytesDelivered += n;
        if (c.stream != null) {
            src.releaseRingIfEmpty();
            afterProtectedRead();
        } else {
            c.receiver.releaseRingIfIdle();
            maybeWindowUpdate();
        }
        return n;
    }

    /** The application took plaintext: the room lets more frames open (also after the connection ended). */
    private void afterProtectedRead() {
        if (c.state == TcpState.CLOSED) {
            c.stream.pumpAfterEnd();
        } else if (pumpWire()) {
            maybeWindowUpdate();
        }
    }

    private boolean ended() {
        return c.receiver.finReceived() || c.state == TcpState.CLOSED || c.state == TcpState.TIME_WAIT;
    }

    /** Whether the peer finished and every byte was read ({@link #receive} would return -1). */
    boolean endOfStream() {
        return ended() && (c.stream != null ? c.stream.drained() : c.receiveBuffer.readable() == 0);
    }

    /** Bytes ready for {@link #receive}. */
    int readable() {
        return c.stream != null ? c.stream.appReadable() : c.receiveBuffer.readable();
    }

    /**
     * In-order data arrived (RFC 9293 §3.10.7.4, seventh): the protection opens it, or the
     * application hears of it.
     *
     * @return false if the protection failed (the connection is gone)
     */
    boolean dataArrived() {
        if (c.stream != null) {
            return pumpWire();
        }
        ConnectionListener l = c.listener();
        if (l != null) {
            l.onReadable(c);
        }
        return true;
    }

    /** @return false if the protection failed (the connection is gone) */
    boolean pumpWire() {
        int before = c.stream.appReadable();
        try {
            c.stream.pumpWire();
        } catch (ProtectionException e) {
            c.protectionFailed(e);
            return false;
        }
        ConnectionListener l = c.listener();
        if (c.stream.appReadable() > before && l != null) {
            l.onReadable(c);
        }
        return true;
    }

    /** The peer's window opened after our application read: tell it (receiver SWS rule). */
    private void maybeWindowUpdate() {
        if (!c.state.synchronized_() || c.receiver.finReceived()) {
            return;
        }
        if (c.receiver.windowUpdateDue()) { // RFC 9293 §3.8.6.2.2
            c.receiver.ackNow();
            c.sender.output(c.layer.now());
            c.layer.timers.update(c);
        }
    }
}
