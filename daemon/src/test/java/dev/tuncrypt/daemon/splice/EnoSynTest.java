package dev.tuncrypt.daemon.splice;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which SYNs the splicer treats as inbound tcpcrypt peers (RFC 8547 §4, RFC 6994). */
class EnoSynTest {
    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void kind69IsEno() {
        // MSS 1460, NOP, NOP, ENO with one TEP suboption (0x21)
        assertThat(EnoSyn.offered(b(2, 4, 0x05, 0xb4, 1, 1, 69, 3, 0x21))).isTrue();
    }

    @Test
    void experimentalKindNeedsTheEnoExid() {
        assertThat(EnoSyn.offered(b(253, 5, 0x45, 0x4e, 0x21))).isTrue();
        assertThat(EnoSyn.offered(b(253, 5, 0x12, 0x34, 0x21))).as("another experiment").isFalse();
        assertThat(EnoSyn.offered(b(253, 2))).as("too short for an ExID").isFalse();
    }

    @Test
    void plainKernelSynOffersNothing() {
        // Linux: MSS, SACK permitted, timestamps, NOP, window scale
        assertThat(EnoSyn.offered(b(2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7))).isFalse();
    }

    @Test
    void malformedListsOfferNothing() {
        assertThat(EnoSyn.offered(b(2))).as("kind without length").isFalse();
        assertThat(EnoSyn.offered(b(2, 1, 69, 3, 0x21))).as("length below 2").isFalse();
        assertThat(EnoSyn.offered(b(2, 40, 69, 3, 0x21))).as("length past the end").isFalse();
        assertThat(EnoSyn.offered(b(0, 69, 3, 0x21))).as("after End of Option List").isFalse();
        assertThat(EnoSyn.offered(new byte[0])).isFalse();
    }
}
