#!/usr/bin/python3
"""A live RFC 8547/8548 peer (role A, active opener, or with --listen role B) built on rfc8548_reference.py.

It speaks TCP itself over raw sockets (no kernel socket: run it in a network namespace whose
kernel does not answer the peer's segments with RSTs, e.g. `nft ... tcp flags rst drop` on
output), so every TCP-ENO and tcpcrypt byte is its own, written from the RFC text:

  SYN with ENO (kind 69, the given TEPs, implicit b = 0) -> SYN-ACK: b = 1 checked, the last
  valid TEP taken -> ACK with the non-SYN form ENO (45 02) and Init1 (PSH) -> Init2 -> keys ->
  frames: the input file in frames, a key update (rekey = 1) in the middle whose answer (a frame
  with rekey = 1 from the peer) is required, a FINp frame with FIN -> the peer's frames until
  its FINp and FIN.

With --listen it answers as role B, and with --connections N each connection after the first
resumes the previous session when the active opener asks for it (s3.5; it must).

Prints `session_id=HEX`, `resumed=..`, `tep=..`, `aead=..`, `rekey_answered=true|false` and
`peer_rekeys=N` (every frame of the peer with rekey = 1) on stdout and writes
the peer's plaintext to --output. Exit status 0 only if the peer's stream ended with an
authenticated FINp.
"""

import argparse
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rfc8548_reference as ref  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305  # noqa: E402

SCHEMES = {0x21: "P256", 0x22: "P521", 0x23: "X25519", 0x24: "X448"}
AEADS = {a[0]: a for a in ref.AEADS}
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Tcp:
    """Just enough TCP for one in-order connection on a lossless path."""

    def __init__(self, src, dst, dport):
        self.src, self.dst, self.dport = src, dst, dport
        self.sport = random.randint(40000, 60000)
        self.snd_nxt = random.getrandbits(32)
        self.rcv_nxt = None
        self.tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        self.rx.settimeout(0.05)
        self.peer_fin = False
        self.stream = bytearray()  # the peer's in-order data

    def send(self, flags, payload=b"", options=b""):
        while len(options) % 4:
            options += b"\0"
        off = (20 + len(options)) // 4
        ack = self.rcv_nxt if self.rcv_nxt is not None else 0
        hdr = struct.pack("!HHIIBBHHH", self.sport, self.dport, self.snd_nxt & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          off << 4, flags, 65535, 0, 0) + options
        seg = hdr + payload
        pseudo = socket.inet_aton(self.src) + socket.inet_aton(self.dst) + struct.pack("!BBH", 0, 6, len(seg))
        cs = checksum(pseudo + seg)
        seg = seg[:16] + struct.pack("!H", cs) + seg[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 0, 0x4000, 64, 6, 0,
                         socket.inet_aton(self.src), socket.inet_aton(self.dst))
        self.tx.sendto(ip + seg, (self.dst, 0))
        self.snd_nxt += len(payload) + (1 if flags & (SYN | FIN) else 0)

    def receive(self, deadline, any_port=False):
        """The next segment of this connection: (flags, seq, options, payload), or None at the deadline.
        With any_port (a listener before the SYN), the peer's port is learnt from the segment."""
        while time.time() < deadline:
            try:
                pkt = self.rx.recv(65535)
            except socket.timeout:
                continue
            ihl = (pkt[0] & 0x0F) * 4
            if socket.inet_ntoa(pkt[12:16]) != self.dst:
                continue
            t = pkt[ihl:]
            sport, dport, seq, _ack, off, flags = struct.unpack("!HHIIBB", t[:14])
            if any_port and dport == self.sport:
                self.dport = sport
            elif sport != self.dport or dport != self.sport:
                continue
            hl = (off >> 4) * 4
            return flags, seq, t[20:hl], t[hl:]
        return None

    def take(self, flags, seq, payload):
        """In-order data and FIN into the stream; returns whether anything new came."""
        new = False
        skip = (self.rcv_nxt - seq) & 0xFFFFFFFF
        if payload and skip < len(payload):  # in order, or a retransmission that carries new bytes too
            self.stream += payload[skip:]
            self.rcv_nxt += len(payload) - skip
            new = True
        if flags & FIN and (seq + len(payload)) & 0xFFFFFFFF == self.rcv_nxt & 0xFFFFFFFF and not self.peer_fin:
            self.rcv_nxt += 1
            self.peer_fin = True
            new = True
        return new


