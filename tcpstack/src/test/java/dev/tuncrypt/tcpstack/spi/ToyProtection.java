package dev.tuncrypt.tcpstack.spi;

import dev.tuncrypt.tcpstack.tcp.FlowKey;
import dev.tuncrypt.tcpstack.tcp.ProtectionException;
import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import dev.tuncrypt.tcpstack.tcp.StreamIo;
import dev.tuncrypt.tcpstack.tcp.StreamProtection;
import dev.tuncrypt.tcpstack.wire.TcpOptions;
import dev.tuncrypt.tcpstack.wire.TcpOptionsWriter;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * A test-only protection exercising every hook of the SPI: an experimental option (kind 253,
 * ExID 0x7E57) negotiates it in SYN/SYN-ACK, each side opens with a 4-byte "HELO" message,
 * then frames {@code len u16 | flags u8 | payload XOR 0x5A | crc32 u32} (CRC over header,
 * payload and stream offset), one frame per segment. Not cryptography: it only proves that
 * TCP moves frames, offsets, FIN and failures correctly.
 */
final class ToyProtection implements SegmentProtection {
    static final int EXID = 0x7E57;
    static final int OVERHEAD = 3 + 4;

    enum Failure { BAD_OPENING, BAD_CHECKSUM }

    private final boolean offer;
    private final boolean require;
    private boolean peerOffered;

    ToyProtection(boolean offer, boolean require) {
        this.offer = offer;
        this.require = require;
    }

    static SegmentProtection.Factory factory(boolean offer, boolean require) {
        return (FlowKey flow, boolean active) -> new ToyProtection(offer, require);
    }

    @Override
    public int writeSynOptions(ByteBuffer buf, int index, int room, boolean synAck) {
        if (!offer || (synAck && !peerOffered) || room < 4) {
            return index;
        }
        return TcpOptionsWriter.experimental(buf, index, TcpOptions.KIND_EXPERIMENT_1, EXID, new byte[0], 0, 0);
    }

    @Override
    public void onPeerSynOptions(ByteBuffer buf, int off, int len, TcpOptions parsed, boolean synAck) {
        peerOffered = parsed.findExperimental(EXID) >= 0;
    }

    @Override
    public boolean transformsStream() {
        return offer && peerOffered;
    }

    @Override
    public boolean required() {
        return require;
    }

    @Override
    public StreamProtection stream() {
        return new Stream();
    }

    static final class Stream implements StreamProtection {
        private boolean peerOpened;
        private boolean finFrameSeen;
        private final ByteBuffer frame = ByteBuffer.allocate(70_000);
        private final ByteBuffer plain = ByteBuffer.allocate(70_000);

        @Override
        public int frameOverhead() {
            return OVERHEAD;
        }

        @Override
        public int maxFramePayload() {
            return 60_000;
        }

        @Override
        public boolean segmentAligned() {
            return true;
        }

        @Override
        public void start(StreamIo io) {
            io.emit(ByteBuffer.wrap(new byte[] {'H', 'E', 'L', 'O'}));
        }

        @Override
        public void onWireData(StreamIo io) throws ProtectionException {
            if (!peerOpened) {
                if (io.wireAvailable() < 4) {
                    return;
                }
                ByteBuffer h = ByteBuffer.allocate(4);
                io.peekWire(h, 0);
                if (h.getInt(0) != 0x48454C4F) {
                    throw new ProtectionException(Failure.BAD_OPENING, "bad opening message");
                }
                io.consumeWire(4);
                peerOpened = true;
                io.wakeup(); // sealing may start now: do it the asynchronous way, as key agreement would
            }
            while (io.wireAvailable() >= 3) {
                ByteBuffer head = ByteBuffer.allocate(2);
                io.peekWire(head, 0);
                int len = head.getShort(0) & 0xffff;
                int total = 3 + len + 4;
                if (io.wireAvailable() < total || io.deliverable() < len) {
                    return;
                }
                long offset = io.receivedWireOffset();
                frame.clear().limit(total);
                io.peekWire(frame, 0);
                CRC32 crc = new CRC32();
                crc.update(frame.array(), 0, 3 + len);
                crc.update(ByteBuffer.allocate(8).putLong(0, offset).array());
                if ((int) crc.getValue() != frame.getInt(3 + len)) {
                    throw new ProtectionException(Failure.BAD_CHECKSUM, "frame checksum at offset " + offset);
                }
                plain.clear();
                for (int i = 0; i < len; i++) {
                    plain.put((byte) (frame.get(3 + i) ^ 0x5A));
                }
                plain.flip();
                io.consumeWire(total);
                finFrameSeen |= (frame.get(2) & 1) != 0;
                io.deliver(plain);
            }
        }

        @Override
        public boolean canSeal() {
            return peerOpened;
        }

        /** When set, the next frame sealed gets a wrong checksum (a forgery the peer must refuse). */
        static volatile boolean sabotageNext;

        @Override
        public void seal(ByteBuffer in, int length, boolean fin, long streamOffset, ByteBuffer wire) {
            int start = wire.position();
            wire.putShort((short) length).put((byte) (fin ? 1 : 0));
            for (int i = 0; i < length; i++) {
                wire.put((byte) (in.get() ^ 0x5A));
            }
            byte[] covered = new byte[3 + length];
            wire.get(start, covered);
            CRC32 crc = new CRC32();
            crc.update(covered);
            crc.update(ByteBuffer.allocate(8).putLong(0, streamOffset).array());
            int sum = (int) crc.getValue();
            if (sabotageNext) {
                sabotageNext = false;
                sum ^= 1;
            }
            wire.putInt(sum);
        }

        @Override
        public void onPeerFin(long wireOffset) {
            // frames are self-delimiting; a partial frame left at FIN simply never delivers
        }

        boolean finFrameSeen() {
            return finFrameSeen;
        }

        @Override
        public void close() {}
    }
}
