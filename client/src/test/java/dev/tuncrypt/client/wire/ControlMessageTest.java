package dev.tuncrypt.client.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ControlMessageTest {

    /**
     * The bytes libtcpcrypt's do_sockopt sends on x86-64 for a TCP_CRYPT_SESSID get (seq 5) from
     * 198.18.0.1:52774 to 198.18.0.2:7777 with a 4-byte buffer, laid out by hand from
     * struct tcpcrypt_ctl (u32 fields little-endian, in_addr and ports in network order).
     */
    static final String SESSID_REQUEST_LE = ""
            + "05000000" // seq
            + "c6120001" + "ce26" + "0000" // src 198.18.0.1, sport 52774, pad
            + "c6120002" + "1e61" + "0000" // dst 198.18.0.2, dport 7777, pad
            + "00000000" // flags (get)
            + "00000000" // err
            + "02000000" // opt TCP_CRYPT_SESSID
            + "04000000" // dlen
            + "00000000"; // data

    @Test
    void decodesTheCStructLayout() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
                "the hand-built bytes are a little-endian host's");
        ControlMessage m = ControlMessage.decode(ByteBuffer.wrap(HexFormat.of().parseHex(SESSID_REQUEST_LE)), 100);
        assertThat(m.seq()).isEqualTo(5);
        assertThat(m.local()).isEqualTo(new InetSocketAddress("198.18.0.1", 52774));
        assertThat(m.remote()).isEqualTo(new InetSocketAddress("198.18.0.2", 7777));
        assertThat(m.isSet()).isFalse();
        assertThat(m.opt()).isEqualTo(ControlOption.TCP_CRYPT_SESSID);
        assertThat(m.data()).hasSize(4);
        assertThat(HexFormat.of().formatHex(m.encode())).isEqualTo(SESSID_REQUEST_LE);
    }

    @Test
    void replyEchoesTheHeaderWithErrAndData() throws Exception {
        ControlMessage req = ControlMessage.decode(ByteBuffer.wrap(HexFormat.of().parseHex(SESSID_REQUEST_LE)), 100);
        byte[] reply = req.reply(22, new byte[] {1, 2}).encode();
        assertThat(reply).hasSize(38);
        ByteBuffer b = ByteBuffer.wrap(reply).order(ByteOrder.nativeOrder());
        assertThat(b.getInt(0)).isEqualTo(req.seq());
        assertThat(java.util.Arrays.copyOfRange(reply, 4, 24))
                .isEqualTo(java.util.Arrays.copyOfRange(req.encode(), 4, 24));
        assertThat(b.getInt(24)).isEqualTo(22);
        assertThat(b.getInt(28)).isEqualTo(2);
        assertThat(b.getInt(32)).isEqualTo(2);
        assertThat(reply[36]).isEqualTo((byte) 1);
    }

    @Test
    void unconnectedSocketHasNoRemote() {
        ControlMessage m = ControlMessage.request(1, new InetSocketAddress("0.0.0.0", 41000), null,
                ControlOption.TCP_CRYPT_ENABLE, true, new byte[4]);
        assertThat(m.remote()).isNull();
        assertThat(m.isSet()).isTrue();
        assertThat(m.flags()).isEqualTo(ControlMessage.TCC_SET);
    }

    @Test
    void malformedDatagramsAreTypedErrors() {
        assertThatThrownBy(() -> ControlMessage.decode(ByteBuffer.allocate(35), 100))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(MalformedMessageException.Reason.TRUNCATED_HEADER));
        byte[] b = ControlMessage.request(1, 2, false, new byte[8]).encode();
        assertThatThrownBy(() -> ControlMessage.decode(ByteBuffer.wrap(b, 0, 40), 100))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(MalformedMessageException.Reason.LENGTH_MISMATCH));
        ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putInt(32, -1);
        assertThatThrownBy(() -> ControlMessage.decode(ByteBuffer.wrap(b), 100))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(MalformedMessageException.Reason.DATA_TOO_LONG));
    }

    @Property
    void roundTrips(@ForAll int seq, @ForAll int src, @ForAll @IntRange(max = 65535) int sport, @ForAll int dst,
            @ForAll @IntRange(max = 65535) int dport, @ForAll int flags, @ForAll int err, @ForAll int opt,
            @ForAll @Size(max = 300) byte[] data) throws Exception {
        ControlMessage m = new ControlMessage(seq, src, sport, dst, dport, flags, err, opt, data);
        assertThat(ControlMessage.decode(ByteBuffer.wrap(m.encode()), 300)).isEqualTo(m);
    }

    @Property
    void randomBytesNeverThrowAnythingButTheTypedError(@ForAll @Size(max = 120) byte[] junk) {
        try {
            ControlMessage.decode(ByteBuffer.wrap(junk), 1000);
        } catch (MalformedMessageException e) {
            assertThat(e.reason()).isNotNull();
        }
    }
}
