#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A hostile L2TPv3 peer over UDP (RFC 3931) for tests/interop/t_v3_hostile.sh.

Usage: v3peer.py LNS_ADDR CASE [ARGS...]; prints one JSON object per case.
Each case does what its function's docstring says and reports what lnsd
answered (message types, result/error codes); the shell script asserts on
that and on lnsd's counters. No Message Digest is ever computed here: the
peer it plays has no secret, and every digest it sends is wrong on purpose.
"""
import json
import os
import socket
import struct
import sys
import time

SCCRQ, SCCRP, SCCCN, STOPCCN, HELLO = 1, 2, 3, 4, 6
ICRQ, ICRP, ICCN, CDN, ACK = 10, 11, 12, 14, 20
AVP_MT, AVP_RESULT, AVP_TIE, AVP_HOST, AVP_SERIAL = 0, 1, 5, 7, 15
AVP_DIGEST, AVP_ROUTER, AVP_ACCID, AVP_CAPS = 59, 60, 61, 62
AVP_LSID, AVP_RSID, AVP_COOKIE, AVP_REID, AVP_PWTYPE = 63, 64, 65, 66, 68
PW_VLAN, PW_ETH = 4, 5


def avp(t, v, m=True):
    return struct.pack("!HHH", (0x8000 if m else 0) | (6 + len(v)), 0, t) + v


def u16(v):
    return struct.pack("!H", v)


def u32(v):
    return struct.pack("!I", v)


def ctl(ccid, ns, nr, mtype, body=b""):
    """A v3 control message over UDP: T, L, S set, version 3 (§4.1.2.1)."""
    body = (avp(AVP_MT, u16(mtype)) if mtype is not None else b"") + body
    return struct.pack("!HHIHH", 0xC803, 12 + len(body), ccid, ns, nr) + body


def parse(pkt):
    """(ccid, ns, nr, type or 'zlb', {avp type: [values]}) or None."""
    if len(pkt) < 12:
        return None
    flags, length, ccid, ns, nr = struct.unpack("!HHIHH", pkt[:12])
    if flags & 0x000F != 3 or not flags & 0x8000:
        return None
    avps, off = {}, 12
    while off + 6 <= min(length, len(pkt)):
        hdr, vendor, t = struct.unpack("!HHH", pkt[off:off + 6])
        alen = hdr & 0x3FF
        if alen < 6:
            break
        if vendor == 0:
            avps.setdefault(t, []).append(pkt[off + 6:off + alen])
        off += alen
    mtype = struct.unpack("!H", avps[AVP_MT][0])[0] if AVP_MT in avps else "zlb"
    return ccid, ns, nr, mtype, avps


def result_of(avps):
    v = avps.get(AVP_RESULT, [b""])[0]
    if len(v) >= 4:
        return list(struct.unpack("!HH", v[:4]))
    return [struct.unpack("!H", v[:2])[0], None] if len(v) >= 2 else [None, None]


class Peer:
    """One UDP socket from SRC (any port) to the LNS's port 1701."""

    def __init__(self, lns, src="0.0.0.0", port=0):
        self.lns = (lns, 1701)
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind((src, port))
        self.ns = self.nr = 0
        self.ccid = 0                   # lnsd's Control Connection ID
        self.my_ccid = int.from_bytes(os.urandom(4), "big") | 1
        self.got = []

    def send(self, pkt):
        self.s.sendto(pkt, self.lns)

    def msg(self, mtype, body=b"", ccid=None):
        pkt = ctl(self.ccid if ccid is None else ccid, self.ns, self.nr, mtype, body)
        self.send(pkt)
        self.ns = (self.ns + 1) & 0xFFFF
        return pkt

    def recv(self, timeout=1.5, want=None):
        """The next non-ack message from lnsd (or of type WANT), None on timeout."""
        end = time.time() + timeout
        while True:
            left = end - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                pkt, _ = self.s.recvfrom(65535)
            except socket.timeout:
                return None
            p = parse(pkt)
            if not p:
                continue
            self.got.append(p[3])
            if p[3] in ("zlb", ACK):
                continue
            self.nr = (p[1] + 1) & 0xFFFF
            if want is None or p[3] in want:
                return p

    def sccrq_body(self, tie=False):
        body = (avp(AVP_HOST, b"hostile-v3") + avp(AVP_ROUTER, u32(0x0A0B0C0D)) +
                avp(AVP_ACCID, u32(self.my_ccid)) + avp(AVP_CAPS, u16(PW_ETH) + u16(PW_VLAN)))
        return body + (avp(AVP_TIE, os.urandom(8)) if tie else b"")

    def connect(self):
        """SCCRQ, SCCRP, SCCCN: True when lnsd took the connection."""
        self.msg(SCCRQ, self.sccrq_body())
        p = self.recv(want=(SCCRP, STOPCCN))
        if not p or p[3] != SCCRP:
            return False
        self.ccid = struct.unpack("!I", p[4][AVP_ACCID][0])[0]
        self.msg(SCCCN)
        return True

    def icrq(self, lsid, reid, pwtype=PW_ETH, cookie=None):
        body = (avp(AVP_LSID, u32(lsid)) + avp(AVP_RSID, u32(0)) +
                avp(AVP_SERIAL, u32(lsid)) + avp(AVP_PWTYPE, u16(pwtype)) +
                avp(AVP_REID, reid))
        if cookie is not None:
            body += avp(AVP_COOKIE, cookie)
        self.msg(ICRQ, body)
        p = self.recv(want=(ICRP, CDN, STOPCCN))
        if not p:
            return {"answer": None}
        return {"answer": p[3], "result": result_of(p[4])}


