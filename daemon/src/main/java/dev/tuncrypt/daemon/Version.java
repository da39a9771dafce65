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
            "dialects: tcpcrypt-0.5 (default; ENO option 253, ExID 0x454E)",
            "key agreement: ECDHE P-256, ECDHE P-521; ciphers: AES-128-GCM, AES-256-GCM",
            "Java " + Runtime.version()
        };
    }
}
