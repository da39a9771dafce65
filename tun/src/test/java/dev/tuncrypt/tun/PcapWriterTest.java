package dev.tuncrypt.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsTshark() {
        Prerequisites.require(Prerequisites.onPath("tshark"),
                "tshark is missing: install tshark (apt-get install tshark) to read pcap files back");
    }

    private static InetAddress ip(String text) throws IOException {
        return InetAddress.getByName(text);
    }

    /** Runs tshark on the file and returns its output lines (stderr kept apart). */
    private List<String> tshark(Path file, String... fields) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("tshark", "-r", file.toString(), "-T", "fields",
                "-E", "separator=,"));
        for (String f : fields) {
            argv.add("-e");
            argv.add(f);
        }
        Path stdout = dir.resolve("tshark.out");
        Process p = new ProcessBuilder(argv).redirectOutput(stdout.toFile())
                .redirectError(dir.resolve("tshark.err").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("tshark hung");
        }
        assertEquals(0, p.exitValue(), () -> "tshark failed: " + read(dir.resolve("tshark.err")));
        return Files.readAllLines(stdout, StandardCharsets.UTF_8);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void tsharkReadsBackIpv4AndIpv6Addresses() throws Exception {
        Path file = dir.resolve("mixed.pcap");
        AtomicLong micros = new AtomicLong(1_700_000_000_123_456L);
        try (PcapWriter writer = PcapWriter.create(file, () -> micros.getAndAdd(1_000_001))) {
            writer.write(Packets.udp4(ip("198.18.0.1"), 1000, ip("198.18.0.2"), 2000, "one".getBytes()));
            writer.write(Packets.udp4(ip("198.18.1.10"), 1001, ip("198.19.255.254"), 53, "two".getBytes()));
            ByteBuffer offset = Packets.udp4(ip("198.18.7.7"), 9, ip("198.18.8.8"), 9, new byte[1400]);
            writer.write(offset);
            assertEquals(0, offset.position(), "write leaves the position alone");
            writer.write(Packets.udp6(ip("2001:2::1"), 5000, ip("2001:2::2"), 6000, "six".getBytes()));
        }
        List<String> lines = tshark(file, "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "udp.dstport",
                "frame.len", "frame.time_epoch");
        assertEquals(4, lines.size(), () -> String.join("\n", lines));
        assertEquals(List.of("198.18.0.1", "198.18.0.2", "", "", "2000", "31"), fields(lines.get(0), 6));
        assertEquals(List.of("198.18.1.10", "198.19.255.254", "", "", "53", "31"), fields(lines.get(1), 6));
        assertEquals(List.of("198.18.7.7", "198.18.8.8", "", "", "9", "1428"), fields(lines.get(2), 6));
        assertEquals(List.of("", "", "2001:2::1", "2001:2::2", "6000", "51"), fields(lines.get(3), 6));
        assertEquals("1700000000.123456000", lines.get(0).split(",")[6]);
        assertEquals("1700000003.123459000", lines.get(3).split(",")[6]);
    }

    private static List<String> fields(String line, int count) {
        return List.of(line.split(",", -1)).subList(0, count);
    }

    @Test
    void aTapRecordsBothDirections() throws Exception {
        Path file = dir.resolve("tap.pcap");
        ManualClock clock = new ManualClock(0);
        MemoryLink.Pair pair = MemoryLink.pair(clock, 3, FaultModel.NONE, FaultModel.NONE);
        PacketBatch batch = new PacketBatch(8, MemoryLink.DEFAULT_MTU);
        try (PcapWriter writer = PcapWriter.create(file)) {
            PcapTap tap = new PcapTap(pair.a(), writer);
            tap.send(Packets.udp4(ip("198.18.5.1"), 1, ip("198.18.5.2"), 2, new byte[10]));
            pair.b().receive(batch);
            pair.b().send(Packets.udp4(ip("198.18.5.2"), 2, ip("198.18.5.1"), 1, new byte[20]));
            pair.b().send(Packets.udp4(ip("198.18.5.2"), 2, ip("198.18.5.1"), 1, new byte[30]));
            assertEquals(2, tap.receive(batch));
            tap.close();
        }
        List<String> lines = tshark(file, "ip.src", "ip.dst", "frame.len");
        assertEquals(List.of("198.18.5.1,198.18.5.2,38", "198.18.5.2,198.18.5.1,48", "198.18.5.2,198.18.5.1,58"),
                lines);
    }

    @Test
    void headerIsClassicPcapRawIp() throws IOException {
        Path file = dir.resolve("empty.pcap");
        PcapWriter.create(file).close();
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file));
        assertEquals(24, header.limit());
        assertEquals(0xa1b2c3d4, header.getInt(0));
        assertEquals(2, header.getShort(4));
        assertEquals(4, header.getShort(6));
        assertEquals(65535, header.getInt(16));
        assertEquals(101, header.getInt(20));
    }

    @Test
    void theFileIsTheOwnersOnlyAlsoWhenItExistedWithWiderPermissions() throws Exception {
        Path fresh = dir.resolve("fresh.pcap");
        PcapWriter.create(fresh).close();
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));
        Path old = Files.writeString(dir.resolve("old.pcap"), "someone's old capture, longer than a header");
        Files.setPosixFilePermissions(old, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        PcapWriter.create(old).close();
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(old)));
        assertEquals(24, Files.size(old), "truncated");
    }

    @Test
    void aSmallSnaplenKeepsTheHeadersAndTheOriginalLength() throws Exception {
        Path file = dir.resolve("snap.pcap");
        try (PcapWriter writer = PcapWriter.create(file, PcapWriter.SYSTEM_MICROS, 28)) {
            writer.write(Packets.udp4(ip("198.18.0.1"), 1000, ip("198.18.0.2"), 2000, "SECRET-PAYLOAD".getBytes()));
        }
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(28, ByteBuffer.wrap(bytes).getInt(16), "snaplen in the file header");
        assertEquals(24 + 16 + 28, bytes.length);
        assertEquals(List.of("198.18.0.1,198.18.0.2,2000,42,28"),
                tshark(file, "ip.src", "ip.dst", "udp.dstport", "frame.len", "frame.cap_len"));
        org.junit.jupiter.api.Assertions.assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains("SECRET"));
    }

    @Test
    void aTapFlushesAfterEveryBatchSoTheFileIsCurrentWhileItRuns() throws Exception {
        Path file = dir.resolve("live.pcap");
        MemoryLink.Pair pair = MemoryLink.pair(new ManualClock(0), 3, FaultModel.NONE, FaultModel.NONE);
        PacketBatch batch = new PacketBatch(8, MemoryLink.DEFAULT_MTU);
        try (PcapWriter writer = PcapWriter.create(file)) {
            PcapTap tap = new PcapTap(pair.a(), writer);
            pair.b().send(Packets.udp4(ip("198.18.5.2"), 2, ip("198.18.5.1"), 1, new byte[20]));
            assertEquals(1, tap.receive(batch));
            assertEquals(24 + 16 + 48, Files.size(file), "received batch on disk before close");
            tap.send(Packets.udp4(ip("198.18.5.1"), 1, ip("198.18.5.2"), 2, new byte[10]));
            tap.await(0);
            assertEquals(24 + 16 + 48 + 16 + 38, Files.size(file), "sent packet on disk once the loop waits");
        }
    }
}