def out(**kw):
    print(json.dumps(kw), flush=True)


def case_junk(lns):
    """Malformed datagrams with version 3 in the header: truncated headers,
    a length beyond the datagram, a data header with Session ID 0, AVPs
    that overrun, an oversized datagram, random bytes; counts answers."""
    p = Peer(lns)
    good = ctl(0, 0, 0, SCCRQ, p.sccrq_body())
    pkts = [good[:n] for n in range(1, 12)]
    pkts.append(struct.pack("!HHIHH", 0xC803, 400, 0, 0, 0) + good[12:])     # length > datagram
    pkts.append(struct.pack("!HHI", 0x0003, 0, 0))                           # data, session 0
    pkts.append(good[:12] + struct.pack("!HHH", 0x8000 | 900, 0, 0) + b"\0" * 8)  # AVP overruns
    pkts.append(good[:12] + struct.pack("!HHH", 0x8000 | 3, 0, 0) + b"\0" * 8)    # AVP len < 6
    pkts.append(struct.pack("!HHIHH", 0xC803, 65000, 0, 0, 0) + b"\0" * 64988)   # oversized
    for _ in range(200):
        r = bytearray(os.urandom(40))
        r[0], r[1] = r[0] | 0xC8, (r[1] & 0xF0) | 3
        pkts.append(bytes(r))
    for k in pkts:
        try:
            p.send(k)
        except OSError:
            pass
    answers = []
    while True:
        a = p.recv(timeout=1.0)
        if not a:
            break
        answers.append([a[3], result_of(a[4])])
    out(case="junk", sent=len(pkts), answers=answers)


def case_bad_digest(lns, src):
    """From SRC, an address whose pseudowire wants a Message Digest: an SCCRQ
    without one, then one with a wrong HMAC-MD5 and a wrong HMAC-SHA-1."""
    res = []
    for dig in (None, b"\x00" + os.urandom(16), b"\x01" + os.urandom(20)):
        p = Peer(lns, src)
        body = p.sccrq_body()
        if dig is not None:
            body = avp(AVP_DIGEST, dig) + body
        p.send(ctl(0, 0, 0, SCCRQ, body))
        a = p.recv()
        res.append(None if not a else [a[3], result_of(a[4])])
    out(case="bad_digest", answers=res)


def case_foreign_ids(lns, ccid):
    """Messages naming CCID (another peer's connection) from our address:
    HELLO, ICRQ and StopCCN, each dropped without an answer."""
    p = Peer(lns)
    p.ccid = ccid
    p.ns, p.nr = 100, 100
    p.msg(HELLO)
    p.msg(ICRQ, avp(AVP_LSID, u32(7)) + avp(AVP_RSID, u32(0)) + avp(AVP_SERIAL, u32(7)) +
          avp(AVP_PWTYPE, u16(PW_ETH)) + avp(AVP_REID, b"office-lan"))
    p.msg(STOPCCN, avp(AVP_RESULT, u16(1) + u16(0)))
    a = p.recv(timeout=2.0)
    out(case="foreign_ids", answer=None if not a else a[3], acks=p.got)


def case_calls(lns, reid):
    """A connection of our own (the peer config has no secret), then ICRQs:
    an unknown Remote End ID, a 3-byte cookie, the VLAN type where Ethernet
    is configured, and last the right circuit; StopCCN at the end."""
    p = Peer(lns)
    if not p.connect():
        out(case="calls", connected=False)
        return
    res = {"unknown_reid": p.icrq(1001, b"no-such-circuit"),
           "cookie3": p.icrq(1002, reid.encode(), cookie=b"\1\2\3"),
           "vlan_type": p.icrq(1003, reid.encode(), pwtype=PW_VLAN),
           "right": p.icrq(1004, reid.encode(), cookie=b"\1\2\3\4")}
    p.msg(STOPCCN, avp(AVP_RESULT, u16(1) + u16(0)) + avp(AVP_ACCID, u32(p.my_ccid)))
    p.recv(timeout=1.0)
    out(case="calls", connected=True, **res)


def case_replay(lns):
    """One SCCRQ sent 6 times from one socket (a retransmission each time:
    one connection, its SCCRP again), then SCCRQs with new Assigned Control
    Connection IDs from 20 sockets: connections up to the per-peer cap, the
    rest unanswered. Leaves everything to time out."""
    p = Peer(lns)
    pkt = ctl(0, 0, 0, SCCRQ, p.sccrq_body())
    sccrp_ccids = set()
    for _ in range(6):
        p.send(pkt)
        a = p.recv(timeout=0.5, want=(SCCRP, STOPCCN))
        if a and a[3] == SCCRP:
            sccrp_ccids.add(struct.unpack("!I", a[4][AVP_ACCID][0])[0])
    flood = {"sccrp": 0, "stopccn": 0, "none": 0}
    peers = [Peer(lns) for _ in range(20)]
    for q in peers:
        q.send(ctl(0, 0, 0, SCCRQ, q.sccrq_body()))
    for q in peers:
        a = q.recv(timeout=0.7, want=(SCCRP, STOPCCN))
        flood["none" if not a else "sccrp" if a[3] == SCCRP else "stopccn"] += 1
    out(case="replay", replay_ccids=len(sccrp_ccids), flood=flood)


def main():
    lns, case = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    {"junk": case_junk, "bad_digest": case_bad_digest, "foreign_ids": case_foreign_ids,
     "calls": case_calls, "replay": case_replay}[case](
        lns, *[int(a) if a.isdigit() else a for a in args])


if __name__ == "__main__":
    main()