def options(raw):
    """(kind, bytes) of each TCP option."""
    out, i = [], 0
    while i < len(raw):
        k = raw[i]
        if k == 0:
            break
        if k == 1:
            i += 1
            continue
        n = raw[i + 1]
        out.append((k, raw[i + 2:i + n]))
        i += n
    return out


def suboptions(body):
    """RFC 8547 s4.1/s4.4: (glt, v, data) of each suboption of a SYN-form ENO option; None if ill-formed."""
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c < 0x80:  # global suboption or TEP without data
            out.append((c & 0x7F, 0, b""))
            i += 1
        elif c < 0xA0:  # length byte: nnnnn + 1 data bytes for the next suboption, a TEP with v = 1
            n = (c & 0x1F) + 1
            if i + 1 >= len(body) or body[i + 1] < 0xA0 or i + 2 + n > len(body):
                return None
            out.append((body[i + 1] & 0x7F, 1, bytes(body[i + 2:i + 2 + n])))
            i += 2 + n
        else:  # TEP with v = 1, data to the end of the option
            out.append((c & 0x7F, 1, bytes(body[i + 1:])))
            i = len(body)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True, help="this host's address")
    ap.add_argument("--dst", required=True, help="the peer's address")
    ap.add_argument("--dport", type=int, help="role A: the port to connect to")
    ap.add_argument("--listen", type=int, help="role B: the port to answer on (--connections in a row)")
    ap.add_argument("--teps", default="23,24,21,22", help="TEP ids in hex, offered in this order")
    ap.add_argument("--aeads", default="0001,0010,0002", help="AEAD ids in hex, Init1's list")
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--connections", type=int, default=1,
                    help="connections in a row; each after the first resumes the previous session (s3.5)")
    a = ap.parse_args()
    teps = [int(x, 16) for x in a.teps.split(",")]
    aeads = [int(x, 16) for x in a.aeads.split(",")]
    data = open(a.input, "rb").read()
    if a.listen:
        cached = None
        for n in range(a.connections):
            out = a.output if a.connections == 1 else "%s.%d" % (a.output, n)
            cached = passive(a, teps, aeads, data, out, cached)
        return 0
    cached = None
    for n in range(a.connections):
        out = a.output if a.connections == 1 else "%s.%d" % (a.output, n)
        cached = connection(a, teps, aeads, data, out, cached)
    return 0


