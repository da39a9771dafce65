package dev.tuncrypt.client.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PayloadsTest {
    static byte[] sid(int seed) {
        byte[] b = new byte[33];
        b[0] = 0x21;
        for (int i = 1; i < 33; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    /** struct tc_netstat by hand: sip, sport, pad, dip, dport, len (network order), then the SID. */
    @Test
    void netstatRecordMatchesTheCStruct() throws Exception {
        String hex = "c6120001" + "ce26" + "0000" + "c6120002" + "1e61" + "0021" + HexFormat.of().formatHex(sid(0));
        NetstatRecord r = new NetstatRecord(new InetSocketAddress("198.18.0.1", 52774),
                new InetSocketAddress("198.18.0.2", 7777), sid(0));
        assertThat(HexFormat.of().formatHex(NetstatRecord.encodeAll(List.of(r), 1000))).isEqualTo(hex);
        assertThat(NetstatRecord.decodeAll(HexFormat.of().parseHex(hex))).containsExactly(r);
        assertThat(r.sessionIdHex()).isEqualTo(HexFormat.of().withUpperCase().formatHex(sid(0)));
    }

    @Test
    void netstatStopsAtTheFirstRecordThatDoesNotFit() throws Exception {
        NetstatRecord a = new NetstatRecord(new InetSocketAddress("198.18.0.1", 1), new InetSocketAddress("198.18.0.2", 2),
                sid(1));
        NetstatRecord b = new NetstatRecord(new InetSocketAddress("198.18.0.1", 3), new InetSocketAddress("198.18.0.2", 4),
                sid(2));
        assertThat(NetstatRecord.encodeAll(List.of(a, b), 49 * 2 - 1)).hasSize(49);
        assertThat(NetstatRecord.decodeAll(NetstatRecord.encodeAll(List.of(a, b), 98))).containsExactly(a, b);
        assertThatThrownBy(() -> NetstatRecord.decodeAll(new byte[20])).isInstanceOf(MalformedMessageException.class);
        byte[] cut = NetstatRecord.encodeAll(List.of(a), 100);
        assertThatThrownBy(() -> NetstatRecord.decodeAll(java.util.Arrays.copyOf(cut, 40)))
                .isInstanceOf(MalformedMessageException.class);
    }

    static ConnectionRecord record(String local, String remote, ConnectionRecord.Phase phase) {
        return new ConnectionRecord(new InetSocketAddress(local, 443), new InetSocketAddress(remote, 55000), phase,
                phase == ConnectionRecord.Phase.ENCRYPTED ? sid(3) : new byte[0], "tcpcrypt-0.5", "ECDHE_P256",
                "AES_128_GCM", true, false, phase == ConnectionRecord.Phase.PLAIN ? "disabled" : "", 1000,
                "ESTABLISHED", 1234, 14480, 3, 1L << 40, 5, 60_000);
    }

    @Test
    void connectionRecordsAndPagesRoundTrip() throws Exception {
        ConnectionRecord v4 = record("198.18.0.1", "198.18.0.2", ConnectionRecord.Phase.ENCRYPTED);
        ConnectionRecord v6 = record("2001:2::1", "2001:2::2", ConnectionRecord.Phase.PLAIN);
        WidePage page = new WidePage(10, 2, List.of(v4, v6));
        assertThat(WidePage.decode(page.encode())).isEqualTo(page);
        assertThat(WidePage.decode(new WidePage(2, WidePage.END, List.of()).encode()).hasMore()).isFalse();
        assertThat(WidePage.decodeRequest(WidePage.request(17))).isEqualTo(17);
        assertThat(WidePage.decodeRequest(new byte[0])).isZero();
    }

    @Test
    void statusAndQueryRoundTrip() throws Exception {
        StatusPayload s = new StatusPayload("0.1.0", 5000, 3, Map.of("b", 2L, "a", 1L));
        StatusPayload back = StatusPayload.decode(s.encode());
        assertThat(back).isEqualTo(s);
        assertThat(back.counters().keySet()).containsExactly("a", "b");
        ConnectionQuery q = new ConnectionQuery(new InetSocketAddress("2001:2::1", 1), null);
        assertThat(ConnectionQuery.decode(q.encode())).isEqualTo(q);
        ConnectionQuery q2 = new ConnectionQuery(new InetSocketAddress("198.18.0.1", 1),
                new InetSocketAddress("198.18.0.2", 2));
        assertThat(ConnectionQuery.decode(q2.encode())).isEqualTo(q2);
    }

    @Test
    void statusWithHostRoutingAndPeersRoundTripsAndAnOlderDaemonsReplyStillDecodes() throws Exception {
        StatusPayload s = new StatusPayload("0.2.0", 5000, 3, Map.of("a", 1L), Map.of("device", "ta0"),
                List.of("steer 198.18.0.2/32"), List.of(new StatusPayload.Peer("198.18.0.2", "tcpcrypt-0.5",
                        1_700_000_000_000L, 2, 3, 1, 1, 0, 100, 200)));
        assertThat(StatusPayload.decode(s.encode())).isEqualTo(s);
        // the original layout, as a daemon before these sections sends it
        byte[] old = new PayloadWriter().string("0.1.0").i64(5000).i32(3).i32(1).string("a").i64(1).toByteArray();
        StatusPayload back = StatusPayload.decode(old);
        assertThat(back.counters()).containsEntry("a", 1L);
        assertThat(back.peers()).isEmpty();
        assertThat(back.host()).isEmpty();
    }

    @Property
    void truncatedPayloadsAreTypedErrors(@ForAll @Size(max = 200) byte[] junk) {
        byte[] good = new WidePage(1, WidePage.END, List.of(record("198.18.0.1", "198.18.0.2",
                ConnectionRecord.Phase.ENCRYPTED))).encode();
        for (byte[] in : List.of(junk, java.util.Arrays.copyOf(good, Math.min(good.length - 1, junk.length)))) {
            try {
                WidePage.decode(in);
                StatusPayload.decode(in);
                ConnectionQuery.decode(in);
            } catch (MalformedMessageException e) {
                assertThat(e.reason()).isEqualTo(MalformedMessageException.Reason.BAD_PAYLOAD);
            }
        }
    }
}
