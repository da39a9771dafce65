package dev.tuncrypt.it.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A capture file read with tshark on the host (display filters, fields) or as raw bytes. */
public final class Pcap {
    private final Path file;

    public Pcap(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The values of {@code fields} for every packet matching {@code displayFilter}, one row per packet. */
    public List<String[]> fields(String displayFilter, String... fields) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-Y", displayFilter, "-T",
                "fields", "-E", "separator=/t"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        Path err = Files.createTempFile("tshark", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError("tshark " + String.join(" ", cmd) + ": " + Files.readString(err));
            }
            List<String[]> rows = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isEmpty()) {
                    rows.add(line.split("\t", -1));
                }
            }
            return rows;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** How many packets match {@code displayFilter}. */
    public int count(String displayFilter) throws IOException, InterruptedException {
        return fields(displayFilter, "frame.number").size();
    }

    /** Whether {@code marker} occurs anywhere in the file's bytes (plaintext on the wire). */
    public boolean containsBytes(String marker) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(marker);
    }
}
