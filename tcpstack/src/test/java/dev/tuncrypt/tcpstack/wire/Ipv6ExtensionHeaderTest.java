package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.WireTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The RFC 8200 extension-header walk: what it accepts and where it lands. */
class Ipv6ExtensionHeaderTest {

    private static Ipv6View wrapOk(int nextHeader, String rest) {
        byte[] payload = hex(rest);
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        Ipv6View.writeHeader(b, 0, payload.length, nextHeader, 64, 1, 2, 3, 4);
        b.put(40, payload);
        Ipv6View v = new Ipv6View();
        assertNull(v.wrap(b, 0, b.capacity()));
        return v;
    }

    @Example
    void hopByHopWithRouterAlertThenDestinationOptionsThenTcp() {
        // HBH: next 60, len 0, Router Alert (05 02 0000), Pad1, Pad1; DestOpts: next 6, len 0, PadN(4).
        Ipv6View v = wrapOk(0, "3C00 05020000 0000" + "0600 01040000 0000" + "AABBCCDD");
        assertEquals(IpProtocol.TCP, v.nextHeader());
        assertEquals(IpProtocol.HOP_BY_HOP, v.firstNextHeader());
        assertEquals(56, v.payloadOffset());
        assertEquals(4, v.payloadLength());
        assertEquals(16, v.extensionHeadersLength());
        assertFalse(v.isFragment());
    }

    @Example
    void routingHeaderWithNoSegmentsLeftIsIgnored() {
        Ipv6View v = wrapOk(43, "1100 0400 00000000" + "0102030405060708");
        assertEquals(IpProtocol.UDP, v.nextHeader());
        assertEquals(48, v.payloadOffset());
    }

    @Example
    void atomicFragmentIsProcessedAsAWholePacket() {
        // RFC 6946: offset 0, M clear.
        Ipv6View v = wrapOk(44, "0600 0000 12345678" + "0011223344556677");
        assertFalse(v.isFragment());
        assertEquals(IpProtocol.TCP, v.nextHeader());
        assertEquals(48, v.payloadOffset());
        assertEquals(8, v.payloadLength());
    }

    @Example
    void firstFragmentStopsTheWalk() {
        Ipv6View v = wrapOk(44, "3A00 0001 CAFEBABE" + "00112233445566778899AABBCCDDEEFF");
        assertTrue(v.isFragment());
        assertTrue(v.moreFragments());
        assertEquals(0, v.fragmentOffset());
        assertEquals(0xCAFEBABEL, v.fragmentId());
        assertEquals(IpProtocol.ICMPV6, v.nextHeader());
        assertEquals(48, v.payloadOffset());
        assertEquals(16, v.payloadLength());
    }

    @Example
    void lastFragmentMayHaveAnyLength() {
        Ipv6View v = wrapOk(44, "1100 0058 00000001" + "0011223344");
        assertTrue(v.isFragment());
        assertFalse(v.moreFragments());
        assertEquals(88, v.fragmentOffset());
        assertEquals(5, v.payloadLength());
    }

    @Example
    void noNextHeaderEndsTheWalk() {
        Ipv6View v = wrapOk(60, "3B00 01040000 0000");
        assertEquals(IpProtocol.NO_NEXT_HEADER, v.nextHeader());
        assertEquals(0, v.payloadLength());
    }

    /** Seed -28436 once drew offset 0 without more-fragments: an atomic fragment, not a real one. */
    @net.jqwik.api.Example
    void realFragmentIsNeverAtomic() {
        randomValidChains(-28436L);
    }

    /** Random valid chains: the walk lands exactly after the last extension header. */
    @Property(tries = 1000)
    void randomValidChains(@ForAll long seed) {
        Random r = new Random(seed);
        ByteBuffer ext = ByteBuffer.allocate(2000);
        int upper = new int[] {6, 17, 58, 59, 50}[r.nextInt(5)];
        int count = r.nextInt(6);
        boolean hbh = r.nextBoolean();
        boolean realFragment = r.nextInt(3) == 0;
        int[] types = new int[count + (hbh ? 1 : 0) + (realFragment ? 1 : 0)];
        int n = 0;
        if (hbh) {
            types[n++] = 0;
        }
        for (int i = 0; i < count; i++) {
            types[n++] = new int[] {60, 43, 44}[r.nextInt(3)]; // 44 here is an atomic fragment
        }
        if (realFragment) {
            types[n++] = -44;
        }
        int fragOffset = 0;
        boolean more = false;
        long id = 0;
        for (int i = 0; i < types.length; i++) {
            int next = i + 1 < types.length ? Math.abs(types[i + 1]) : upper;
            int start = ext.position();
            switch (types[i]) {
                case 0, 60 -> {
                    int units = r.nextInt(3);
                    int body = 8 * (units + 1) - 2;
                    ext.put((byte) next).put((byte) units);
                    fillOptions(ext, body, r);
                }
                case 43 -> {
                    int units = r.nextInt(3);
                    ext.put((byte) next).put((byte) units).put((byte) r.nextInt(256)).put((byte) 0);
                    ext.put(new byte[8 * (units + 1) - 4]);
                }
                case 44 -> ext.put((byte) next).put((byte) 0).putShort((short) 0).putInt(r.nextInt());
                default -> {
                    fragOffset = 8 * r.nextInt(1000);
                    // offset 0 without more-fragments would be an atomic fragment (RFC 6946)
                    more = fragOffset == 0 || r.nextBoolean();
                    id = r.nextInt() & 0xFFFF_FFFFL;
                    ext.put((byte) next).put((byte) 0).putShort((short) (fragOffset | (more ? 1 : 0))).putInt((int) id);
                }
            }
            assertEquals(0, (ext.position() - start) % 8);
        }
        int extLen = ext.position();
        int upperLen = more ? 8 * r.nextInt(20) : r.nextInt(100);
        int first = types.length == 0 ? upper : Math.abs(types[0]);
        ByteBuffer b = ByteBuffer.allocate(40 + extLen + upperLen);
        Ipv6View.writeHeader(b, 0, extLen + upperLen, first, 64, 1, 2, 3, 4);
        b.put(40, ext.array(), 0, extLen);
        Ipv6View v = new Ipv6View();
        assertNull(v.wrap(b, 0, b.capacity()));
        assertEquals(upper, v.nextHeader());
        assertEquals(40 + extLen, v.payloadOffset());
        assertEquals(upperLen, v.payloadLength());
        assertEquals(extLen, v.extensionHeadersLength());
        assertEquals(realFragment, v.isFragment());
        if (realFragment) {
            assertEquals(fragOffset, v.fragmentOffset());
            assertEquals(more, v.moreFragments());
            assertEquals(id, v.fragmentId());
        }
    }

    /** Fills {@code body} bytes with Pad1, PadN and skippable (00xxxxxx) options. */
    private static void fillOptions(ByteBuffer b, int body, Random r) {
        int left = body;
        while (left > 0) {
            if (left == 1 || r.nextInt(4) == 0) {
                b.put((byte) 0);
                left--;
            } else {
                int dataLen = r.nextInt(left - 1);
                int type = r.nextBoolean() ? 1 : 2 + r.nextInt(62); // PadN or a skippable unknown
                b.put((byte) type).put((byte) dataLen).put(new byte[dataLen]);
                left -= 2 + dataLen;
            }
        }
    }
}
