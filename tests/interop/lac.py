#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small L2TPv2 LAC (RFC 2661) for the interop tests: what xl2tpd cannot send.

Brings up one tunnel (SCCRQ, SCCRP, SCCCN) and N calls (ICRQ, ICRP, ICCN),
with tunnel authentication (Challenge / Challenge Response, both ways) and
hidden AVPs (section 4.3), acknowledges with ZLBs, answers HELLO, retransmits
its own messages, and handles CDN and StopCCN from the LNS. Peer quirks from
docs/design.md section 6.3 are switched on by options:

  --dup-sccrq       send the SCCRQ twice (a retransmission) before reading
  --dup-icrq        send each ICRQ twice
  --reorder         with --calls 2: send the second ICRQ (Ns k+1) before the first (Ns k)
  --cisco-extra N   Challenge Response in SCCCN with N extra bytes after the 16
  --cdn-result F    CDN Result Code form: rfc | mikrotik (no error code) | apple (swapped)
  --stopccn-result F  likewise for the StopCCN

After set-up it prints "READY {json}" and serves the tunnel until the file
given with --hold-file exists (or --hold seconds pass, or the LNS closes the
tunnel), then hangs up every call (CDN) and closes the tunnel (StopCCN). The
last line is "DONE {json}"; a protocol failure prints "ERROR ..." and exits 1.
Sends only to the LNS address given (loopback or a test namespace).
"""

import argparse
import hashlib
import json
import os
import random
import select
import socket
import struct
import sys
import time

# Message types (section 3.2) and AVP types (section 4.4).
SCCRQ, SCCRP, SCCCN, STOPCCN, HELLO = 1, 2, 3, 4, 6
ICRQ, ICRP, ICCN, CDN = 10, 11, 12, 14
NAMES = {0: "ZLB", 1: "SCCRQ", 2: "SCCRP", 3: "SCCCN", 4: "StopCCN", 6: "HELLO",
         10: "ICRQ", 11: "ICRP", 12: "ICCN", 14: "CDN"}
A_MSG, A_RESULT, A_PROTO, A_FRAMING_CAP, A_BEARER_CAP = 0, 1, 2, 3, 4
A_FIRMWARE, A_HOST, A_VENDOR, A_TID, A_WINDOW = 6, 7, 8, 9, 10
A_CHALLENGE, A_CHAL_RESP, A_SID, A_SERIAL = 11, 13, 14, 15
A_BEARER, A_FRAMING, A_CALLING, A_TX_SPEED, A_RV = 18, 19, 22, 24, 36

T_BIT, L_BIT, S_BIT, VER2 = 0x8000, 0x4000, 0x0800, 0x0002
M_BIT, H_BIT = 0x8000, 0x4000


class ProtocolError(Exception):
    pass


def u16(v):
    return struct.pack("!H", v)


def u32(v):
    return struct.pack("!I", v)


def seq_lt(a, b):
    """a < b in 16-bit serial number arithmetic (section 5.8)."""
    return a != b and ((b - a) & 0xFFFF) < 0x8000


def md5(*parts):
    return hashlib.md5(b"".join(parts)).digest()


def hide(attr, value, secret, rv):
    """Section 4.3: 2-byte original length, value, random padding; MD5 chain."""
    plain = u16(len(value)) + value + os.urandom(random.randint(0, 8))
    out, prev = b"", u16(attr) + secret + rv
    for i in range(0, len(plain), 16):
        block = plain[i:i + 16]
        key = md5(prev) if i == 0 else md5(secret, prev)
        cipher = bytes(p ^ k for p, k in zip(block, key))
        out, prev = out + cipher, cipher
    return out


def unhide(attr, value, secret, rv):
    plain, prev = b"", u16(attr) + secret + rv
    for i in range(0, len(value), 16):
        block = value[i:i + 16]
        key = md5(prev) if i == 0 else md5(secret, prev)
        plain += bytes(c ^ k for c, k in zip(block, key))
        prev = block
    n = struct.unpack("!H", plain[:2])[0]
    if n > len(plain) - 2:
        raise ProtocolError(f"hidden AVP {attr}: original length {n} beyond {len(plain) - 2}")
    return plain[2:2 + n]


def chap(msg_type, secret, challenge):
    """Section 4.2/5.1.1: MD5 over the message type as CHAP ID, secret, challenge."""
    return md5(bytes([msg_type]), secret, challenge)


class Msg:
    """A received control message: header fields and {type: value} of its AVPs."""

    def __init__(self, pkt, secret):
        if len(pkt) < 12:
            raise ProtocolError(f"short packet ({len(pkt)} bytes)")
        flags, length, self.tid, self.sid, self.ns, self.nr = struct.unpack("!HHHHHH", pkt[:12])
        if not flags & T_BIT or flags & 0x000F != VER2 or length != len(pkt):
            raise ProtocolError(f"bad control header {pkt[:12].hex()}")
        self.avps, self.hidden, self.type, off, rv = {}, [], 0, 12, None
        while off < len(pkt):
            aflags, vendor, attr = struct.unpack("!HHH", pkt[off:off + 6])
            alen = aflags & 0x3FF
            if alen < 6 or off + alen > len(pkt):
                raise ProtocolError(f"bad AVP length {alen} at {off}")
            value = pkt[off + 6:off + alen]
            off += alen
            if vendor:
                continue
            if aflags & H_BIT:
                if rv is None or not secret:
                    raise ProtocolError(f"hidden AVP {attr} without random vector or secret")
                value = unhide(attr, value, secret, rv)
                self.hidden.append(attr)
            if attr == A_RV:
                rv = value
            self.avps[attr] = value
        if A_MSG in self.avps:
            self.type = struct.unpack("!H", self.avps[A_MSG])[0]

    def u16(self, attr):
        v = self.avps.get(attr)
        if v is None or len(v) != 2:
            raise ProtocolError(f"{NAMES.get(self.type)}: AVP {attr} missing or not 2 bytes")
        return struct.unpack("!H", v)[0]

    def result(self):
        v = self.avps.get(A_RESULT, b"")
        rc = struct.unpack("!H", v[:2])[0] if len(v) >= 2 else None
        err = struct.unpack("!H", v[2:4])[0] if len(v) >= 4 else None
        return rc, err, v[4:].decode(errors="replace")


class Lac:
    def __init__(self, args):
        self.a = args
        self.secret = args.secret.encode() if args.secret else b""
        family = socket.AF_INET6 if ":" in args.lns else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((args.bind or ("::" if family == socket.AF_INET6 else "0.0.0.0"), 0))
        self.lns = (args.lns, args.port)     # becomes the tunnel's address after SCCRP
        self.ns = self.nr = 0
        self.tid = random.randint(1, 0xFFFF)
        self.ptid = 0
        self.unacked = []                    # [ns, packet, deadline, tries]
        self.calls = {}                      # our session id -> peer session id
        self.seen = []                       # names of the messages received, in order
        self.hellos = 0
        self.cdn_rx, self.stopccn_rx = [], None
        self.sccrp_tids = []
        self.hidden_rx = {}                  # message name -> hidden AVP types unhidden

    def log(self, text):
        print(text, file=sys.stderr, flush=True)

    # ---- sending
    def build(self, sid, avps, ns=None, tid=None):
        if ns is None:
            ns, self.ns = self.ns, (self.ns + 1) & 0xFFFF
        body = b"".join(avps)
        hdr = struct.pack("!HHHHHH", T_BIT | L_BIT | S_BIT | VER2, 12 + len(body),
                          self.ptid if tid is None else tid, sid, ns, self.nr)
        return ns, hdr + body

    def transmit(self, ns, pkt, track=True):
        pkt = pkt[:10] + u16(self.nr) + pkt[12:]
        self.sock.sendto(pkt, self.lns)
        if track and not any(u[0] == ns for u in self.unacked):
            self.unacked.append([ns, pkt, time.monotonic() + 1.0, 0])

    def send(self, sid, avps, tid=None):
        ns, pkt = self.build(sid, avps, tid=tid)
        self.transmit(ns, pkt)
        return pkt

    def zlb(self):
        hdr = struct.pack("!HHHHHH", T_BIT | L_BIT | S_BIT | VER2, 12, self.ptid, 0, self.ns, self.nr)
        self.sock.sendto(hdr, self.lns)

    def avp(self, attr, value, mandatory=True, hidden=False):
        if hidden:
            value = hide(attr, value, self.secret, self.rv)
        flags = (M_BIT if mandatory else 0) | (H_BIT if hidden else 0)
        return struct.pack("!HHH", flags | (6 + len(value)), 0, attr) + value

    def result_avp(self, rc, err, form):
        if form == "mikrotik":
            return self.avp(A_RESULT, u16(rc))                       # 2-byte value, no error code
        if form == "apple":
            return self.avp(A_RESULT, u16(rc) + struct.pack("<H", err))  # little-endian error code
        return self.avp(A_RESULT, u16(rc) + u16(err))

    # ---- receiving
    def pump(self, timeout):
        """Wait up to timeout for one message; retransmit, ack, handle HELLO/CDN/StopCCN."""
        end = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            for u in self.unacked:
                if now >= u[2]:
                    if u[3] >= 5:
                        raise ProtocolError(f"no acknowledgement for our Ns {u[0]}")
                    u[2], u[3] = now + 2.0 ** (u[3] + 1), u[3] + 1
                    self.transmit(u[0], u[1])
            left = end - now
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], min(left, 0.2))
            if not r:
                continue
            pkt, src = self.sock.recvfrom(4096)
            if self.ptid and src[:2] != self.lns[:2]:
                continue
            m = Msg(pkt, self.secret)
            self.unacked = [u for u in self.unacked if not seq_lt(u[0], m.nr)]
            if m.type == 0:
                continue                     # ZLB: only an acknowledgement
            if m.ns != self.nr:
                if seq_lt(m.ns, self.nr):    # duplicate: acknowledge again
                    if m.type == SCCRP:
                        self.sccrp_tids.append(m.u16(A_TID))
                    self.zlb()
                continue                     # ahead of the window: the LNS resends it
            self.nr = (self.nr + 1) & 0xFFFF
            if m.tid != self.tid and m.type != SCCRP:
                raise ProtocolError(f"{NAMES.get(m.type)} for tunnel {m.tid}, ours is {self.tid}")
            name = NAMES.get(m.type, str(m.type))
            self.seen.append(name)
            if m.hidden:
                self.hidden_rx.setdefault(name, sorted(set(self.hidden_rx.get(name, []) + m.hidden)))
            if m.type == SCCRP:
                self.lns = src               # section 8.1: talk to where the reply came from
                self.ptid = m.u16(A_TID)
            self.zlb()
            if m.type == HELLO:
                self.hellos += 1
                continue
            if m.type == CDN:
                sid = m.sid
                self.cdn_rx.append({"sid": sid, "result": m.result()[:2]})
                self.calls.pop(sid, None)
                continue
            if m.type == STOPCCN:
                self.stopccn_rx = m.result()[:2]
            return m

    def expect(self, mtype, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = self.pump(end - time.monotonic())
            if m is None:
                break
            if m.type == mtype:
                return m
            if m.type == STOPCCN:
                raise ProtocolError(f"StopCCN while waiting for {NAMES[mtype]}: result {m.result()}")
            raise ProtocolError(f"{NAMES.get(m.type)} while waiting for {NAMES[mtype]}")
        raise ProtocolError(f"no {NAMES[mtype]} within {timeout}s")

    def drain(self, timeout=1.0):
        """Until everything we sent is acknowledged (or timeout)."""
        end = time.monotonic() + timeout
        while self.unacked and time.monotonic() < end:
            self.pump(min(0.2, end - time.monotonic()))

    # ---- the tunnel
    def tunnel_up(self):
        a = self.a
        self.rv = os.urandom(16)
        hid = a.hide
        avps = [self.avp(A_MSG, u16(SCCRQ)), self.avp(A_PROTO, u16(0x0100)),
                self.avp(A_HOST, a.hostname.encode()), self.avp(A_FRAMING_CAP, u32(3))]
        if hid:
            avps.append(self.avp(A_RV, self.rv))
        avps += [self.avp(A_TID, u16(self.tid), hidden=hid),
                 self.avp(A_BEARER_CAP, u32(3), hidden=hid),
                 self.avp(A_FIRMWARE, u16(0x0042), mandatory=False, hidden=hid),
                 self.avp(A_VENDOR, b"lnsd interop lac.py", mandatory=False, hidden=hid),
                 self.avp(A_WINDOW, u16(8))]
        challenge = None
        if self.secret:
            challenge = os.urandom(16)
            avps.append(self.avp(A_CHALLENGE, challenge))
        ns, pkt = self.build(0, avps, tid=0)
        self.transmit(ns, pkt)
        if a.dup_sccrq:
            time.sleep(0.05)
            self.transmit(ns, pkt)           # a retransmission: same Ns, same Assigned Tunnel ID
        m = self.expect(SCCRP)
        self.ptid = m.u16(A_TID)
        self.sccrp_tids.append(self.ptid)
        if challenge is not None:
            want = chap(SCCRP, self.secret, challenge)
            if m.avps.get(A_CHAL_RESP) != want:
                raise ProtocolError("SCCRP Challenge Response missing or wrong")
        avps = [self.avp(A_MSG, u16(SCCCN))]
        if A_CHALLENGE in m.avps:
            if not self.secret:
                raise ProtocolError("the LNS challenged us but we have no secret")
            resp = chap(SCCCN, self.secret, m.avps[A_CHALLENGE]) + os.urandom(a.cisco_extra)
            avps.append(self.avp(A_CHAL_RESP, resp))
        self.send(0, avps)
        if a.dup_sccrq:
            self.pump(0.5)                   # a second SCCRP, if the LNS answers the duplicate
        self.drain(3)

    def call_avps(self, sid, serial):
        hid = self.a.hide
        avps = [self.avp(A_MSG, u16(ICRQ))]
        if hid:
            self.rv = os.urandom(16)
            avps.append(self.avp(A_RV, self.rv))
        return avps + [self.avp(A_SID, u16(sid), hidden=hid), self.avp(A_SERIAL, u32(serial)),
                       self.avp(A_BEARER, u32(2)),
                       self.avp(A_CALLING, f"lacpy-{serial}".encode(), hidden=hid)]

    def calls_up(self, n):
        sids = random.sample(range(1, 0x10000), n)
        pkts = [self.build(0, self.call_avps(sid, 1000 + i)) for i, sid in enumerate(sids)]
        order = list(reversed(pkts)) if self.a.reorder else pkts
        for ns, pkt in order:
            self.transmit(ns, pkt)
            if self.a.dup_icrq:
                self.transmit(ns, pkt)       # retransmitted ICRQ: same Ns
        for _ in sids:
            m = self.expect(ICRP)
            if m.sid not in sids or m.sid in self.calls:
                raise ProtocolError(f"ICRP for session {m.sid}: not one of ours {sids} or twice")
            self.calls[m.sid] = m.u16(A_SID)
        for sid in sids:
            self.send(self.calls[sid], [self.avp(A_MSG, u16(ICCN)), self.avp(A_TX_SPEED, u32(10000000)),
                                        self.avp(A_FRAMING, u32(3))])
        self.drain(3)
        if self.a.dup_icrq:                  # a late second ICRP would show up as a duplicate
            self.pump(0.5)

    def hold(self):
        end = time.monotonic() + self.a.hold
        while time.monotonic() < end and self.stopccn_rx is None:
            if self.a.hold_file and os.path.exists(self.a.hold_file):
                break
            m = self.pump(0.2)
            if m is not None and m.type != STOPCCN:
                raise ProtocolError(f"unexpected {NAMES.get(m.type)} while holding")

    def teardown(self):
        a = self.a
        if self.stopccn_rx is not None:
            return                           # the LNS closed the tunnel; our ZLB acked it
        for sid, psid in list(self.calls.items()):
            self.send(psid, [self.avp(A_MSG, u16(CDN)), self.result_avp(a.cdn_rc, a.cdn_error, a.cdn_result),
                             self.avp(A_SID, u16(sid))])
            del self.calls[sid]
        self.drain(3)
        self.send(0, [self.avp(A_MSG, u16(STOPCCN)), self.avp(A_TID, u16(self.tid)),
                      self.result_avp(a.stopccn_rc, a.stopccn_error, a.stopccn_result)])
        self.drain(3)
        if self.unacked:
            raise ProtocolError("StopCCN not acknowledged")

    def summary(self):
        return {"tunnel_id": self.tid, "lns_tunnel_id": self.ptid,
                "local": "[%s]:%d" % self.sock.getsockname()[:2] if self.sock.family == socket.AF_INET6
                else "%s:%d" % self.sock.getsockname()[:2],
                "lns": list(self.lns[:2]), "calls": {str(k): v for k, v in self.calls.items()},
                "sccrp_tids": self.sccrp_tids, "hidden_rx": self.hidden_rx, "hellos": self.hellos,
                "cdn_rx": self.cdn_rx, "stopccn_rx": self.stopccn_rx, "seen": self.seen}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--lns", required=True, help="LNS address (IPv4 or IPv6)")
    p.add_argument("--port", type=int, default=1701)
    p.add_argument("--bind", help="local address (default: any)")
    p.add_argument("--hostname", default="lacpy")
    p.add_argument("--secret", default="")
    p.add_argument("--hide", action="store_true", help="hide AVPs (needs --secret)")
    p.add_argument("--calls", type=int, default=1)
    p.add_argument("--dup-sccrq", action="store_true")
    p.add_argument("--dup-icrq", action="store_true")
    p.add_argument("--reorder", action="store_true")
    p.add_argument("--cisco-extra", type=int, default=0, metavar="N")
    forms = ["rfc", "mikrotik", "apple"]
    p.add_argument("--cdn-result", choices=forms, default="rfc")
    p.add_argument("--cdn-rc", type=int, default=1)
    p.add_argument("--cdn-error", type=int, default=0)
    p.add_argument("--stopccn-result", choices=forms, default="rfc")
    p.add_argument("--stopccn-rc", type=int, default=1)
    p.add_argument("--stopccn-error", type=int, default=0)
    p.add_argument("--hold", type=float, default=0.0, help="seconds to serve the tunnel")
    p.add_argument("--hold-file", help="stop serving once this file exists")
    p.add_argument("--expect-hidden", action="store_true",
                   help="fail unless the SCCRP and ICRP carried hidden AVPs")
    a = p.parse_args()
    if a.hide and not a.secret:
        p.error("--hide needs --secret")
    if a.reorder and a.calls < 2:
        p.error("--reorder needs --calls 2 or more")
    lac = Lac(a)
    try:
        lac.tunnel_up()
        lac.calls_up(a.calls)
        if len(set(lac.sccrp_tids)) != 1:
            raise ProtocolError(f"SCCRPs assigned different tunnel ids {lac.sccrp_tids}")
        if a.expect_hidden and not (lac.hidden_rx.get("SCCRP") and lac.hidden_rx.get("ICRP")):
            raise ProtocolError(f"no hidden AVPs in SCCRP and ICRP: {lac.hidden_rx}")
        print("READY " + json.dumps(lac.summary()), flush=True)
        lac.hold()
        lac.teardown()
    except (ProtocolError, OSError, struct.error) as e:
        print(f"ERROR {e} " + json.dumps(lac.summary()), flush=True)
        return 1
    print("DONE " + json.dumps(lac.summary()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
