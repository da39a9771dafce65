#!/usr/bin/python3
"""An independent reading of RFC 8547 (TCP-ENO) and RFC 8548 (tcpcrypt), for cross-checking.

Written from the RFC text alone (the final drafts in the project's shared docs, same section
numbers), not from the Java engine. For fixed inputs it computes, for every TEP x AEAD:

  - both hosts' ENO options, the negotiation transcript (RFC 8547 s4.8),
  - Init1 / Init2 (RFC 8548 s4.1) with the public keys encoded as s5 says,
  - ES, PRK = ss[0], the session ID, mk[0], k_ab[0] / k_ba[0] (s3.3, s3.4),
  - encryption frames in both directions across a key update (s3.6, s3.8, s4.2),
  - ss[1], resume[1], resumption suboptions with 8-byte nonces and the resumed session's
    session ID, keys and frames; then ss[2] resumed with empty nonces (s3.5).

Output: one "name=hex" line per value (inputs included), read by the Java engine's test
(Rfc8548ReferenceTest), which recomputes every output and compares byte for byte. Readings of
ambiguous sentences are listed in docs/rfc8548.md ("Readings"); each is marked READING here.

Needs Debian's python3-cryptography. Deterministic: no randomness is used.
"""

import hashlib
import hmac
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519, x448
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

# RFC 8548 s4.3, Table 1
CONST_NEXTK = 0x01
CONST_SESSID = 0x02
CONST_REKEY = 0x03
CONST_KEY_A = 0x04
CONST_KEY_B = 0x05
CONST_RESUME = 0x06
INIT1_MAGIC = 0x15101A0E
INIT2_MAGIC = 0x097105E0

# RFC 8548 s5: N_A_LEN = N_B_LEN = K_LEN = 32 for all four TEPs
N_LEN = 32
K_LEN = 32

# RFC 8548 s7 Table 4 (TEP identifiers) with RFC 8548 s5's key-agreement schemes
TEPS = [
    (0x21, "P256"),
    (0x22, "P521"),
    (0x23, "X25519"),
    (0x24, "X448"),
]

# RFC 8548 s6 Table 3 / s7 Table 5: id, ae_key_len, ae_nonce_len
AEADS = [
    (0x0001, "AES128GCM", 16, 12),
    (0x0002, "AES256GCM", 32, 12),
    (0x0010, "CHACHA20POLY1305", 32, 12),
]

ENO_KIND = 69  # RFC 8547 s11: option 69 (the "TBD" of the draft, glued text)


def u16(n):
    return n.to_bytes(2, "big")


def u32(n):
    return n.to_bytes(4, "big")


