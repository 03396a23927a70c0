#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed corpus for fuzz_msg: real-looking L2TPv2 control messages (RFC 2661).

Run from anywhere: python3 tests/fuzz/gen_corpus_msg.py
Writes tests/fuzz/corpus/msg/<name>.bin (existing seeds are replaced).
"""
import hashlib
import os
import struct

SECRET = b"fuzz-secret"          # FUZZ_MSG_SECRET in fuzz.h
RV = bytes.fromhex("8f3a5c0e9b7d2a6f11c4e8d3b5a79062")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "msg")

(SCCRQ, SCCRP, SCCCN, STOPCCN, HELLO, OCRQ, OCRP, OCCN, ICRQ, ICRP, ICCN, CDN, WEN,
 SLI) = (1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16)


def avp(t, value, m=True, h=False, vendor=0, rsvd=0):
    flags = (0x8000 if m else 0) | (0x4000 if h else 0) | rsvd
    return struct.pack("!HHH", flags | (6 + len(value)), vendor, t) + value


def u16(t, v, **kw):
    return avp(t, struct.pack("!H", v), **kw)


def u32(t, v, **kw):
    return avp(t, struct.pack("!I", v), **kw)


def hidden(t, value, host_order=False, pad=b""):
    """RFC 2661 §4.3; host_order hashes the type as xl2tpd does on x86."""
    plain = struct.pack("!H", len(value)) + value + pad
    key = hashlib.md5(struct.pack("<H" if host_order else "!H", t) + SECRET + RV).digest()
    out = b""
    for i in range(0, len(plain), 16):
        blk = bytes(a ^ b for a, b in zip(plain[i:i + 16], key))
        out += blk
        key = hashlib.md5(SECRET + blk).digest()
    return avp(t, out, h=True)


def msg(mtype, avps, tid=0, sid=0, ns=0, nr=0):
    body = u16(0, mtype) + b"".join(avps)
    return struct.pack("!HHHHHH", 0xC802, 12 + len(body), tid, sid, ns, nr) + body


def sccrq_avps(challenge=False):
    a = [avp(2, b"\x01\x00"), avp(7, b"lac.example.net"), u32(3, 3), u32(4, 0, m=False),
         avp(5, bytes(range(8)), m=False), u16(6, 0x0690, m=False),
         avp(8, b"xelerance.com", m=False), u16(9, 0x3c1f), u16(10, 4)]
    if challenge:
        a.append(avp(11, bytes(range(0x40, 0x50))))
    return a


def result(r, e=None, text=b""):
    v = struct.pack("!H", r)
    if e is not None:
        v += e + text
    return avp(1, v)


def seeds():
    chal_resp = hashlib.md5(bytes([SCCRP]) + SECRET + bytes(range(0x40, 0x50))).digest()
    proxy = [avp(26, bytes.fromhex("0104058a0506a1b2c3d4")), avp(27, bytes.fromhex("0305c22305")),
             avp(28, bytes.fromhex("01040578")), u16(29, 2), avp(30, b"alice@isp.example"),
             avp(31, bytes(range(16))), u16(32, 0x17), avp(33, bytes(range(16, 32)))]
    s = {
        "sccrq": msg(SCCRQ, sccrq_avps()),
        "sccrq_challenge": msg(SCCRQ, sccrq_avps(True)),
        "sccrq_hidden": msg(SCCRQ, [avp(36, RV), avp(2, b"\x01\x00"), hidden(7, b"lac.example.net"),
                                    u32(3, 3), hidden(9, struct.pack("!H", 0x3c1f)),
                                    hidden(8, b"a vendor name that spans blocks", pad=b"\0" * 5)]),
        "sccrq_hidden_xl2tpd": msg(SCCRQ, [avp(36, RV)] + sccrq_avps()[:3] +
                                   [hidden(9, struct.pack("!H", 7), host_order=True)]),
        "sccrp": msg(SCCRP, sccrq_avps(True) + [avp(13, chal_resp)], tid=0x3c1f),
        "scccn": msg(SCCCN, [avp(13, chal_resp)], tid=0x1234, ns=1, nr=1),
        "stopccn": msg(STOPCCN, [u16(9, 0x3c1f), result(1, b"\0\0", b"shutdown")], tid=0x1234),
        "stopccn_mikrotik": msg(STOPCCN, [u16(9, 0x3c1f), result(6)], tid=0x1234),
        "stopccn_apple": msg(STOPCCN, [u16(9, 0x3c1f), result(2, b"\x06\x00")], tid=0x1234),
        "hello": msg(HELLO, [], tid=0x1234, ns=5, nr=3),
        "icrq": msg(ICRQ, [u16(14, 0x2001), u32(15, 1), u32(18, 2, m=False),
                           avp(22, b"192.0.2.10", m=False), avp(21, b"", m=False),
                           u32(25, 0, m=False)], tid=0x1234),
        "icrp": msg(ICRP, [u16(14, 0x9abc)], tid=0x3c1f, sid=0x2001),
        "iccn_proxy": msg(ICCN, [u32(24, 100000000), u32(19, 1), u32(38, 100000000, m=False),
                                 avp(39, b"")] + proxy, tid=0x1234, sid=0x9abc),
        "iccn_private_group": msg(ICCN, [u32(24, 64000), u32(19, 2), avp(37, b"corp-vpn")]),
        "cdn": msg(CDN, [result(3, b"\0\0", b"admin"), u16(14, 0x2001),
                         avp(12, b"\x00\x10\x5a" + b"normal")], tid=0x1234, sid=0x9abc),
        "ocrq": msg(OCRQ, [u16(14, 5), u32(15, 9), u32(16, 9600), u32(17, 64000), u32(18, 1),
                           u32(19, 1), avp(21, b"5551234"), avp(23, b"7", m=False)]),
        "ocrp": msg(OCRP, [u16(14, 5), u32(25, 4, m=False)]),
        "occn": msg(OCCN, [u32(24, 64000), u32(19, 1)]),
        "wen": msg(WEN, [avp(34, b"\0\0" + struct.pack("!6I", 1, 2, 3, 4, 5, 6))]),
        "sli": msg(SLI, [avp(35, b"\0\0" + struct.pack("!2I", 0xffffffff, 0))]),
        "zlb": struct.pack("!HHHHHH", 0xC802, 12, 0x1234, 0, 4, 7),
        "vendor_avp": msg(HELLO, [avp(1, b"\x01\x02", m=False, vendor=9)]),
        "vendor_avp_mandatory": msg(ICRQ, [avp(1, b"\x01\x02", vendor=311), u16(14, 3)]),
        "reserved_bits": msg(HELLO, [avp(6, b"\0\1", rsvd=0x0800)]),
        "unknown_type": msg(200, [u16(9, 1)]),
        "data_offset": bytes.fromhex("4a02001200010002000300040002aabbff03c021"),
        "data_plain": bytes.fromhex("00020001000200ff03c021"),
    }
    base = s["sccrq_challenge"]
    for cut in (1, 6, 11, 13, 19, 25, len(base) - 3):
        s["truncated_%d" % cut] = base[:cut]
    for cut in (15, 23, 40):   # Length agrees: the AVP walker meets the cut
        s["avp_cut_%d" % cut] = base[:2] + struct.pack("!H", cut) + base[4:cut]
    s["length_too_long"] = base[:2] + struct.pack("!H", len(base) + 10) + base[4:]
    s["trailing_padding"] = base + b"\0" * 9
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".bin"):
            os.remove(os.path.join(OUT, f))
    for name, data in sorted(seeds().items()):
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds()), OUT))


if __name__ == "__main__":
    main()
