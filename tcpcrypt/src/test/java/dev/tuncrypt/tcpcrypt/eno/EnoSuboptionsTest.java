package dev.tuncrypt.tcpcrypt.eno;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpcrypt.rfc8548.EnoOption8547;
import dev.tuncrypt.tcpcrypt.v05.EnoOption;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The suboption block both dialects share (RFC 8547 §4.1, Table 1), under either header. */
class EnoSuboptionsTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    void everyKindOfSuboptionRoundTrips() {
        // general 02, TEP 21, a length byte covering 2 bytes of TEP 0x22 with v, TEP 0x23 with data to the end
        byte[] block = hex("0221" + "81" + "a2" + "aabb" + "a3" + "010203");
        EnoSuboptions parsed = EnoSuboptions.parse(block).orElseThrow();
        assertThat(parsed.list()).containsExactly(
                EnoSuboption.general(0x02),
                EnoSuboption.tep(0x21),
                EnoSuboption.tepWithData(0x22, hex("aabb"), true),
                EnoSuboption.tepWithData(0x23, hex("010203"), false));
        assertThat(EnoSuboptions.of(parsed.list(), 38).bytes()).isEqualTo(block);
        assertThat(parsed.tepIds(false)).containsExactly(0x21);
        assertThat(parsed.tepIds(true)).containsExactly(0x21, 0x22, 0x23);
    }

    @Test
    void onlyTheFirstGeneralSuboptionIsTheGlobalOneWhileTheOrIsTcpcryptdsReading() {
        EnoSuboptions parsed = EnoSuboptions.parse(hex("210104")).orElseThrow();
        assertThat(parsed.firstGeneral()).isEqualTo(0x01);
        assertThat(parsed.allGeneral()).isEqualTo(0x05);
        assertThat(EnoSuboptions.parse(hex("21")).orElseThrow().firstGeneral()).isEqualTo(-1);
    }

    @Test
    void malformedLengthBytesAreTypedErrors() {
        assertThat(EnoSuboptions.parse(hex("8121")).errorOrNull()).isEqualTo(EnoError.LENGTH_BYTE_WITHOUT_TEP);
        assertThat(EnoSuboptions.parse(hex("83a1aa")).errorOrNull()).isEqualTo(EnoError.LENGTH_BYTE_OVERRUN);
        assertThat(EnoSuboptions.parse(hex("81")).errorOrNull()).isEqualTo(EnoError.LENGTH_BYTE_WITHOUT_TEP);
    }

    @Test
    void aSuboptionRunningToTheEndMustBeLastAndTheBlockMustFit() {
        assertThatThrownBy(() -> EnoSuboptions.of(List.of(EnoSuboption.tepWithData(0x21, hex("aa"), false),
                EnoSuboption.tep(0x22)), 38)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EnoSuboptions.of(List.of(EnoSuboption.tepWithData(0x21, new byte[37], false)), 36))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDialectsDifferOnlyInTheHeaderInFrontOfTheSameBlock() {
        List<EnoSuboption> subs = List.of(EnoSuboption.tep(0x21), EnoSuboption.general(0x02));
        EnoOption v05 = EnoOption.of(subs);
        EnoOption8547 rfc = EnoOption8547.of(subs);
        assertThat(v05.encode()).isEqualTo(hex("fd06454e2102"));
        assertThat(rfc.encode()).isEqualTo(hex("45042102"));
        assertThat(v05.suboptions()).isEqualTo(rfc.suboptions());
        assertThat(v05.suboptionBytes()).isEqualTo(rfc.suboptionBytes());
        assertThat((Object) v05).isNotEqualTo(rfc);
        assertThat(EnoOption.parse(v05.encode()).orElseThrow()).isEqualTo(v05);
        assertThat(EnoOption8547.parse(rfc.encode()).orElseThrow()).isEqualTo(rfc);
    }
}