def det(label, n):
    """Fixed test input bytes: SHA-256 in counter mode over a label (not part of any RFC)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(label.encode() + bytes([i])).digest()
        i += 1
    return out[:n]


# ---------------------------------------------------------------- RFC 8548 s3.1, Figure 1

def extract(salt, ikm):
    """HKDF-Extract(salt, IKM): PRK = HMAC-Hash(salt, IKM), Hash = SHA-256 (s5)."""
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def cprf(key, const, length):
    """CPRF(K, CONST, L) = HKDF-Expand(K, CONST, L); the counter is one octet right of CONST."""
    okm = b""
    t = b""
    counter = 1
    while len(okm) < length:
        t = hmac.new(key, t + const + bytes([counter]), hashlib.sha256).digest()
        okm += t
        counter += 1
    return okm[:length]


def c(const):
    """A one-byte constant of s4.3 as CPRF input (the table's values fit one byte)."""
    return bytes([const])


# ---------------------------------------------------------------- RFC 8548 s5: key agreement

class KeyPair:
    def __init__(self, scheme, label):
        self.scheme = scheme
        if scheme == "X25519":
            self.raw_private = det(label, 32)
            self.private = x25519.X25519PrivateKey.from_private_bytes(self.raw_private)
        elif scheme == "X448":
            self.raw_private = det(label, 56)
            self.private = x448.X448PrivateKey.from_private_bytes(self.raw_private)
        else:
            curve = ec.SECP256R1() if scheme == "P256" else ec.SECP521R1()
            order = {
                "P256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
                "P521": int("01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409", 16),
            }[scheme]
            field = 32 if scheme == "P256" else 66
            d = int.from_bytes(det(label, field + 16), "big") % (order - 1) + 1
            self.raw_private = d.to_bytes(field, "big")
            self.private = ec.derive_private_key(d, curve)
            self.curve = curve

    def public_wire(self):
        """Pub as Init1/Init2 carry it (s5)."""
        pub = self.private.public_key()
        if self.scheme in ("X25519", "X448"):
            # "transmitted directly with no length prefix: 32 bytes ... 56 bytes"
            return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        # IEEE 1363 E.2.3 point-to-octet-string, "MUST encode these pubkey values in compressed
        # format", "prefixed by a two-byte length in big-endian format"; READING (pubkey-len):
        # Figure "byte 0 1 2 .. L-1, pubkey_len = L" spans the whole structure, so L counts the
        # two length bytes too.
        point = pub.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
        return u16(len(point) + 2) + point

    def agree(self, peer_wire):
        """ES = the key-agreement result with the peer's public key (s3.3)."""
        if self.scheme == "X25519":
            es = self.private.exchange(x25519.X25519PublicKey.from_public_bytes(peer_wire))
        elif self.scheme == "X448":
            es = self.private.exchange(x448.X448PublicKey.from_public_bytes(peer_wire))
        else:
            length = int.from_bytes(peer_wire[:2], "big")
            assert length == len(peer_wire), "pubkey_len"
            peer = ec.EllipticCurvePublicKey.from_encoded_point(self.curve, peer_wire[2:])
            # ECSVDP-DH: the x-coordinate of the shared point as a field-size octet string
            es = self.private.exchange(ec.ECDH(), peer)
        if es == bytes(len(es)):
            raise ValueError("all-zero shared secret (s5, RFC 7748 s6)")
        return es


# ---------------------------------------------------------------- RFC 8547 s4: ENO options

def eno_option(suboptions):
    body = b"".join(suboptions)
    assert len(body) + 2 <= 40
    return bytes([ENO_KIND, len(body) + 2]) + body


def global_suboption(a=0, b=0):
    """s4.2 Figure 5: 0 0 0 z1 z2 z3 a b, z bits zero."""
    return bytes([(a << 1) | b])


# ---------------------------------------------------------------- RFC 8548 s4.1: Init messages

def init1(cipher_ids, n_a, pub_a):
    body = bytes([len(cipher_ids)]) + b"".join(u16(i) for i in cipher_ids) + n_a + pub_a
    return u32(INIT1_MAGIC) + u32(8 + len(body)) + body


def init2(cipher_id, n_b, pub_b):
    body = u16(cipher_id) + n_b + pub_b
    return u32(INIT2_MAGIC) + u32(8 + len(body)) + body


# ---------------------------------------------------------------- RFC 8548 s3.3-s3.6, s3.8, s4.2

class Session:
    """Keys of one connection from a session secret ss[i] and session nonce sn[i]."""

    def __init__(self, ss, sn, tep_byte, aead):
        self.ss = ss
        self.sn = sn
        self.aead_id, _, self.key_len, self.nonce_len = aead
        # s3.4: session_id[i] = TEP-byte | CPRF(ss[i], CONST_SESSID | sn[i], K_LEN)
        self.session_id = bytes([tep_byte]) + cprf(ss, c(CONST_SESSID) + sn, K_LEN)
        # s3.3: mk[0] = CPRF(ss[i], CONST_REKEY | sn[i], K_LEN)
        self.mk = [cprf(ss, c(CONST_REKEY) + sn, K_LEN)]

    def master_key(self, j):
        # s3.3: mk[j] = CPRF(mk[j-1], CONST_REKEY, K_LEN)
        while len(self.mk) <= j:
            self.mk.append(cprf(self.mk[-1], c(CONST_REKEY), K_LEN))
        return self.mk[j]

    def traffic_key(self, j, sender_original_role):
        # s3.3: k_ab[j] = CPRF(mk[j], CONST_KEY_A, ae_key_len + ae_nonce_len), k_ba with CONST_KEY_B
        const = CONST_KEY_A if sender_original_role == "A" else CONST_KEY_B
        return cprf(self.master_key(j), c(const), self.key_len + self.nonce_len)

    def seal(self, j, sender, offset, data, rekey=False, fin=False):
        """One encryption frame (s4.2) at stream offset `offset`, generation j."""
        key = self.traffic_key(j, sender)
        k, nr = key[: self.key_len], key[self.key_len:]  # s3.6: K then the nonce randomizer NR
        # s4.2.3: frame ID = zero bytes then the 8-byte big-endian offset, ae_nonce_len in all
        frame_id = bytes(self.nonce_len - 8) + offset.to_bytes(8, "big")
        nonce = bytes(x ^ y for x, y in zip(frame_id, nr))  # s3.6: N = frame_ID XOR NR
        flags = 0x01 if fin else 0x00  # s4.2.1: FINp is bit 0, URGp bit 1, fres zero
        plaintext = bytes([flags]) + data
        control = 0x01 if rekey else 0x00  # s4.2: rekey is bit 0, cres zero
        clen = len(plaintext) + 16  # every AEAD of s6 has a 16-byte tag
        aad = bytes([control]) + u16(clen)  # s4.2.2
        cipher = ChaCha20Poly1305(k) if self.aead_id == 0x0010 else AESGCM(k)
        ct = cipher.encrypt(nonce, plaintext, aad)
        assert len(ct) == clen
        return bytes([control]) + u16(clen) + ct


def emit(name, value):
    if isinstance(value, int):
        value = value.to_bytes(1, "big")
    print(f"{name}={value.hex()}")


def frames(prefix, sess, a_offset, b_offset):
    """A -> B and B -> A frames across a key update initiated by A and answered by B (s3.8)."""
    # A: data under generation 0, then initiates re-keying: first frame under generation 1 has rekey = 1
    f1 = sess.seal(0, "A", a_offset, b"data from A under generation 0")
    f2 = sess.seal(1, "A", a_offset + len(f1), b"A after its key update", rekey=True)
    f3 = sess.seal(1, "A", a_offset + len(f1) + len(f2), b"", fin=True)
    # B: data under generation 0; on A's rekey = 1 its remote generation becomes 1 > local 0,
    # so it moves to generation 1 and answers with a frame (empty) with rekey = 1
    g1 = sess.seal(0, "B", b_offset, b"data from B under generation 0")
    g2 = sess.seal(1, "B", b_offset + len(g1), b"", rekey=True)
    g3 = sess.seal(1, "B", b_offset + len(g1) + len(g2), b"bye", fin=True)
    for name, v in [("a_frame1", f1), ("a_frame2", f2), ("a_frame3", f3),
                    ("b_frame1", g1), ("b_frame2", g2), ("b_frame3", g3)]:
        emit(f"{prefix}.{name}", v)
    emit(f"{prefix}.mk0", sess.master_key(0))
    emit(f"{prefix}.mk1", sess.master_key(1))
    emit(f"{prefix}.k_ab0", sess.traffic_key(0, "A"))
    emit(f"{prefix}.k_ba0", sess.traffic_key(0, "B"))
    emit(f"{prefix}.k_ab1", sess.traffic_key(1, "A"))
    emit(f"{prefix}.k_ba1", sess.traffic_key(1, "B"))
    emit(f"{prefix}.session_id", sess.session_id)


def case(tep, aead):
    tep_id, scheme = tep
    aead_id, aead_name = aead[0], aead[1]
    p = f"{scheme}.{aead_name}"
    a = KeyPair(scheme, p + " private A")
    b = KeyPair(scheme, p + " private B")
    n_a = det(p + " N_A", N_LEN)
    n_b = det(p + " N_B", N_LEN)
    emit(f"{p}.tep", tep_id)
    emit(f"{p}.aead", u16(aead_id))
    emit(f"{p}.private_a", a.raw_private)
    emit(f"{p}.private_b", b.raw_private)
    emit(f"{p}.n_a", n_a)
    emit(f"{p}.n_b", n_b)

    # RFC 8547: A (active opener, b = 0 implicit: no global suboption) offers the four TEPs;
    # B (passive opener) MUST send a global suboption with b = 1 (s4.2) and answers with
    # solely the TEP it enables (RFC 8548 s3.2)
    a_syn = eno_option([bytes([0x23, 0x24, 0x21, 0x22])])
    b_syn = eno_option([global_suboption(b=1), bytes([tep_id])])
    transcript = a_syn + b_syn  # RFC 8547 s4.8
    emit(f"{p}.a_syn", a_syn)
    emit(f"{p}.b_syn", b_syn)

    pub_a = a.public_wire()
    pub_b = b.public_wire()
    m1 = init1([0x0001, 0x0010, 0x0002], n_a, pub_a)
    m2 = init2(aead_id, n_b, pub_b)
    es = a.agree(pub_b)
    assert es == b.agree(pub_a)
    emit(f"{p}.pub_a", pub_a)
    emit(f"{p}.pub_b", pub_b)
    emit(f"{p}.init1", m1)
    emit(f"{p}.init2", m2)
    emit(f"{p}.es", es)

    # s3.3: PRK = Extract(N_A, eno-transcript | Init1 | Init2 | ES); ss[0] = PRK
    ss0 = extract(n_a, transcript + m1 + m2 + es)
    emit(f"{p}.ss0", ss0)
    fresh = Session(ss0, b"", tep_id, aead)  # s3.3: sn[0] is zero bytes long
    # READING (frame-offset): the offset counts from the first byte of the TCP data stream,
    # so the first frame of A follows Init1 and B's follows Init2
    frames(f"{p}.fresh", fresh, len(m1), len(m2))

    # s3.5: ss[1] = CPRF(ss[0], CONST_NEXTK, K_LEN); resume[1] = CPRF(ss[1], CONST_RESUME, 18)
    ss1 = cprf(ss0, c(CONST_NEXTK), K_LEN)
    resume1 = cprf(ss1, c(CONST_RESUME), 18)
    emit(f"{p}.ss1", ss1)
    emit(f"{p}.resume1", resume1)
    nonce_a = det(p + " nonce_a", 8)
    nonce_b = det(p + " nonce_b", 8)
    emit(f"{p}.nonce_a", nonce_a)
    emit(f"{p}.nonce_b", nonce_b)
    # Figure 2: the host that was A sends TEP-byte (v = 1) | resume[i]{0..8} | nonce_a, here
    # alone in its option (the last suboption's data runs to the option's end, RFC 8547 s4.4);
    # Figure 3: the host that was B answers with resume[i]{9..17} | nonce_b, after its b = 1
    a_syn_r = eno_option([bytes([0x80 | tep_id]) + resume1[0:9] + nonce_a])
    b_syn_r = eno_option([global_suboption(b=1), bytes([0x80 | tep_id]) + resume1[9:18] + nonce_b])
    emit(f"{p}.resumed.a_syn", a_syn_r)
    emit(f"{p}.resumed.b_syn", b_syn_r)
    # s3.5: sn[i] = nonce_a | nonce_b; the session ID's first byte has v = 1 (s3.5, RFC 8547 s5.1)
    resumed = Session(ss1, nonce_a + nonce_b, 0x80 | tep_id, aead)
    # no Init messages: frames start at the first byte of each data stream
    frames(f"{p}.resumed", resumed, 0, 0)

    # the next resumption from the same chain, with empty nonces (0 bytes is allowed, s3.5)
    ss2 = cprf(ss1, c(CONST_NEXTK), K_LEN)
    resume2 = cprf(ss2, c(CONST_RESUME), 18)
    emit(f"{p}.ss2", ss2)
    emit(f"{p}.resume2", resume2)
    emit(f"{p}.resumed0.a_syn", eno_option([bytes([0x80 | tep_id]) + resume2[0:9]]))
    emit(f"{p}.resumed0.b_syn", eno_option([global_suboption(b=1), bytes([0x80 | tep_id]) + resume2[9:18]]))
    frames(f"{p}.resumed0", Session(ss2, b"", 0x80 | tep_id, aead), 0, 0)


def main():
    for tep in TEPS:
        for aead in AEADS:
            case(tep, aead)
    return 0


if __name__ == "__main__":
    sys.exit(main())
