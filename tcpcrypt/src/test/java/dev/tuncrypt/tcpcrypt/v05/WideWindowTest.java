package dev.tuncrypt.tcpcrypt.v05;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wide-window bit of the tcpcrypt-0.5 ENO option: where it goes, that tcpcryptd 0.5 reads
 * nothing of it (its three scans of the suboption bytes replayed as {@code src/tcpcrypt.c} v0.5
 * does them), and when it lifts the 64-frame cap.
 */
class WideWindowTest {
    private static final List<Tep> PREF = List.of(Tep.ECDHE_P256, Tep.ECDHE_P521);
    private static final byte[] RESUME = HexFormat.of().parseHex("a12d1b34d9c3d356b095");

    static java.util.stream.Stream<Vector> vectors() {
        return Vector.all();
    }

    @Test
    void theBitSharesOneGeneralSuboptionWithAppAwareBeforeTheResumeIdentifier() {
        assertThat(EnoOption.syn(PREF, false, true, null).toString()).isEqualTo("fd07454e212204");
        assertThat(EnoOption.syn(PREF, true, true, null).toString()).isEqualTo("fd07454e212206");
        assertThat(EnoOption.syn(PREF, false, true, RESUME).toString()).isEqualTo("fd11454e212204a12d1b34d9c3d356b095");
        assertThat(EnoOption.synAck(Tep.ECDHE_P256, false, true).toString()).isEqualTo("fd06454e2104");
        assertThat(EnoOption.synAckResume(Tep.ECDHE_P256, true, true).toString()).isEqualTo("fd06454e06a1");
        EnoOption parsed = EnoOption.parse(HexFormat.of().parseHex("fd11454e212204a12d1b34d9c3d356b095")).orElseThrow();
        assertThat(parsed.wideWindow()).isTrue();
        assertThat(parsed.appAware()).isFalse();
        assertThat(parsed.tepIds()).containsExactly(0x21, 0x22);
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void withoutTheBitTheBytesAreTheGoldenVectorsAndTheyCarryNoBit(Vector v) {
        EnoOption syn = EnoOption.parse(v.bytes("syn.eno_option_hex")).orElseThrow();
        EnoOption synAck = EnoOption.parse(v.bytes("synack.eno_option_hex")).orElseThrow();
        assertThat(syn.wideWindow()).isFalse();
        assertThat(synAck.wideWindow()).isFalse();
        // role B echoes nothing to a SYN without the bit, whatever it offers itself
        assertThat(WideWindow.echo(true, syn)).isFalse();
        EnoOutcome outcome = new EnoOutcome.Negotiated(Tep.ECDHE_P256, false);
        assertThat(EnoOption.synAckFor(outcome, false, WideWindow.echo(true, syn)).toString())
                .isEqualTo(EnoOption.synAck(Tep.ECDHE_P256, false).toString());
        // our SYN with the bit, answered as tcpcryptd answers: the cap stays
        EnoOption ours = EnoOption.syn(PREF, false, true, null);
        assertThat(WideWindow.agreed(ours, synAck, outcome)).isFalse();
        assertThat(WideWindow.agreed(syn, EnoOption.synAck(Tep.ECDHE_P256, false, true), outcome)).isFalse();
    }

    // ---------------------------------------------------------------- tcpcryptd 0.5's scans

    /** {@code check_app_support}: any byte with a high nibble of 0 and bit 0x02. */
    private static boolean referenceAppSupport(byte[] subs) {
        boolean app = false;
        for (byte b : subs) {
            if (((b & 0xff) >> 4) == 0 && (b & 2) != 0) {
                app = true;
            }
        }
        return app;
    }

    /**
     * {@code negotiate_cipher} with its index into B's list never reset: returns the TEP chosen
     * or -1; {@code outOfBounds[0]} is set if it would read past B's array.
     */
    private static int referenceNegotiate(byte[] a, int[] b, boolean[] outOfBounds) {
        int an = a.length;
        int bn = b.length;
        int ai = 0;
        int bi = 0;
        while (an-- > 0) {
            while (bn-- > 0) {
                if (bi >= b.length) {
                    outOfBounds[0] = true;
                    return -1;
                }
                if ((a[ai] & 0xff) == b[bi]) {
                    return b[bi];
                }
                bi++;
            }
            ai++;
        }
        return -1;
    }

    /** {@code can_session_resume}: every 10-byte window starting at a byte with the v bit. */
    private static byte[] referenceResumeId(byte[] subs, byte[] cached) {
        for (int i = 0; i <= subs.length - 10; i++) {
            if ((subs[i] & 0x80) != 0 && java.util.Arrays.equals(subs, i, i + 10, cached, 0, 10)) {
                return java.util.Arrays.copyOfRange(subs, i, i + 10);
            }
        }
        return null;
    }

    @Test
    void tcpcryptdReadsTheSameFromOurSynWithAsWithoutTheBit() {
        int[] tcpcryptdTeps = {0x21, 0x22}; // its default list
        for (boolean app : new boolean[] {false, true}) {
            for (byte[] resume : new byte[][] {null, RESUME}) {
                byte[] plain = EnoOption.syn(PREF, app, false, resume).suboptionBytes();
                byte[] wide = EnoOption.syn(PREF, app, true, resume).suboptionBytes();
                assertThat(wide).hasSize(plain.length + (app ? 0 : 1));
                assertThat(referenceAppSupport(wide)).isEqualTo(referenceAppSupport(plain)).isEqualTo(app);
                boolean[] oob = {false};
                assertThat(referenceNegotiate(wide, tcpcryptdTeps, oob))
                        .isEqualTo(referenceNegotiate(plain, tcpcryptdTeps, oob)).isEqualTo(0x21);
                assertThat(oob[0]).isFalse();
                if (resume != null) {
                    assertThat(referenceResumeId(wide, RESUME)).isEqualTo(RESUME);
                }
            }
        }
        // P-521 first, as the golden vectors' second pair offers
        boolean[] oob = {false};
        byte[] wide = EnoOption.syn(List.of(Tep.ECDHE_P521, Tep.ECDHE_P256), false, true, RESUME).suboptionBytes();
        assertThat(referenceNegotiate(wide, new int[] {0x21, 0x22}, oob)).isEqualTo(0x22);
        assertThat(oob[0]).isFalse();
    }

    // ---------------------------------------------------------------- the decision

    private static CachedSession cached(boolean wide) {
        return new CachedSession(Tep.ECDHE_P256, SymCipher.AES_128_GCM, Role.A, new byte[32], RESUME.clone(), wide);
    }

    @Test
    void bothBitsLiftTheCapOnAFullHandshake() {
        EnoOption syn = EnoOption.syn(PREF, false, true, null);
        EnoOption synAck = EnoOption.synAck(Tep.ECDHE_P256, false, true);
        assertThat(WideWindow.echo(true, syn)).isTrue();
        assertThat(WideWindow.echo(false, syn)).isFalse();
        assertThat(WideWindow.agreed(syn, synAck, new EnoOutcome.Negotiated(Tep.ECDHE_P256, false))).isTrue();
        assertThat(WideWindow.agreed(syn, null, new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION))).isFalse();
    }

