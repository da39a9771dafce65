package dev.tuncrypt.tcpcrypt;

/**
 * What tcpcrypt established for a connection, as tcpcryptd's socket options report it.
 *
 * @param dialect the wire dialect: "tcpcrypt-0.5" or "rfc8548" ({@link Dialect#wireName()})
 * @param sessionId the 33-byte session ID, TEP byte first (equal on both ends)
 * @param tep the key-agreement scheme
 * @param cipher the AEAD cipher
 * @param resumed whether the session was resumed from a cached one
 * @param peerAppAware whether the peer set the application-aware bit
 * @param localPublicKey this end's public key as sent (empty for a resumed session)
 * @param peerPublicKey the peer's public key as received (empty for a resumed session)
 */
public record TcpCryptInfo(
        String dialect,
        SessionId sessionId,
        Tep tep,
        SymCipher cipher,
        boolean resumed,
        boolean peerAppAware,
        byte[] localPublicKey,
        byte[] peerPublicKey) {}