def connection(a, teps, aeads, data, output, cached):
    """One connection; `cached` = (ss[i], TEP, AEAD) of the previous session to resume, or None.
    Returns what to cache for the next one: (ss[i+1], TEP, AEAD)."""
    deadline = time.time() + a.timeout
    tcp = Tcp(a.src, a.dst, a.dport)

    # RFC 8547: the SYN's ENO option, no global suboption (implicit 0x00: b = 0); resuming (RFC
    # 8548 s3.5 Figure 2): TEP-byte with v = 1 | resume[i]{0..8} | nonce_a, alone
    nonce_a = os.urandom(8)
    if cached:
        resume = ref.cprf(cached[0], ref.c(ref.CONST_RESUME), 18)
        a_syn = ref.eno_option([bytes([0x80 | cached[1]]) + resume[0:9] + nonce_a])
    else:
        a_syn = ref.eno_option([bytes(teps)])
    tcp.send(SYN, options=struct.pack("!BBH", 2, 4, 1400) + a_syn)
    while True:
        seg = tcp.receive(deadline)
        if seg is None:
            sys.exit("no SYN-ACK")
        flags, seq, opts, _ = seg
        if flags & SYN and flags & ACK:
            break
    tcp.rcv_nxt = seq + 1
    eno = [v for k, v in options(opts) if k == 69]
    if len(eno) != 1:
        sys.exit("SYN-ACK without exactly one ENO option: %r" % eno)
    b_body = eno[0]
    b_syn = bytes([69, len(b_body) + 2]) + b_body
    subs = suboptions(b_body)
    if subs is None:
        sys.exit("ill-formed ENO option in the SYN-ACK")
    # RFC 8547 s4.2: the first global suboption counts; the passive opener MUST set b
    glob = next((g for g, v, _ in subs if g < 0x20 and v == 0), 0)
    if not glob & 1:
        sys.exit("SYN-ACK without b = 1")
    offered = [cached[1]] if cached else teps
    resumed = None
    tep = None
    for g, v, d in reversed(subs):  # s4.5: the last valid TEP of B's option
        if g < 0x20 or g not in offered:
            continue
        if v == 1:
            # s3.5: the other half of resume[i], then nonce_b; a wrong half MUST be ignored
            if cached and 9 <= len(d) <= 17 and d[:9] == resume[9:18]:
                resumed, tep = d[9:], g
                break
            continue
        tep = g
        break
    if tep is None:
        sys.exit("no valid TEP in the SYN-ACK")
    scheme = SCHEMES[tep]
    if resumed is not None:
        return resumed_connection(a, tcp, data, output, deadline, cached, nonce_a, resumed)

    kp = ref.KeyPair(scheme, "live %r %r" % (os.urandom(16).hex(), time.time()))
    n_a = os.urandom(ref.N_LEN)
    init1 = ref.init1(aeads, n_a, kp.public_wire())
    # s4.6: ENO on every segment until a non-SYN segment arrives; s3.3: PSH ends Init1
    tcp.send(ACK, options=b"\x45\x02")
    tcp.send(ACK | PSH, payload=init1, options=b"\x45\x02")

    # Init2: message_len delimits it; s3.3: the segment with its last byte has PSH
    init2_psh = False
    while len(tcp.stream) < 8 or len(tcp.stream) < struct.unpack("!I", tcp.stream[4:8])[0]:
        seg = tcp.receive(deadline)
        if seg is None:
            sys.exit("no Init2")
        flags, seq, _, payload = seg
        before = len(tcp.stream)
        tcp.take(flags, seq, payload)
        if len(tcp.stream) >= 8:
            end = struct.unpack("!I", tcp.stream[4:8])[0]
            if before < end <= len(tcp.stream):
                init2_psh = bool(flags & PSH)
        if payload or flags & FIN:
            tcp.send(ACK)
    m2len = struct.unpack("!I", tcp.stream[4:8])[0]
    init2 = bytes(tcp.stream[:m2len])
    if struct.unpack("!I", init2[:4])[0] != ref.INIT2_MAGIC:
        sys.exit("bad Init2 magic")
    aead_id = struct.unpack("!H", init2[8:10])[0]
    if aead_id not in aeads:
        sys.exit("Init2 names a cipher not offered")  # s3.3: MUST abort
    aead = AEADS[aead_id]
    pub_len = len(kp.public_wire())
    pub_b = init2[10 + ref.N_LEN:10 + ref.N_LEN + pub_len]
    es = kp.agree(pub_b)
    ss0 = ref.extract(n_a, a_syn + b_syn + init1 + init2 + es)
    sess = ref.Session(ss0, b"", tep, aead)
    print("session_id=" + sess.session_id.hex().upper())
    print("resumed=false")
    print("tep=%02x" % tep)
    print("aead=%04x" % aead_id)
    print("init2_psh=%s" % ("true" if init2_psh else "false"))
    sys.stdout.flush()

    # our frames: offsets in our TCP stream (Init1 first, reading R5); the peer's after Init2
    plain, fin_seen, answered = exchange_frames(tcp, sess, data, deadline, len(init1), m2len, m2len)
    open(output, "wb").write(plain)
    if not answered:
        print("rekey_answered=false")
    if not fin_seen:
        sys.exit("FIN without FINp")
    linger(tcp)
    return ref.cprf(ss0, ref.c(ref.CONST_NEXTK), ref.K_LEN), tep, aead_id


