"""SYN flood for KernelTcpListenerTest: COUNT SYNs from SRC (distinct random source ports from
SPORT_LO-SPORT_HI, random sequence numbers) to DST:DPORT at RATE per second, sent at L3 from
inside the test's namespace. Ports do not repeat, so every SYN opens a new half-open connection
(a repeated SYN to a half-open connection is a separate test). Scapy crafts the segment once;
each copy gets its ports, sequence number and checksum patched, so the rate is not limited by
building packets in Python.

usage: synflood.py SRC DST DPORT COUNT RATE SPORT_LO SPORT_HI
"""
import random
import socket
import struct
import sys
import time

from scapy.layers.inet import IP, TCP
from scapy.packet import raw
from scapy.utils import checksum

src, dst = sys.argv[1], sys.argv[2]
dport, count, rate, sport_lo, sport_hi = (int(a) for a in sys.argv[3:8])
if not (dst.startswith("198.18.") or dst.startswith("198.19.")):
    sys.exit("synflood.py: refusing to send outside 198.18.0.0/15: " + dst)

template = bytearray(raw(IP(src=src, dst=dst) / TCP(sport=sport_lo, dport=dport, seq=0, flags="S", window=64240,
        options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (0, 0)), ("NOP", None), ("WScale", 7)])))
ihl = (template[0] & 0x0F) * 4
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(template) - ihl)

out = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
rnd = random.Random()
if count > sport_hi - sport_lo + 1:
    sys.exit("synflood.py: %d SYNs need as many source ports" % count)
ports = rnd.sample(range(sport_lo, sport_hi + 1), count)
start = time.monotonic()
for i in range(count):
    struct.pack_into("!HHI", template, ihl, ports[i], dport, rnd.getrandbits(32))
    struct.pack_into("!H", template, ihl + 16, 0)
    struct.pack_into("!H", template, ihl + 16, checksum(pseudo + bytes(template[ihl:])))
    out.sendto(template, (dst, 0))
    if i % 50 == 49:
        ahead = (i + 1) / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
print("sent %d SYNs in %.2f s" % (count, time.monotonic() - start), flush=True)
