package dev.tuncrypt.daemon.splice;

/**
 * Whether a SYN's TCP options offer TCP-ENO: option kind 69 (RFC 8547 §4) or the experimental
 * kind 253 with ExID 0x454E (RFC 6994, what tcpcryptd 0.5 sends). Malformed option lists offer
 * nothing.
 */
final class EnoSyn {
    static final int KIND_ENO = 69;
    static final int KIND_EXPERIMENTAL = 253;
    static final int EXID_ENO = 0x454E;

    private EnoSyn() {}

    static boolean offered(byte[] options) {
        int i = 0;
        while (i < options.length) {
            int kind = options[i] & 0xff;
            if (kind == 0) {
                return false; // End of Option List (RFC 9293 §3.1)
            }
            if (kind == 1) {
                i++; // No-Operation
                continue;
            }
            if (i + 1 >= options.length) {
                return false;
            }
            int len = options[i + 1] & 0xff;
            if (len < 2 || i + len > options.length) {
                return false;
            }
            if (kind == KIND_ENO) {
                return true;
            }
            if (kind == KIND_EXPERIMENTAL && len >= 4
                    && (((options[i + 2] & 0xff) << 8) | (options[i + 3] & 0xff)) == EXID_ENO) {
                return true;
            }
            i += len;
        }
        return false;
    }
}
