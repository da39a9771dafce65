package dev.tuncrypt.daemon;

import picocli.CommandLine;

/** Version text shared by both command lines. */
public final class Version implements CommandLine.IVersionProvider {
    public static final String NUMBER = "0.1.0";

    @Override
    public String[] getVersion() {
        return new String[] {
            "tuncrypt " + NUMBER,
            "userspace TCP/IP stack on a TUN device with tcpcrypt (TCP-ENO) in its segment paths",
            "dialects: tcpcrypt-0.5 (default; ENO option 253, ExID 0x454E): ECDHE P-256, P-521; AES-128-GCM, AES-256-GCM",
            "          rfc8548 (RFC 8547 ENO option 69, RFC 8548): ECDHE P-256, P-521, X25519, X448;",
            "          AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305",
            "Java " + Runtime.version()
        };
    }
}
