package dev.tuncrypt.tun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A kernel TCP sender writing into a TUN device with offloads: after a handshake played by hand
 * on the device, the kernel's first flight of data is read as one super-packet (more than an
 * MTU, one IP and TCP header, gso_size = the MSS we announced) with its checksum left partial.
 */
class TunSuperPacketTest {
    private static final InetAddress KERNEL = InetAddress.ofLiteral("198.18.98.1");
    private static final InetAddress US = InetAddress.ofLiteral("198.18.98.2");
    private static final int MSS = 1400;
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;

    private String ns;

    @BeforeEach
    void createNamespace() throws Exception {
        Prerequisites.requireTunAndNetns();
        ns = "tunsp-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Netns.create(ns);
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        if (ns != null) {
            Netns.delete(ns);
        }
    }

    @Test
    void theKernelsFirstFlightIsReadAsOneSuperPacket() throws Exception {
        byte[] data = new byte[60_000];
        new SplittableRandom(3).nextBytes(data);
        try (TunDevice device = Netns.exec(ns, () -> TunDevice.open(TunConfig.of("tsp0").withTcpOffloads(true)));
                ServerSocket server = Netns.exec(ns, () -> new ServerSocket(7100, 1, KERNEL))) {
            device.addAddress(KERNEL, 24);
            device.setUp(true);
            TunQueue q = device.queue(0);
            PacketBatch batch = new PacketBatch(16, TunQueue.MAX_GSO_PACKET, true);
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    OutputStream out = s.getOutputStream();
                    out.write(data);
                    out.flush();
                    Thread.sleep(2000); // keep the connection while the test reads
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            int iss = 1_000_000;
            q.send(tcp4(iss, 0, SYN, true));
            ByteBuffer synAck = await(q, batch, p -> (p.get(33) & (SYN | ACK)) == (SYN | ACK), false);
            int irs = synAck.getInt(24);
            q.send(tcp4(iss + 1, irs + 1, ACK, false));

            ByteBuffer first = await(q, batch, p -> p.limit() > 40, true);
            int i = slot;
            assertTrue(first.limit() > 1500, "one packet larger than the MTU: " + first.limit() + " bytes");
            assertEquals(MSS, batch.gsoSize(i), "cut from segments of the MSS we announced");
            assertTrue(batch.checksumPartial(i), "checksum left to us, and not completed");
            assertEquals(20, batch.checksumStart(i));
            assertEquals(16, batch.checksumOffset(i));
            int headers = 20 + ((first.get(32) & 0xf0) >>> 2);
            byte[] payload = new byte[first.limit() - headers];
            first.get(headers, payload);
            assertArrayEquals(Arrays.copyOf(data, payload.length), payload, "the flight's bytes, in order");
            assertTrue(q.rxSuperPackets() > 0);
            sender.cancel(true);
        }
    }

    private int slot;

    private interface Match {
        boolean test(ByteBuffer p);
    }

    /** Reads until a TCP packet from the kernel's port 7100 matches. */
    private ByteBuffer await(TunQueue q, PacketBatch batch, Match match, boolean keep) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            q.await(TimeUnit.MILLISECONDS.toNanos(50));
            int n = q.receive(batch);
            for (int i = 0; i < n; i++) {
                ByteBuffer p = batch.get(i);
                if (p.get(9) == 6 && (p.getShort(20) & 0xffff) == 7100 && match.test(p)) {
                    slot = i;
                    if (keep) {
                        return p;
                    }
                    ByteBuffer copy = ByteBuffer.allocate(p.limit());
                    copy.put(0, p, 0, p.limit());
                    return copy;
                }
            }
        }
        throw new AssertionError("no matching packet from the kernel within 5 s");
    }

    /** A TCP segment from us to the kernel's port 7100, checksums complete. */
    private static ByteBuffer tcp4(int seq, int ack, int flags, boolean mssOption) {
        int tcpLength = mssOption ? 24 : 20;
        ByteBuffer p = ByteBuffer.allocateDirect(20 + tcpLength);
        p.put((byte) 0x45).put((byte) 0).putShort((short) (20 + tcpLength)).putShort((short) 1)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0)
                .put(US.getAddress()).put(KERNEL.getAddress());
        p.putShort(10, (short) ~Checksum.fold(Checksum.sum(p, 0, 20, 0)));
        p.putShort((short) 40000).putShort((short) 7100).putInt(seq).putInt(ack)
                .put((byte) ((tcpLength / 4) << 4)).put((byte) flags).putShort((short) 65535)
                .putShort((short) 0).putShort((short) 0);
        if (mssOption) {
            p.put((byte) 2).put((byte) 4).putShort((short) MSS);
        }
        long pseudo = Checksum.sum(p, 12, 20, 0) + 6 + tcpLength;
        p.putShort(36, (short) ~Checksum.fold(Checksum.sum(p, 20, 20 + tcpLength, pseudo)));
        return p.flip();
    }
}
