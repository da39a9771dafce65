/**
 * The {@code tcpcrypt-0.5} wire dialect: TCP-ENO and tcpcrypt exactly as tcpcryptd 0.5 speaks
 * them (scslab/tcpcrypt tag {@code v0.5}, commit {@code 25c9a85}; draft-ietf-tcpinc-tcpeno-03 +
 * draft-ietf-tcpinc-tcpcrypt-02 era), confirmed byte for byte by the golden vectors of real
 * reference-to-reference connections. Pure: no I/O, no clocks or randomness except those
 * injected.
 *
 * <p>Flow of one connection:
 * <ol>
 *   <li>Role A sends {@link EnoOption#syn}; role B answers with {@link EnoNegotiation#onSyn} and
 *       {@link EnoOption#synAckFor}; role A reads it with {@link EnoNegotiation#onSynAck} and
 *       puts {@link EnoOption#MINIMAL} on its first non-SYN segment.
 *   <li>Full handshake: {@link EnoTranscript}, then {@link ClientKeyExchange} (Init1, then Init2
 *       in) and {@link ServerKeyExchange} (Init1 in, Init2 out) yield {@link SessionSecrets}.
 *       Resumption: {@link SessionSecrets#resume}, no Init messages.
 *   <li>Frames: {@link FrameSealer} and {@link FrameOpener} per direction; offsets from
 *       {@link StreamOffsets}.
 *   <li>After the session is up: {@link SessionSecrets#toCacheEntry} into a {@link dev.tuncrypt.tcpcrypt.eno.SessionCache}.
 * </ol>
 * The option model, the negotiation outcome and the session cache are shared with rfc8548
 * ({@link dev.tuncrypt.tcpcrypt.eno}); this package holds only tcpcrypt-0.5's codecs.
 */
package dev.tuncrypt.tcpcrypt.v05;
