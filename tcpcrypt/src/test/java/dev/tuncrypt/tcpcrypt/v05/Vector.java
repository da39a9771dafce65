package dev.tuncrypt.tcpcrypt.v05;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** One golden-vector file (src/test/resources/vectors/tcpcrypt-0.5, copied from shared/vectors). */
final class Vector {
    static final String DIR = "/vectors/tcpcrypt-0.5/";
    static final List<String> FILES = List.of(
            "full-handshake-p256.json", "full-handshake-p521.json", "resumed-p256.json", "resumed-p521.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    final String file;
    final JsonNode json;

    private Vector(String file, JsonNode json) {
        this.file = file;
        this.json = json;
    }

    static Vector load(String file) {
        try (InputStream in = Vector.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + DIR + file);
            }
            return new Vector(file, JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Vector> all() {
        return FILES.stream().map(Vector::load);
    }

    static Stream<Vector> full() {
        return all().filter(v -> !v.resumed());
    }

    static Stream<Vector> resumedOnes() {
        return all().filter(Vector::resumed);
    }

    boolean resumed() {
        return json.has("previous_session_file");
    }

    Vector previous() {
        return load(json.get("previous_session_file").asText());
    }

    Tep tep() {
        return Tep.fromId(Integer.parseInt(json.get("tep").asText(), 16));
    }

    SymCipher cipher() {
        int keyLen = json.get("sym_key_len").asInt();
        return keyLen == 16 ? SymCipher.AES_128_GCM : SymCipher.AES_256_GCM;
    }

    /** A's TEP preference in these runs: 21 22, reversed for the P-521 runs (README). */
    List<Tep> aPreference() {
        return file.contains("p521") ? List.of(Tep.ECDHE_P521, Tep.ECDHE_P256) : List.of(Tep.ECDHE_P256, Tep.ECDHE_P521);
    }

    JsonNode node(String path) {
        JsonNode n = json;
        for (String p : path.split("\\.")) {
            n = n.get(p);
            if (n == null) {
                throw new IllegalArgumentException(file + " has no " + path);
            }
        }
        return n;
    }

    String hexString(String path) {
        return node(path).asText();
    }

    byte[] bytes(String path) {
        return hex(hexString(path));
    }

    List<JsonNode> frames() {
        List<JsonNode> l = new ArrayList<>();
        node("frames").forEach(l::add);
        return l;
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Override
    public String toString() {
        return file;
    }
}
