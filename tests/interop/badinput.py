#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile and malformed L2TPv2 control messages for the interop tests.

Run inside a test namespace; sends only to the LNS address given. Two modes:

  probe --lns ADDR          malformed messages from an unrelated host (normal UDP
                            sockets, so replies can be read), an unknown M-bit
                            AVP in SCCRQ, a message for an unknown tunnel, and a
                            bounded SCCRQ flood from distinct source ports.
  spoof --lns ADDR --src ADDR --tid N --sid N
                            messages forged with an established peer's address
                            and port (raw IP via scapy): Ns far outside the
                            window and a data packet the kernel would own.

Prints one line per case and a JSON summary on the last line; exits 1 when a
case with a defined answer got a different one.
"""

import argparse
import json
import random
import socket
import struct
import sys
import time

L2TP_PORT = 1701

# RFC 2661 §4.4 attribute types used here.
AVP_MSG_TYPE, AVP_RESULT, AVP_PROTO_VER, AVP_FRAMING = 0, 1, 2, 3
AVP_HOST_NAME, AVP_ASSIGNED_TID, AVP_RANDOM_VECTOR = 7, 9, 36
# Message types (§3.2).
SCCRQ, SCCRP, STOPCCN, HELLO = 1, 2, 4, 6
MSG_NAMES = {1: "SCCRQ", 2: "SCCRP", 3: "SCCCN", 4: "StopCCN", 6: "HELLO",
             10: "ICRQ", 11: "ICRP", 12: "ICCN", 14: "CDN"}

T_BIT, L_BIT, S_BIT, VERSION2 = 0x8000, 0x4000, 0x0800, 0x0002
M_BIT, H_BIT = 0x8000, 0x4000


def avp(attr, value, mandatory=True, hidden=False, vendor=0, length=None):
    """One AVP; length overrides the real length to forge a bad one."""
    n = 6 + len(value) if length is None else length
    flags = (M_BIT if mandatory else 0) | (H_BIT if hidden else 0)
    return struct.pack("!HHH", flags | (n & 0x3FF), vendor, attr) + value


def u16(v):
    return struct.pack("!H", v)


def u32(v):
    return struct.pack("!I", v)


def control(tid, sid, ns, nr, body, length=None):
    """Control message header with T, L and S bits; length overrides the L field."""
    n = 12 + len(body) if length is None else length
    return struct.pack("!HHHHHH", T_BIT | L_BIT | S_BIT | VERSION2, n, tid, sid, ns, nr) + body


def sccrq_avps(assigned_tid, extra=b"", hostname=b"badinput"):
    return (avp(AVP_MSG_TYPE, u16(SCCRQ)) + avp(AVP_PROTO_VER, u16(0x0100))
            + avp(AVP_FRAMING, u32(3)) + avp(AVP_HOST_NAME, hostname)
            + avp(AVP_ASSIGNED_TID, u16(assigned_tid)) + extra)


def parse(pkt):
    """Decode just enough of a reply: header ids/Ns/Nr and the AVPs we care about."""
    out = {"len": len(pkt)}
    if len(pkt) < 12:
        return out
    flags, _length, tid, sid, ns, nr = struct.unpack("!HHHHHH", pkt[:12])
    out.update(tid=tid, sid=sid, ns=ns, nr=nr, control=bool(flags & T_BIT))
    off = 12
    while off + 6 <= len(pkt):
        aflags, vendor, attr = struct.unpack("!HHH", pkt[off:off + 6])
        alen = aflags & 0x3FF
        if alen < 6 or off + alen > len(pkt):
            out["bad_avp"] = True
            break
        val = pkt[off + 6:off + alen]
        if vendor == 0 and attr == AVP_MSG_TYPE and len(val) >= 2:
            out["type"] = struct.unpack("!H", val[:2])[0]
            out["name"] = MSG_NAMES.get(out["type"], str(out["type"]))
        elif vendor == 0 and attr == AVP_RESULT and len(val) >= 2:
            out["result"] = struct.unpack("!H", val[:2])[0]
            if len(val) >= 4:
                out["error"] = struct.unpack("!H", val[2:4])[0]
        elif vendor == 0 and attr == AVP_ASSIGNED_TID and len(val) >= 2:
            out["assigned_tid"] = struct.unpack("!H", val[:2])[0]
        off += alen
    if off == 12 and out.get("control"):
        out["name"] = "ZLB"
    return out


class Prober:
    def __init__(self, lns):
        self.lns = (lns, L2TP_PORT)
        self.results = []
        self.failed = False

    def exchange(self, payload, wait=1.0):
        """Send from a fresh socket; return the parsed replies that came within wait."""
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 0))
        s.settimeout(0.2)
        s.sendto(payload, self.lns)
        replies = []
        end = time.monotonic() + wait
        while time.monotonic() < end:
            try:
                data, _ = s.recvfrom(4096)
            except socket.timeout:
                continue
            except ConnectionRefusedError:
                replies.append({"icmp": "port unreachable"})
                break
            rep = parse(data)
            replies.append(rep)
            # Acknowledge a StopCCN so the LNS need not retransmit it (RFC 2661 §5.7).
            if rep.get("name") == "StopCCN" and "assigned_tid" in rep:
                s.sendto(control(rep["assigned_tid"], 0, 1, (rep["ns"] + 1) & 0xFFFF, b""), self.lns)
        s.close()
        return replies

    def case(self, name, payload, expect=None, wait=1.0):
        replies = self.exchange(payload, wait)
        ok = True
        if expect is not None:
            ok = any(expect(r) for r in replies)
            self.failed |= not ok
        self.results.append({"case": name, "replies": replies, "ok": ok})
        shown = ", ".join(r.get("name", "?") + ("(result %s error %s)" % (r.get("result"), r.get("error"))
                                                 if "result" in r else "") for r in replies) or "no reply"
        print("%-4s %-40s %s" % ("ok" if ok else "FAIL", name, shown), flush=True)


def run_probe(args):
    p = Prober(args.lns)
    rnd = random.Random(args.seed)
    tid = lambda: rnd.randint(1, 0xFFFF)  # noqa: E731
    # Truncated headers: shorter than the fixed part that the flags announce.
    p.case("truncated header (1 byte)", b"\xc8")
    p.case("truncated header (6 bytes)", struct.pack("!HHH", 0xC802, 12, 0))
    p.case("truncated header (11 bytes)", control(0, 0, 0, 0, b"")[:11])
    # AVP lengths.
    p.case("AVP length beyond the packet",
           control(0, 0, 0, 0, avp(AVP_MSG_TYPE, u16(SCCRQ), length=200)))
    p.case("AVP length below 6",
           control(0, 0, 0, 0, avp(AVP_MSG_TYPE, u16(SCCRQ)) + avp(AVP_HOST_NAME, b"x", length=4)
                   + avp(AVP_ASSIGNED_TID, u16(tid()))))
    p.case("AVP length 0",
           control(0, 0, 0, 0, avp(AVP_MSG_TYPE, u16(SCCRQ)) + b"\x80\x00\x00\x00\x00\x07"))
    # Hidden Host Name with no Random Vector in the message (§4.3 needs one first).
    p.case("hidden AVP without Random Vector",
           control(0, 0, 0, 0, avp(AVP_MSG_TYPE, u16(SCCRQ)) + avp(AVP_PROTO_VER, u16(0x0100))
                   + avp(AVP_FRAMING, u32(3)) + avp(AVP_HOST_NAME, b"\x00\x08hidden-x", hidden=True)
                   + avp(AVP_ASSIGNED_TID, u16(tid()))))
    # L bit length field disagreeing with the datagram.
    p.case("length field > datagram", control(0, 0, 0, 0, sccrq_avps(tid()), length=400))
    p.case("length field < header", control(0, 0, 0, 0, sccrq_avps(tid()), length=8))
    p.case("length field < datagram", control(0, 0, 0, 0, sccrq_avps(tid()), length=30))
    # A message type AVP that is not first, and a bad version.
    p.case("version 3 header on SCCRQ",
           struct.pack("!HHHHHH", T_BIT | L_BIT | S_BIT | 3, 12 + len(sccrq_avps(1)), 0, 0, 0, 0) + sccrq_avps(tid()))
    p.case("control message without AVPs to tunnel 0 (ZLB)", control(0, 0, 0, 0, b""))
    # Unknown mandatory AVP in SCCRQ: StopCCN, result 2 (general error), error 8
    # (unknown mandatory AVP), RFC 2661 §4.1 and §4.4.2.
    exp = None
    if args.expect_mbit_stopccn:
        exp = lambda r: r.get("name") == "StopCCN" and r.get("result") == 2 and r.get("error") == 8  # noqa: E731
    p.case("unknown M-bit AVP in SCCRQ",
           control(0, 0, 0, 0, sccrq_avps(tid(), extra=avp(250, b"\x01\x02\x03\x04"))), expect=exp, wait=3.0)
    p.case("unknown M-bit vendor AVP in SCCRQ",
           control(0, 0, 0, 0, sccrq_avps(tid(), extra=avp(7, b"\x01\x02", vendor=9999))))
    # A HELLO for a tunnel that does not exist.
    p.case("HELLO for unknown tunnel 4242",
           control(4242, 0, 0, 0, avp(AVP_MSG_TYPE, u16(HELLO))))
    p.case("data packet for unknown tunnel", struct.pack("!HHH", VERSION2, 4242, 1) + b"\xff\x03\xc0\x21")
    p.case("data packet (L bit) with length > datagram", struct.pack("!HHHH", L_BIT | VERSION2, 300, 4242, 1))
    p.case("random garbage", bytes(rnd.getrandbits(8) for _ in range(64)))

    # SCCRQ flood: distinct source ports (a fresh socket each), distinct
    # assigned tunnel ids, bounded count; replies are not waited for.
    t0 = time.monotonic()
    sent = 0
    for i in range(args.flood):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 0))
        s.sendto(control(0, 0, 0, 0, sccrq_avps(1 + i % 0xFFFE, hostname=b"flood%d" % i)), p.lns)
        s.close()
        sent += 1
    print("ok   SCCRQ flood: %d SCCRQs from %d source ports in %.2f s" % (sent, sent, time.monotonic() - t0), flush=True)
    print(json.dumps({"mode": "probe", "failed": p.failed, "results": p.results, "flood": sent}))
    return 1 if p.failed else 0


def run_spoof(args):
    """Forge messages with the established peer's address: the tunnel must survive."""
    from scapy.all import IP, UDP, Raw, conf, send  # noqa: E402 (only this mode needs scapy)
    conf.verb = 0

    def fire(name, payload):
        send(IP(src=args.src, dst=args.lns) / UDP(sport=L2TP_PORT, dport=L2TP_PORT) / Raw(payload))
        print("sent %s" % name, flush=True)

    # Ns far outside any window: 2^15 ahead and just behind (a stale duplicate far back).
    fire("HELLO with Ns 32000 ahead", control(args.tid, 0, (args.ns + 32000) & 0xFFFF, 0, avp(AVP_MSG_TYPE, u16(HELLO))))
    fire("HELLO with Ns 40000 ahead", control(args.tid, 0, (args.ns + 40000) & 0xFFFF, 0, avp(AVP_MSG_TYPE, u16(HELLO))))
    # Data for the established session: the kernel would take it; in userspace it is dropped and counted.
    for _ in range(3):
        fire("data packet for the session", struct.pack("!HHH", VERSION2, args.tid, args.sid) + b"\xff\x03\xc0\x21\x01\x01\x00\x04")
    # Malformed control message to the tunnel from its own peer address.
    fire("truncated control header for the tunnel", control(args.tid, 0, args.ns, 0, b"")[:9])
    fire("AVP length beyond the packet for the tunnel",
         control(args.tid, 0, (args.ns + 20000) & 0xFFFF, 0, avp(AVP_MSG_TYPE, u16(HELLO), length=300)))
    print(json.dumps({"mode": "spoof", "failed": False}))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    pr = sub.add_parser("probe")
    pr.add_argument("--lns", required=True)
    pr.add_argument("--flood", type=int, default=2000)
    pr.add_argument("--seed", type=int, default=1701)
    pr.add_argument("--expect-mbit-stopccn", action="store_true")
    sp = sub.add_parser("spoof")
    sp.add_argument("--lns", required=True)
    sp.add_argument("--src", required=True)
    sp.add_argument("--tid", type=int, required=True)
    sp.add_argument("--sid", type=int, required=True)
    sp.add_argument("--ns", type=int, default=0)
    args = ap.parse_args()
    if not args.lns.startswith(("127.", "192.0.2.", "198.51.100.")):
        sys.exit("badinput: refusing to send to %s: loopback and test-net addresses only" % args.lns)
    sys.exit(run_probe(args) if args.mode == "probe" else run_spoof(args))


if __name__ == "__main__":
    main()