def linger(tcp):
    """Answers a retransmitted FIN for a moment before leaving."""
    end = time.time() + 0.3
    while time.time() < end:
        seg = tcp.receive(end)
        if seg and seg[0] & FIN:
            tcp.send(ACK)


def exchange_frames(tcp, sess, data, deadline, a_offset, b_start, b_offset, me="A"):
    """Our frames (a key update half way, FINp with FIN), then the peer's until its FINp and FIN.
    `me` is this host's role (its traffic keys: k_ab for A, s3.3). Returns (plaintext, FINp seen,
    key update answered)."""
    peer = "B" if me == "A" else "A"
    offset = a_offset
    chunks = [data[i:i + 1000] for i in range(0, len(data), 1000)] or [b""]
    gen = 0
    for i, chunk in enumerate(chunks):
        rekey = i == len(chunks) // 2 and len(chunks) > 1
        if rekey:
            gen += 1
        frame = sess.seal(gen, me, offset, chunk, rekey=rekey)
        tcp.send(ACK | PSH, payload=frame)
        offset += len(frame)
        seg = tcp.receive(time.time() + 0.001) if i % 8 == 7 else None
        if seg:
            tcp.take(seg[0], seg[1], seg[3])
            if seg[3] or seg[0] & FIN:
                tcp.send(ACK)
    tcp.send(ACK | PSH | FIN, payload=sess.seal(gen, me, offset, b"", fin=True))
    aead = AEADS[sess.aead_id]
    pos, off_b, remote_gen, plain, fin_seen, answered = b_start, b_offset, 0, bytearray(), False, False
    peer_rekeys = 0
    while True:
        while len(tcp.stream) - pos >= 3:
            control = tcp.stream[pos]
            clen = struct.unpack("!H", tcp.stream[pos + 1:pos + 3])[0]
            if len(tcp.stream) - pos < 3 + clen:
                break
            ct = bytes(tcp.stream[pos + 3:pos + 3 + clen])
            if control & 1:  # s3.8: the peer's generation moves on by one per rekey bit
                remote_gen += 1
                peer_rekeys += 1
            key = sess.traffic_key(remote_gen, peer)
            k, nr = key[:aead[2]], key[aead[2]:]
            nonce = bytes(x ^ y for x, y in zip(bytes(aead[3] - 8) + off_b.to_bytes(8, "big"), nr))
            cipher = ChaCha20Poly1305(k) if sess.aead_id == 0x0010 else AESGCM(k)
            pt = cipher.decrypt(nonce, ct, bytes([control]) + struct.pack("!H", clen))
            if control & 1 and remote_gen == gen and not answered:
                answered = True
                print("rekey_answered=true")
                sys.stdout.flush()
            if fin_seen:
                sys.exit("a frame after FINp")
            body = pt[1:]
            if pt[0] & 0x02:
                body = body[2:]
            plain += body
            fin_seen = bool(pt[0] & 0x01)
            pos += 3 + clen
            off_b += 3 + clen
        if tcp.peer_fin:
            break
        seg = tcp.receive(deadline)
        if seg is None:
            sys.exit("the peer's stream did not end")
        flags, seq, _, payload = seg
        if flags & RST:
            sys.exit("reset by the peer")
        tcp.take(flags, seq, payload)
        if payload or flags & FIN:
            tcp.send(ACK)
    if len(tcp.stream) != pos:
        sys.exit("FIN inside a frame")
    # every rekey frame of the peer: its answer to ours plus the key updates it initiated itself
    print("peer_rekeys=%d" % peer_rekeys)
    sys.stdout.flush()
    return plain, fin_seen, answered