    @Test
    void aResumptionLiftsTheCapOnlyIfTheAuthenticatedSessionItContinuesDid() {
        EnoOption syn = EnoOption.syn(PREF, false, true, RESUME);
        EnoOption synAck = EnoOption.synAckResume(Tep.ECDHE_P256, false, true);
        // the options of a resumption enter no key: a bit injected towards a tcpcryptd session is ignored
        try (CachedSession narrow = cached(false); CachedSession wide = cached(true)) {
            assertThat(WideWindow.agreed(syn, synAck, new EnoOutcome.Resumed(narrow, false))).isFalse();
            assertThat(WideWindow.agreed(syn, synAck, new EnoOutcome.Resumed(wide, false))).isTrue();
            // stripped: only the cap comes back
            assertThat(WideWindow.agreed(syn, EnoOption.synAckResume(Tep.ECDHE_P256, false),
                    new EnoOutcome.Resumed(wide, false))).isFalse();
        }
    }

    @Test
    void theCacheEntryRemembersTheDecisionAfterItsSecretIsUsed() {
        try (SessionSecrets s = SessionSecrets.resumed(Tep.ECDHE_P256, SymCipher.AES_128_GCM, new byte[32])) {
            CachedSession e = s.toCacheEntry(Role.B, true);
            SessionSecrets.resume(e).close();
            assertThat(e.isClosed()).isTrue();
            assertThat(e.wideWindow()).isTrue();
            assertThat(s.toCacheEntry(Role.B).wideWindow()).isFalse();
        }
    }
}
