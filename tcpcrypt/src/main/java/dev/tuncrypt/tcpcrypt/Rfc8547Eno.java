package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.ResumeLookup;
import dev.tuncrypt.tcpcrypt.rfc8548.EnoOption8547;
import dev.tuncrypt.tcpcrypt.rfc8548.Negotiation8547;
import dev.tuncrypt.tcpcrypt.rfc8548.Rfc8548;
import dev.tuncrypt.tcpcrypt.rfc8548.SessionSecrets8548;
import dev.tuncrypt.tcpstack.wire.TcpOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * TCP-ENO as RFC 8547 specifies it (kind 69): the global suboption with the b and a bits, the
 * last-valid-TEP rule, RFC 8548 resumption suboptions with nonces, simultaneous open, and the
 * non-SYN form {@code 45 02} on every segment until a non-SYN segment arrives
 * ({@link Negotiation8547}).
 */
final class Rfc8547Eno extends EnoDialect {
    private EnoOption8547 syn;
    private EnoOption8547 synAck;
    private byte[] expectedPeerHalf;
    /** RFC 8548 §3.5: this side's resumption nonce and the peer's, when resuming. */
    private byte[] ownNonce;
    private byte[] peerNonce;
    /** Simultaneous open: the role the b bits gave, and the transcript (A's SYN, B's SYN). */
    private Role crossedRole;
    private byte[] crossedTranscript;
    /** RFC 8547 §4.6: a non-SYN segment from the peer arrived (no more ENO options are sent). */
    private boolean peerNonSynSeen;
    private boolean nonSynOptionsPending;

    Rfc8547Eno(TcpCryptProtection owner) {
        super(owner);
    }

    @Override
    Dialect dialect() {
        return Dialect.RFC8548;
    }

    private Negotiation8547.AppAware appAware() {
        return new Negotiation8547.AppAware(owner.config.appAware(), owner.config.appAwareMandatory());
    }

    /** RFC 8547 §4.2: a if the application is aware, b if configured for a simultaneous open. */
    private int globalBits() {
        return (owner.config.appAware() ? Rfc8548.GLOBAL_A : 0) | (owner.config.roleB() ? Rfc8548.GLOBAL_B : 0);
    }

    private List<Tep> teps() {
        return owner.config.teps(Dialect.RFC8548);
    }

    @Override
    void buildSyn(int room) {
        if (owner.config.sessionCache()) {
            offered = owner.crypt.cache8548.takeForPeer(owner.peer());
            if (offered != null && !teps().contains(offered.tep())) {
                dropOffer();
            }
        }
        syn = offered != null ? resumingSyn(room) : null;
        if (syn == null) {
            syn = EnoOption8547.syn(teps(), globalBits(), null, null);
        }
    }

