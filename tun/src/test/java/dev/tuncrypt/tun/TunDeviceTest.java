package dev.tuncrypt.tun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real TUN device inside a network namespace made for each test, talking to the kernel's own
 * UDP sockets in that namespace. Needs root and /dev/net/tun.
 */
class TunDeviceTest {
    private static final InetAddress LOCAL = address("198.18.99.1");
    private static final InetAddress PEER = address("198.18.99.2");

    private String ns;
    private final PacketBatch batch = new PacketBatch(32, TunQueue.MAX_GSO_PACKET);

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void createNamespace() throws IOException {
        Prerequisites.requireTunAndNetns();
        ns = "tuntest-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Netns.create(ns);
    }

    @AfterEach
    void deleteNamespace() throws IOException {
        if (ns != null) {
            Netns.delete(ns);
        }
    }

    private TunDevice open(TunConfig config) throws Exception {
        return Netns.exec(ns, () -> TunDevice.open(config));
    }

    /** A device with 198.18.99.1/24, up. */
    private TunDevice openUp(TunConfig config) throws Exception {
        TunDevice device = open(config);
        device.addAddress(LOCAL, 24);
        device.setUp(true);
        return device;
    }

    private DatagramSocket socketInNamespace(InetAddress bind) throws Exception {
        DatagramSocket socket = Netns.exec(ns, () -> new DatagramSocket(new InetSocketAddress(bind, 0)));
        socket.setSoTimeout(5_000);
        return socket;
    }

    private Netns.Result ip(String... args) throws IOException {
        String[] argv = new String[args.length + 1];
        argv[0] = "ip";
        System.arraycopy(args, 0, argv, 1, args.length);
        return Netns.run(ns, argv);
    }