def resumed_connection(a, tcp, data, output, deadline, cached, nonce_a, nonce_b):
    """RFC 8548 s3.5: no Init messages; keys from the cached ss[i] and sn[i] = nonce_a | nonce_b."""
    ss, tep, aead_id = cached
    sess = ref.Session(ss, nonce_a + nonce_b, 0x80 | tep, AEADS[aead_id])
    print("session_id=" + sess.session_id.hex().upper())
    print("resumed=true")
    print("tep=%02x" % tep)
    print("aead=%04x" % aead_id)
    sys.stdout.flush()
    tcp.send(ACK, options=b"\x45\x02")  # s4.6: ENO until a non-SYN segment arrives
    plain, fin_seen, answered = exchange_frames(tcp, sess, data, deadline, 0, 0, 0)
    open(output, "wb").write(plain)
    if not answered:
        print("rekey_answered=false")
    if not fin_seen:
        sys.exit("FIN without FINp")
    linger(tcp)
    return ref.cprf(ss, ref.c(ref.CONST_NEXTK), ref.K_LEN), tep, aead_id


def passive(a, teps, aeads, data, output, cached):
    """Role B for one connection (RFC 8547 s4.3: the passive opener); `cached` = (ss[i], TEP, AEAD)
    of the previous session with this peer, resumed when the SYN asks for it (s3.5). Returns what
    to cache for the next connection: (ss[i+1], TEP, AEAD)."""
    deadline = time.time() + a.timeout
    tcp = Tcp(a.src, a.dst, 0)
    tcp.sport = a.listen
    while True:  # the peer's SYN
        seg = tcp.receive(deadline, any_port=True)
        if seg is None:
            sys.exit("no SYN")
        flags, seq, opts, _ = seg
        if flags & SYN and not flags & ACK:
            break
    tcp.rcv_nxt = seq + 1
    eno = [v for k, v in options(opts) if k == 69]
    if len(eno) != 1 or any(k == 253 for k, _ in options(opts)):
        sys.exit("SYN without exactly one ENO option")
    subs = suboptions(eno[0])
    if subs is None:
        sys.exit("ill-formed ENO option in the SYN")
    glob = next((g for g, v, _ in subs if g < 0x20 and v == 0), 0)
    if glob & 1:
        sys.exit("SYN with b = 1")  # s4.6 rule 3: the passive opener has b = 1
    offered = [g for g, _, _ in subs if g >= 0x20]
    if any(offered.count(t) > 1 for t in offered):
        sys.exit("a TEP listed twice")  # s4.5 rule 3, RFC 8548 defines no repetition
    a_syn = bytes([69, len(eno[0]) + 2]) + eno[0]
    if cached:
        # s3.5: a resumption suboption (v = 1, 9-17 data bytes) of the cached TEP whose first 9
        # bytes are resume[i]{0..8} of the cached ss[i]; B SHOULD resume it
        resume = ref.cprf(cached[0], ref.c(ref.CONST_RESUME), 18)
        ask = next((d for g, v, d in subs if g == cached[1] and v == 1 and 9 <= len(d) <= 17), None)
        if ask is None:
            sys.exit("no resumption suboption for the cached session")
        if ask[:9] != resume[0:9]:
            sys.exit("the resumption suboption names another session")
        nonce_a, nonce_b = ask[9:], os.urandom(8)
        b_syn = ref.eno_option([ref.global_suboption(b=1), bytes([0x80 | cached[1]]) + resume[9:18] + nonce_b])
        tcp.send(SYN | ACK, options=struct.pack("!BBH", 2, 4, 1400) + b_syn)
        return passive_resumed(a, tcp, data, output, deadline, cached, nonce_a + nonce_b)
    tep = next((t for t in teps if t in offered), None)  # our preference (s4.5)
    if tep is None:
        sys.exit("no common TEP")
    b_syn = ref.eno_option([ref.global_suboption(b=1), bytes([tep])])
    tcp.send(SYN | ACK, options=struct.pack("!BBH", 2, 4, 1400) + b_syn)
    # s4.6: the first ACK (and every segment until we send a non-SYN one) carries ENO;
    # s3.3: PSH on the segment with Init1's last byte
    first_ack_eno = None
    psh_at_end = False
    while len(tcp.stream) < 8 or len(tcp.stream) < struct.unpack("!I", tcp.stream[4:8])[0]:
        seg = tcp.receive(deadline)
        if seg is None:
            sys.exit("no Init1")
        flags, seq, opts, payload = seg
        if flags & SYN:
            continue
        if first_ack_eno is None:
            first_ack_eno = any(k == 69 for k, _ in options(opts))
            if not first_ack_eno:
                sys.exit("the first ACK has no ENO option")
        tcp.take(flags, seq, payload)
        if len(tcp.stream) >= 8 and len(tcp.stream) >= struct.unpack("!I", tcp.stream[4:8])[0]:
            psh_at_end = bool(flags & PSH) and len(tcp.stream) == struct.unpack("!I", tcp.stream[4:8])[0]
        if payload:
            tcp.send(ACK)
    m1len = struct.unpack("!I", tcp.stream[4:8])[0]
    init1 = bytes(tcp.stream[:m1len])
    if struct.unpack("!I", init1[:4])[0] != ref.INIT1_MAGIC:
        sys.exit("bad Init1 magic")
    n = init1[8]
    ids = [struct.unpack("!H", init1[9 + 2 * i:11 + 2 * i])[0] for i in range(n)]
    aead_id = next((x for x in aeads if x in ids), None)  # s3.3: B selects by its preference
    if aead_id is None:
        sys.exit("no common AEAD")
    n_a = init1[9 + 2 * n:9 + 2 * n + ref.N_LEN]
    kp = ref.KeyPair(SCHEMES[tep], "live B %r %r" % (os.urandom(16).hex(), time.time()))
    pub_a = init1[9 + 2 * n + ref.N_LEN:9 + 2 * n + ref.N_LEN + len(kp.public_wire())]
    n_b = os.urandom(ref.N_LEN)
    init2 = ref.init2(aead_id, n_b, kp.public_wire())
    es = kp.agree(pub_a)
    ss0 = ref.extract(n_a, a_syn + b_syn + init1 + init2 + es)
    sess = ref.Session(ss0, b"", tep, AEADS[aead_id])
    print("session_id=" + sess.session_id.hex().upper())
    print("resumed=false")
    print("tep=%02x" % tep)
    print("aead=%04x" % aead_id)
    print("init1_psh=%s" % ("true" if psh_at_end else "false"))
    sys.stdout.flush()
    tcp.send(ACK | PSH, payload=init2)
    plain, fin_seen, answered = exchange_frames(tcp, sess, data, deadline, len(init2), m1len, m1len, me="B")
    open(output, "wb").write(plain)
    if not answered:
        print("rekey_answered=false")
    if not fin_seen:
        sys.exit("FIN without FINp")
    linger(tcp)
    return ref.cprf(ss0, ref.c(ref.CONST_NEXTK), ref.K_LEN), tep, aead_id