    /**
     * RFC 8548 §3.5: the SYN option resuming {@link #offered}: this host's identifier half (by
     * its original role) and a nonce of the configured length, with as many other TEPs as the
     * option space leaves room for (the nonce keeps its length first: it must default to 8
     * bytes); null if even the suboption alone does not fit.
     */
    private EnoOption8547 resumingSyn(int room) {
        Role original = offered.role();
        byte[] ss = offered.secret();
        byte[] half = SessionSecrets8548.half(ss, original);
        List<Tep> others = new ArrayList<>(teps());
        others.remove(offered.tep());
        for (int nonceLength = owner.config.resumeNonceLength(); nonceLength >= 0; nonceLength--) {
            List<Tep> list = new ArrayList<>(others);
            while (true) {
                byte[] nonce = new byte[nonceLength];
                EnoOption8547 o = EnoOption8547.syn(list, globalBits(), offered.tep(), concat(half, nonce));
                if (o.encodedLength() <= room) {
                    owner.crypt.random.nextBytes(nonce);
                    ownNonce = nonce;
                    expectedPeerHalf = SessionSecrets8548.half(ss, original.peer());
                    return EnoOption8547.syn(list, globalBits(), offered.tep(), concat(half, nonce));
                }
                if (list.isEmpty()) {
                    break;
                }
                list.remove(list.size() - 1); // the least preferred other TEP goes first
            }
        }
        dropOffer();
        return null;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Override
    int writeSyn(ByteBuffer buf, int index, int room) {
        return syn != null && syn.encodedLength() <= room ? syn.writeTo(buf, index) : index;
    }

    @Override
    EnoOutcome onSyn(ByteBuffer buf, TcpOptions parsed) {
        if (!parsed.hasEno()) {
            return null;
        }
        var option = EnoOption8547.parseSuboptions(buf, parsed.enoOffset(), parsed.enoLength());
        if (!option.isOk()) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION); // RFC 8547 §4.4
        }
        syn = option.valueOrNull();
        var decision = Negotiation8547.onSyn(syn, teps(), appAware(),
                owner.config.sessionCache() ? owner.crypt.cache8548.resumeLookup() : ResumeLookup.NONE);
        peerNonce = decision.peerNonce();
        return decision.outcome();
    }

    @Override
    int writeSynAck(ByteBuffer buf, int index, int room) {
        if (crossedRole != null) {
            // RFC 8547 §4.6, Figure 12: a simultaneous open's SYN-ACK repeats the SYN's option
            return syn.encodedLength() <= room ? syn.writeTo(buf, index) : index;
        }
        if (synAck == null) {
            synAck = buildSynAck(room);
        }
        return synAck.encodedLength() <= room ? synAck.writeTo(buf, index) : index;
    }

    /**
     * Role B's SYN-ACK option. Resuming, its suboption carries this host's identifier half and a
     * nonce as long as the configured length and the option space allow (RFC 8548 §3.5); without
     * room even for the half, B answers with fresh key agreement on the same TEP (§3.5: "MAY ...
     * request fresh key exchange").
     */
    private EnoOption8547 buildSynAck(int room) {
        EnoOutcome outcome = owner.outcome();
        if (outcome instanceof EnoOutcome.Resumed r) {
            byte[] half = SessionSecrets8548.half(r.session().secret(), r.session().role());
            int fixed = EnoOption8547.synAck(r.tep(), globalBits(), half).encodedLength();
            int nonceLength = Math.min(owner.config.resumeNonceLength(), room - fixed);
            if (nonceLength >= 0) {
                ownNonce = new byte[nonceLength];
                owner.crypt.random.nextBytes(ownNonce);
                return EnoOption8547.synAck(r.tep(), globalBits(), concat(half, ownNonce));
            }
            r.session().close();
            outcome = new EnoOutcome.Negotiated(r.tep(), r.peerAppAware());
            owner.replaceOutcome(outcome);
        }
        return EnoOption8547.synAck(outcome.tepOrNull(), globalBits(), null);
    }

    @Override
    boolean negotiatesCrossedSyn(TcpOptions parsed) {
        return syn != null && parsed.hasEno();
    }

    /**
     * Simultaneous open (RFC 8547 §4.3): the host whose SYN set b is B; both or neither leaves the
     * connection plain. No resumption (a resumption offered in our SYN is dropped).
     */
    @Override
    EnoOutcome onCrossedSyn(ByteBuffer buf, TcpOptions parsed, boolean several) {
        var option = EnoOption8547.parseSuboptions(buf, parsed.enoOffset(), parsed.enoLength());
        EnoOption8547 peer = option.valueOrNull();
        EnoOutcome outcome;
        if (several) {
            outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.SEVERAL_ENO_OPTIONS);
        } else if (peer == null) {
            outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION);
        } else {
            Role role = Negotiation8547.simultaneousRoles(syn, peer);
            if (role == null) {
                outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.ROLE_CONFLICT);
            } else {
                EnoOption8547 aSyn = role == Role.A ? syn : peer;
                EnoOption8547 bSyn = role == Role.A ? peer : syn;
                outcome = Negotiation8547.simultaneous(aSyn, bSyn, peer, appAware());
                crossedRole = role;
                crossedTranscript = Negotiation8547.transcript(aSyn, bSyn);
            }
        }
        if (offered != null) {
            dropOffer();
        }
        return outcome;
    }

    @Override
    EnoOutcome onSynAck(ByteBuffer buf, TcpOptions parsed) {
        if (syn == null || !parsed.hasEno()) {
            return null;
        }
        var option = EnoOption8547.parseSuboptions(buf, parsed.enoOffset(), parsed.enoLength());
        synAck = option.valueOrNull();
        if (synAck == null) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION);
        }
        var decision = Negotiation8547.onSynAck(syn, synAck, appAware(), offered, expectedPeerHalf);
        peerNonce = decision.peerNonce();
        return decision.outcome();
    }

    /**
     * RFC 8547 §4.6 rule 1: role B's first non-SYN segment from A must carry ENO (every segment
     * up to and including the first ACK); without it B falls back to plain TCP.
     */
    @Override
    EnoOutcome onPeerNonSyn(TcpOptions parsed, EnoOutcome outcome) {
        peerNonSynSeen = true;
        if (!owner.active && crossedRole == null && outcome != null && outcome.encrypts() && !parsed.hasEno()) {
            if (outcome instanceof EnoOutcome.Resumed r) {
                r.session().close();
            }
            owner.crypt.countFallback(EnoOutcome.Reason.NO_ENO_ON_ACK);
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_ON_ACK);
        }
        return outcome;
    }

    @Override
    void startNonSynOptions() {
        nonSynOptionsPending = true;
    }

    private boolean owesNonSynOption() {
        return !peerNonSynSeen && owner.outcome().encrypts();
    }

    @Override
    int pendingOptionLength() {
        return nonSynOptionsPending && owesNonSynOption() ? Rfc8548.ENO_HEADER_LENGTH : 0;
    }

    /**
     * RFC 8547 §4.6: ENO in every segment until a non-SYN segment is received; the non-SYN form
     * has no contents (§4.1, RFC 8548 gives it no meaning).
     */
    @Override
    int writeOptions(ByteBuffer buf, int index, int room) {
        if (!nonSynOptionsPending) {
            return index;
        }
        if (!owesNonSynOption()) {
            nonSynOptionsPending = false;
            return index;
        }
        if (room < Rfc8548.ENO_HEADER_LENGTH) {
            return index;
        }
        return EnoOption8547.MINIMAL.writeTo(buf, index);
    }

    @Override
    FramedStream stream(EnoOutcome outcome) {
        if (crossedRole != null) {
            return new FramedStream(owner, new Rfc8548Codec(owner.crypt, owner.config, outcome, null), outcome,
                    crossedTranscript, crossedRole);
        }
        // RFC 8547 §4.8: A's SYN option, then B's SYN-ACK option
        return new FramedStream(owner, new Rfc8548Codec(owner.crypt, owner.config, outcome, sessionNonce(outcome)), outcome,
                Negotiation8547.transcript(syn, synAck), owner.active ? Role.A : Role.B);
    }

    /**
     * RFC 8548 §3.5: sn[i] = nonce_a | nonce_b of a resumption, nonce_a being the nonce of the
     * host that was A in the original session; null when not resuming.
     */
    private byte[] sessionNonce(EnoOutcome outcome) {
        if (!(outcome instanceof EnoOutcome.Resumed r) || ownNonce == null || peerNonce == null) {
            return null;
        }
        return r.session().role() == Role.A ? SessionSecrets8548.sessionNonce(ownNonce, peerNonce)
                : SessionSecrets8548.sessionNonce(peerNonce, ownNonce);
    }
}
