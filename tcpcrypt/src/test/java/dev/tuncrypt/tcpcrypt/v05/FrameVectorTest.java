package dev.tuncrypt.tcpcrypt.v05;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuncrypt.tcpcrypt.Role;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every recorded frame of every golden vector: its offset follows from the TCP sequence numbers,
 * it opens at that offset to the recorded plaintext and flags, and sealing that plaintext again
 * gives the identical frame.
 */
class FrameVectorTest {

    static Stream<Vector> all() {
        return Vector.all();
    }

    static SessionSecrets secrets(Vector v) {
        if (v.resumed()) {
            return SessionSecrets.resumed(v.tep(), v.cipher(), v.previous().bytes("nk_hex"));
        }
        return SessionSecrets.fullHandshake(v.tep(), v.cipher(), v.bytes("ss_hex"));
    }

    static Role sender(JsonNode frame) {
        return switch (frame.get("direction").asText()) {
            case "A->B" -> Role.A;
            case "B->A" -> Role.B;
            default -> throw new IllegalArgumentException(frame.get("direction").asText());
        };
    }

    static int seq(JsonNode n) {
        return (int) n.asLong();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void streamStarts(Vector v) {
        int aStart = seq(v.node("stream_start_seq.a_to_b"));
        int bStart = seq(v.node("stream_start_seq.b_to_a"));
        if (v.resumed()) {
            assertThat(StreamOffsets.resumedStart(seq(v.node("syn.tcp_seq")))).isEqualTo(aStart);
            assertThat(StreamOffsets.resumedStart(seq(v.node("synack.tcp_seq")))).isEqualTo(bStart);
        } else {
            assertThat(StreamOffsets.fullHandshakeStart(seq(v.node("ack_with_init1.tcp_seq")),
                    Init1.length(v.tep(), 2))).isEqualTo(aStart);
            assertThat(StreamOffsets.fullHandshakeStart(seq(v.node("init2_segment.tcp_seq")),
                    Init2.length(v.tep()))).isEqualTo(bStart);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void everyFrameOpensAtItsOffset(Vector v) {
        int opened = 0;
        try (SessionSecrets s = secrets(v);
                FrameOpener atB = s.newOpener(Role.B);
                FrameOpener atA = s.newOpener(Role.A)) {
            for (JsonNode f : v.frames()) {
                Role from = sender(f);
                long offset = f.get("stream_offset").asLong();
                int start = seq(v.node(from == Role.A ? "stream_start_seq.a_to_b" : "stream_start_seq.b_to_a"));
                assertThat(StreamOffsets.referenceOffset(seq(f.get("tcp_seq")), start)).isEqualTo(offset);
                assertThat(StreamOffsets.offset32(seq(f.get("tcp_seq")), start)).isEqualTo(offset);
                int isn = seq(v.node(from == Role.A ? "syn.tcp_seq" : "synack.tcp_seq"));
                long wireOffset = Integer.toUnsignedLong(seq(f.get("tcp_seq")) - (isn + 1));
                int opening = v.resumed() ? 0 : from == Role.A ? Init1.length(v.tep(), 2) : Init2.length(v.tep());
                assertThat(StreamOffsets.fromWireOffset(isn, wireOffset, opening)).isEqualTo(offset);
                assertThat(Vector.hex(StreamOffsets.iv(offset))).isEqualTo(f.get("iv_hex").asText());

                byte[] frame = Vector.hex(f.get("frame_hex").asText());
                assertThat(Vector.hex(Arrays.copyOf(frame, 3))).isEqualTo(f.get("header_aad_hex").asText());
                byte[] plaintext = Vector.hex(f.get("plaintext_hex").asText());
                FrameOpener opener = from == Role.A ? atB : atA;
                ByteBuffer in = ByteBuffer.wrap(frame);
                ByteBuffer out = ByteBuffer.allocateDirect(2048);
                assertThat(opener.open(in, offset, out)).as("frame at %d", offset).isEqualTo(FrameStatus.OK);
                assertThat(in.hasRemaining()).isFalse();
                out.flip();
                byte[] data = new byte[out.remaining()];
                out.get(data);
                assertThat(data).isEqualTo(Arrays.copyOfRange(plaintext, 1, plaintext.length));
                assertThat(opener.dataLength()).isEqualTo(f.get("data_len").asInt());
                assertThat(opener.flags()).isEqualTo(Integer.parseInt(f.get("flags_byte").asText(), 16));
                assertThat(opener.fin()).isEqualTo(f.get("tcp_flags").asText().contains("F"));
                if (f.hasNonNull("data_ascii")) {
                    assertThat(new String(data, java.nio.charset.StandardCharsets.US_ASCII))
                            .isEqualTo(f.get("data_ascii").asText());
                }
                assertThat(frame).hasSize(data.length + FrameSealer.OVERHEAD);
                opened++;
            }
        }
        assertThat(opened).isEqualTo(5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void everyFrameIsResealedIdentically(Vector v) {
        Map<Role, FrameSealer> sealers = new EnumMap<>(Role.class);
        try (SessionSecrets s = secrets(v)) {
            for (Role r : Role.values()) {
                sealers.put(r, s.newSealer(r));
            }
            for (JsonNode f : v.frames()) {
                Role from = sender(f);
                byte[] plaintext = Vector.hex(f.get("plaintext_hex").asText());
                int flags = plaintext[0] & 0xff;
                ByteBuffer data = ByteBuffer.wrap(plaintext, 1, plaintext.length - 1);
                ByteBuffer out = ByteBuffer.allocate(2048);
                int n = sealers.get(from).seal(data, flags, f.get("stream_offset").asLong(), out);
                out.flip();
                byte[] frame = new byte[out.remaining()];
                out.get(frame);
                assertThat(n).isEqualTo(frame.length);
                assertThat(Vector.hex(frame)).isEqualTo(f.get("frame_hex").asText());
                assertThat(data.hasRemaining()).isFalse();
            }
        } finally {
            sealers.values().forEach(FrameSealer::close);
        }
    }

    /** Every single-bit change of a recorded short frame (33 bytes) fails the tag. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void everyBitOfTheRecordedShortFramesIsAuthenticated(Vector v) {
        int flips = 0;
        try (SessionSecrets s = secrets(v);
                FrameOpener atB = s.newOpener(Role.B);
                FrameOpener atA = s.newOpener(Role.A)) {
            for (JsonNode f : v.frames()) {
                if (f.get("data_len").asInt() > 100) {
                    continue;
                }
                FrameOpener opener = sender(f) == Role.A ? atB : atA;
                long offset = f.get("stream_offset").asLong();
                byte[] frame = Vector.hex(f.get("frame_hex").asText());
                for (int bit = 0; bit < frame.length * 8; bit++) {
                    byte[] bad = frame.clone();
                    bad[bit / 8] ^= (byte) (1 << (bit % 8));
                    assertThat(opener.open(ByteBuffer.wrap(bad), offset, ByteBuffer.allocate(64)))
                            .as("bit %d", bit).isEqualTo(FrameStatus.TAG_MISMATCH);
                    flips++;
                }
                assertThat(opener.open(ByteBuffer.wrap(frame), offset + 1, ByteBuffer.allocate(64)))
                        .isEqualTo(FrameStatus.TAG_MISMATCH);
                assertThat(opener.open(ByteBuffer.wrap(frame), offset, ByteBuffer.allocate(64)))
                        .isEqualTo(FrameStatus.OK);
            }
        }
        assertThat(flips).isEqualTo(2 * 33 * 8);
    }
}
