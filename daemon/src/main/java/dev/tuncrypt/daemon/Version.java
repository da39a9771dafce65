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
            "dialects: rfc8548 (default; RFC 8547 ENO option 69, RFC 8548): ECDHE X25519, P-256, X448, P-521;",
            "          AES-128-GCM, ChaCha20-Poly1305, AES-256-GCM",
            "          tcpcrypt-0.5 (legacy tcpcryptd; ENO option 253, ExID 0x454E): ECDHE P-256, P-521; AES-128-GCM, AES-256-GCM",
            "Java " + Runtime.version()
        };
    }
}