def passive_resumed(a, tcp, data, output, deadline, cached, sn):
    """Role B of a resumed session (s3.5): no Init messages, frames from offset 0 both ways, keys
    from the cached ss[i] and sn[i] = nonce_a | nonce_b (the peer was A in the original session)."""
    ss, tep, aead_id = cached
    while True:  # A's ACK of the SYN-ACK (s4.6: with ENO), perhaps with its first frames
        seg = tcp.receive(deadline)
        if seg is None:
            sys.exit("no ACK of the resuming SYN-ACK")
        flags, seq, opts, payload = seg
        if flags & SYN:
            continue
        if not any(k == 69 for k, _ in options(opts)):
            sys.exit("the first ACK has no ENO option")
        tcp.take(flags, seq, payload)
        if payload:
            tcp.send(ACK)
        break
    sess = ref.Session(ss, sn, 0x80 | tep, AEADS[aead_id])
    print("session_id=" + sess.session_id.hex().upper())
    print("resumed=true")
    print("tep=%02x" % tep)
    print("aead=%04x" % aead_id)
    sys.stdout.flush()
    plain, fin_seen, answered = exchange_frames(tcp, sess, data, deadline, 0, 0, 0, me="B")
    open(output, "wb").write(plain)
    if not answered:
        print("rekey_answered=false")
    if not fin_seen:
        sys.exit("FIN without FINp")
    linger(tcp)
    return ref.cprf(ss, ref.c(ref.CONST_NEXTK), ref.K_LEN), tep, aead_id


if __name__ == "__main__":
    sys.exit(main())
