package dev.tuncrypt.tun;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link PacketLink} that records into a {@link PcapWriter} every packet received from, and
 * every packet sent to, the link it wraps (a sent packet is recorded whether or not the link then
 * accepts it). The writer stays the caller's: several taps may share it, and closing the tap closes
 * only the wrapped link. The writer is flushed after every batch received or sent and before the
 * link waits, so the file is current while the program runs, not only when it ends.
 */
public final class PcapTap implements PacketLink {
    private final PacketLink link;
    private final PcapWriter writer;

    public PcapTap(PacketLink link, PcapWriter writer) {
        this.link = link;
        this.writer = writer;
    }

    /** The wrapped link. */
    public PacketLink link() {
        return link;
    }

    @Override
    public int mtu() {
        return link.mtu();
    }

    @Override
    public int maxPacketSize() {
        return link.maxPacketSize();
    }

    @Override
    public boolean checksumOffload() {
        return link.checksumOffload();
    }

    @Override
    public boolean segmentationOffload() {
        return link.segmentationOffload();
    }

    @Override
    public int receiveQueuePackets() {
        return link.receiveQueuePackets();
    }

    /** Records the packet as handed over (a super-packet as one record, its checksum partial). */
    @Override
    public boolean sendOffloaded(ByteBuffer packet, int checksumStart, int checksumOffset, int gsoSize)
            throws IOException {
        writer.write(packet);
        return link.sendOffloaded(packet, checksumStart, checksumOffset, gsoSize);
    }

    @Override
    public int receive(PacketBatch batch) throws IOException {
        int n = link.receive(batch);
        for (int i = 0; i < n; i++) {
            writer.write(batch.get(i));
        }
        if (n > 0) {
            writer.flush();
        }
        return n;
    }

    @Override
    public boolean send(ByteBuffer packet) throws IOException {
        writer.write(packet);
        return link.send(packet);
    }

    @Override
    public int send(PacketBatch batch) throws IOException {
        for (int i = 0; i < batch.count(); i++) {
            writer.write(batch.get(i));
        }
        writer.flush();
        return link.send(batch);
    }

    @Override
    public void await(long timeoutNanos) throws IOException {
        writer.flush(); // single packets sent since the last batch
        link.await(timeoutNanos);
    }

    @Override
    public void wakeup() {
        link.wakeup();
    }

    @Override
    public void close() throws IOException {
        link.close();
    }
}