    /** Waits up to 5 s for a packet on any of the queues that matches, skipping others. */
    private ByteBuffer awaitPacket(Predicate<ByteBuffer> wanted, TunQueue... queues) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (TunQueue queue : queues) {
                queue.await(TimeUnit.MILLISECONDS.toNanos(50));
                int n = queue.receive(batch);
                for (int i = 0; i < n; i++) {
                    ByteBuffer p = batch.get(i);
                    if (wanted.test(p)) {
                        ByteBuffer copy = ByteBuffer.allocate(p.remaining()).put(p.duplicate()).flip();
                        return copy;
                    }
                }
            }
        }
        throw new AssertionError("no matching packet within 5 s");
    }

    private static Predicate<ByteBuffer> udpTo(int port) {
        return p -> Packets.isIpv4Udp(p) && Packets.udp4DstPort(p) == port;
    }

    @Test
    void kernelUdpDatagramComesOutOfTheTun() throws Exception {
        try (TunDevice device = openUp(TunConfig.of("tt0"));
                DatagramSocket socket = socketInNamespace(LOCAL)) {
            assertTrue(device.createdByUs());
            assertTrue(device.isUp());
            assertEquals("tt0", device.name());
            byte[] payload = "hello from the kernel".getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(PEER, 9999)));

            ByteBuffer packet = awaitPacket(udpTo(9999), device.queue(0));
            assertArrayEquals(LOCAL.getAddress(), Packets.ipv4Address(packet, 12));
            assertArrayEquals(PEER.getAddress(), Packets.ipv4Address(packet, 16));
            assertEquals(socket.getLocalPort(), Packets.udp4SrcPort(packet));
            assertArrayEquals(payload, Packets.udp4Payload(packet));
            assertTrue(Packets.udp4ChecksumValid(packet));
            assertTrue(device.queue(0).rxPackets() >= 1);
        }
    }

    @Test
    void packetWrittenToTheTunReachesAKernelSocket() throws Exception {
        try (TunDevice device = openUp(TunConfig.of("tt0"));
                DatagramSocket socket = socketInNamespace(LOCAL)) {
            byte[] payload = "hello from userspace".getBytes(StandardCharsets.UTF_8);
            ByteBuffer packet = Packets.udp4(PEER, 7777, LOCAL, socket.getLocalPort(), payload);
            assertTrue(device.queue(0).send(packet));
            assertEquals(0, packet.position());

            DatagramPacket received = new DatagramPacket(new byte[2048], 2048);
            socket.receive(received);
            assertEquals(new InetSocketAddress(PEER, 7777), received.getSocketAddress());
            assertEquals("hello from userspace",
                    new String(received.getData(), 0, received.getLength(), StandardCharsets.UTF_8));
            assertEquals(1, device.queue(0).txPackets());
            assertEquals(packet.remaining(), device.queue(0).txBytes());
        }
    }

    @Test
    void heapBuffersAreSentToo() throws Exception {
        try (TunDevice device = openUp(TunConfig.of("tt0"));
                DatagramSocket socket = socketInNamespace(LOCAL)) {
            ByteBuffer direct = Packets.udp4(PEER, 7777, LOCAL, socket.getLocalPort(), new byte[] {1, 2, 3});
            ByteBuffer heap = ByteBuffer.allocate(direct.remaining() + 5);
            heap.position(5);
            heap.put(direct).position(5);
            assertTrue(device.queue(0).send(heap));
            DatagramPacket received = new DatagramPacket(new byte[16], 16);
            socket.receive(received);
            assertEquals(3, received.getLength());
        }
    }

    @Test
    void sendReceiveAndAwaitAllocateNothing() throws Exception {
        try (TunDevice device = openUp(TunConfig.of("tt0"))) {
            TunQueue queue = device.queue(0);
            int warmup = 3_000;
            int measured = 3_000;
            ByteBuffer[] requests = new ByteBuffer[warmup + measured];
            for (int i = 0; i < requests.length; i++) {
                requests[i] = Packets.echoRequest4(PEER, LOCAL, 77, i);
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long before = 0;
            int replies = 0;
            for (int i = 0; i < requests.length; i++) {
                if (i == warmup) {
                    before = threads.getCurrentThreadAllocatedBytes();
                }
                assertTrue(queue.send(requests[i]));
                boolean answered = false;
                for (int tries = 0; !answered && tries < 100; tries++) {
                    queue.await(TimeUnit.MILLISECONDS.toNanos(50));
                    int n = queue.receive(batch);
                    for (int k = 0; k < n; k++) {
                        answered |= Packets.isEchoReply4(batch.get(k));
                    }
                }
                replies += answered ? 1 : 0;
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(requests.length, replies, "the kernel answers every echo request");
            assertTrue(allocated < 24_000, "allocated " + allocated + " bytes for " + measured + " round trips");
        }
    }

    @Test
    void closeRemovesTheDeviceItCreated() throws Exception {
        TunDevice device = openUp(TunConfig.of("tt0"));
        assertTrue(ip("link", "show", "tt0").ok());
        device.close();
        device.close();
        Netns.Result after = ip("link", "show", "tt0");
        assertFalse(after.ok(), "tt0 still exists: " + after.output());
    }

    @Test
    void kernelPicksTheNumberOfATemplateName() throws Exception {
        try (TunDevice device = open(TunConfig.of("tt%d"))) {
            assertTrue(device.name().matches("tt\\d+"), device.name());
            assertTrue(ip("link", "show", device.name()).ok());
            assertTrue(device.ifIndex() > 0);
        }
    }

    @Test
    void ipv6AddressIsAddedAndRemoved() throws Exception {
        try (TunDevice device = openUp(TunConfig.of("tt0"))) {
            device.addAddress(InetAddress.getByName("fd00:198:18::1"), 64);
            assertTrue(ip("-6", "addr", "show", "dev", "tt0").output().contains("fd00:198:18::1/64"));
            TunException twice = assertThrows(TunException.class,
                    () -> device.addAddress(InetAddress.getByName("fd00:198:18::1"), 64));
            assertTrue(twice.is(Errno.EEXIST), twice.getMessage());
            assertTrue(device.removeAddress(InetAddress.getByName("fd00:198:18::1")));
            assertFalse(ip("-6", "addr", "show", "dev", "tt0").output().contains("fd00:198:18::1"));
            assertFalse(device.removeAddress(InetAddress.getByName("fd00:198:18::1")), "already gone");
        }
    }

    @Test
    void twoIpv4AddressesUseTwoLabelsAndBothGo() throws Exception {
        try (TunDevice device = openUp(TunConfig.of("tt0"))) {
            device.addAddress(InetAddress.getByName("198.18.50.1"), 24);
            String addresses = ip("-4", "addr", "show", "dev", "tt0").output();
            assertTrue(addresses.contains("198.18.99.1/24") && addresses.contains("198.18.50.1/24"), addresses);
            assertTrue(ip("route", "get", "198.18.50.9").output().contains("dev tt0"));
            assertTrue(device.removeAddress(LOCAL));
            addresses = ip("-4", "addr", "show", "dev", "tt0").output();
            assertFalse(addresses.contains("198.18.99.1"), addresses);
            assertTrue(addresses.contains("198.18.50.1/24"), addresses);
        }
    }

    @Test
    void mtuIsSetAndChanged() throws Exception {
        try (TunDevice device = open(TunConfig.of("tt0").withMtu(1400))) {
            assertTrue(ip("link", "show", "tt0").output().contains("mtu 1400"));
            device.setMtu(1280);
            assertEquals(1280, device.queue(0).mtu());
            assertTrue(ip("link", "show", "tt0").output().contains("mtu 1280"));
        }
    }

    @Test
    void txQueueLengthIsReadAndSet() throws Exception {
        try (TunDevice device = open(TunConfig.of("tt0"))) {
            assertEquals(500, device.queue(0).receiveQueuePackets(), "the queue's reader learns it at open");
            assertEquals(500, device.txQueueLength()); // the kernel's default for a TUN device
            device.setTxQueueLength(5000);
            assertEquals(5000, device.txQueueLength());
            assertEquals(5000, device.queue(0).receiveQueuePackets());
            assertTrue(ip("link", "show", "tt0").output().contains("qlen 5000"));
            assertTrue(ip("link", "set", "tt0", "txqueuelen", "700").ok());
            assertEquals(700, device.txQueueLength());
            assertEquals(700, device.queue(0).receiveQueuePackets(), "a change by ip link, once read");
        }
    }

    @Test
    void twoQueuesEachCarryPackets() throws Exception {
        try (TunDevice device = openUp(TunConfig.of("tt0").withQueues(2));
                DatagramSocket socket = socketInNamespace(LOCAL)) {
            assertEquals(2, device.queues());
            assertNotEquals(device.queue(0).fd(), device.queue(1).fd());
            DatagramPacket received = new DatagramPacket(new byte[64], 64);
            for (int q = 0; q < 2; q++) {
                ByteBuffer packet = Packets.udp4(PEER, 7000 + q, LOCAL, socket.getLocalPort(), new byte[] {(byte) q});
                assertTrue(device.queue(q).send(packet));
                socket.receive(received);
                assertEquals(7000 + q, received.getPort());
            }
            // 32 flows: the kernel spreads them over both queues by flow hash
            for (int port = 10_000; port < 10_032; port++) {
                socket.send(new DatagramPacket(new byte[] {1}, 1, new InetSocketAddress(PEER, port)));
            }
            int[] perQueue = new int[2];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (perQueue[0] + perQueue[1] < 32 && System.nanoTime() < deadline) {
                for (int q = 0; q < 2; q++) {
                    device.queue(q).await(TimeUnit.MILLISECONDS.toNanos(20));
                    int n = device.queue(q).receive(batch);
                    for (int i = 0; i < n; i++) {
                        ByteBuffer p = batch.get(i);
                        if (Packets.isIpv4Udp(p) && Packets.udp4DstPort(p) >= 10_000 && Packets.udp4DstPort(p) < 10_032) {
                            perQueue[q]++;
                        }
                    }
                }
            }
            assertEquals(32, perQueue[0] + perQueue[1]);
            assertTrue(perQueue[0] > 0 && perQueue[1] > 0, "both queues receive: " + perQueue[0] + "/" + perQueue[1]);
        }
    }

    @Test
    void vnetHeaderIsStrippedAndPartialChecksumsCompleted() throws Exception {
        TunConfig config = TunConfig.of("tt0").withVnetHdr(true).withOffloads(TunConfig.TUN_F_CSUM);
        try (TunDevice device = openUp(config);
                DatagramSocket socket = socketInNamespace(LOCAL)) {
            byte[] payload = new byte[333];
            ThreadLocalRandom.current().nextBytes(payload);
            socket.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(PEER, 9998)));
            ByteBuffer packet = awaitPacket(udpTo(9998), device.queue(0));
            assertEquals(0x45, packet.get(0), "the packet starts with its IP header");
            assertArrayEquals(payload, Packets.udp4Payload(packet));
            assertTrue(device.queue(0).rxChecksumsCompleted() > 0, "the kernel left the checksum to us");
            assertTrue(Packets.udp4ChecksumValid(packet), "checksum completed");

            ByteBuffer reply = Packets.udp4(PEER, 9998, LOCAL, socket.getLocalPort(), payload);
            assertTrue(device.queue(0).send(reply));
            DatagramPacket received = new DatagramPacket(new byte[1024], 1024);
            socket.receive(received);
            assertEquals(333, received.getLength());
        }
    }

    @Test
    void secondSingleQueueOpenIsBusyAndLeavesTheFirstAlone() throws Exception {
        try (TunDevice first = openUp(TunConfig.of("tt0"))) {
            TunException busy = assertThrows(TunException.class, () -> open(TunConfig.of("tt0")));
            assertTrue(busy.is(Errno.EBUSY), busy.getMessage());
            assertTrue(busy.getMessage().contains("tt0 is busy"), busy.getMessage());
            assertTrue(first.isUp());
            assertTrue(ip("-4", "addr", "show", "dev", "tt0").output().contains("198.18.99.1/24"));
        }
    }

    @Test
    void preExistingDeviceSurvivesCloseAsItWas() throws Exception {
        assertTrue(ip("tuntap", "add", "dev", "tt1", "mode", "tun").ok());
        assertTrue(ip("link", "set", "tt1", "mtu", "1400").ok());
        assertTrue(ip("addr", "add", "198.18.97.1/24", "dev", "tt1").ok());
        TunDevice device = open(TunConfig.of("tt1"));
        assertFalse(device.createdByUs());
        device.addAddress(InetAddress.getByName("198.18.98.1"), 24);
        device.setUp(true);
        String during = ip("-4", "addr", "show", "dev", "tt1").output();
        assertTrue(during.contains("198.18.97.1/24") && during.contains("198.18.98.1/24"), during);
        assertTrue(ip("link", "show", "tt1").output().contains("mtu 1500"));
        device.close();

        String link = ip("link", "show", "tt1").output();
        assertTrue(link.contains("mtu 1400"), link);
        assertFalse(link.contains(",UP"), link);
        String after = ip("-4", "addr", "show", "dev", "tt1").output();
        assertTrue(after.contains("198.18.97.1/24"), "someone else's address stays: " + after);
        assertFalse(after.contains("198.18.98.1"), "ours goes: " + after);
    }

    @Test
    void multiQueueOpenOfASingleQueueDeviceFailsCleanly() throws Exception {
        assertTrue(ip("tuntap", "add", "dev", "tt1", "mode", "tun").ok());
        TunException e = assertThrows(TunException.class, () -> open(TunConfig.of("tt1").withQueues(2)));
        assertTrue(e.is(Errno.EINVAL), e.getMessage());
        assertTrue(e.getMessage().contains("multi-queue"), e.getMessage());
        assertTrue(ip("link", "show", "tt1").ok(), "the existing device is untouched");
        try (TunDevice single = open(TunConfig.of("tt1"))) {
            assertFalse(single.createdByUs());
        }
    }

    @Test
    void aNamespaceThatDoesNotExistIsReported() {
        TunException e = assertThrows(TunException.class,
                () -> Netns.exec(ns + "-missing", () -> TunDevice.open(TunConfig.of("tt0"))));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
