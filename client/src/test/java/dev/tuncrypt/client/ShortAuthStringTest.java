package dev.tuncrypt.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShortAuthStringTest {
    static byte[] sid(int last) {
        byte[] b = new byte[33];
        b[0] = 0x21;
        b[32] = (byte) last;
        return b;
    }

    @Test
    void fourHexGroupsOfAKnownSession() {
        // python3: h = sha256(b'tuncrypt-sas' + bytes([0x21]) + bytes(range(32))).hexdigest().upper()[:16]
        byte[] id = new byte[33];
        id[0] = 0x21;
        for (int i = 1; i < 33; i++) {
            id[i] = (byte) (i - 1);
        }
        assertThat(ShortAuthString.hexGroups(id, 4)).isEqualTo("FD67-3197-D882-504F");
        id[0] = (byte) 0xA1;
        assertThat(ShortAuthString.hexGroups(id, 4)).isNotEqualTo("FD67-3197-D882-504F")
                .matches("[0-9A-F]{4}(-[0-9A-F]{4}){3}");
    }

    @Test
    void wordListHas256DistinctWords() {
        assertThat(ShortAuthString.WORDS).hasSize(256);
        assertThat(new HashSet<>(Arrays.asList(ShortAuthString.WORDS))).hasSize(256);
        assertThat(ShortAuthString.WORDS).allMatch(w -> w.matches("[a-z]{3,6}"));
    }

    @Test
    void formsAreStableAndDependOnEveryByte() {
        String hex = ShortAuthString.hexGroups(sid(1), 4);
        assertThat(hex).matches("[0-9A-F]{4}(-[0-9A-F]{4}){3}");
        assertThat(ShortAuthString.hexGroups(sid(1), 4)).isEqualTo(hex);
        assertThat(ShortAuthString.hexGroups(sid(2), 4)).isNotEqualTo(hex);
        String words = ShortAuthString.words(sid(1), 5);
        assertThat(words.split(" ")).hasSize(5).allMatch(w -> List.of(ShortAuthString.WORDS).contains(w));
        assertThat(ShortAuthString.words(sid(2), 5)).isNotEqualTo(words);
        // SHA-256("tuncrypt-sas" || sid) — fixed vector so both ends of a connection agree across versions
        assertThat(ShortAuthString.hexGroups(new byte[33], 2)).isEqualTo(expectedPrefix());
    }

    private static String expectedPrefix() {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            d.update("tuncrypt-sas".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] h = d.digest(new byte[33]);
            return java.util.HexFormat.of().withUpperCase().formatHex(h, 0, 2) + "-"
                    + java.util.HexFormat.of().withUpperCase().formatHex(h, 2, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
