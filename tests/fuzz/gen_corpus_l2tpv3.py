#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed corpus for fuzz_l2tpv3: L2TPv3 control and data messages (RFC 3931).

Each seed is one byte for the encapsulation (0 UDP, 1 IP; fuzz_l2tpv3.c) and
the datagram. Signed seeds use FUZZ_MSG_SECRET, FUZZ_V3_NONCE and
FUZZ_V3_PEER_NONCE of fuzz.h.
Run from anywhere: python3 tests/fuzz/gen_corpus_l2tpv3.py
Writes tests/fuzz/corpus/l2tpv3/<name>.bin (existing seeds are replaced).
"""
import hashlib
import hmac
import os
import struct

SECRET = b"fuzz-secret"           # FUZZ_MSG_SECRET
OUR_NONCE = b"fuzz-our-nonce-0"   # FUZZ_V3_NONCE
PEER_NONCE = b"@ABCDEFGHIJKLMNO"   # FUZZ_V3_PEER_NONCE
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "l2tpv3")

(SCCRQ, SCCRP, SCCCN, STOPCCN, HELLO, ICRQ, ICRP, ICCN, CDN, WEN, SLI, ACK) = (
    1, 2, 3, 4, 6, 10, 11, 12, 14, 15, 16, 20)


def avp(t, v, m=True, h=False):
    return struct.pack("!HHH", (0x8000 if m else 0) | (0x4000 if h else 0) | (6 + len(v)), 0, t) + v


def u16(t, v, **kw):
    return avp(t, struct.pack("!H", v), **kw)


def u32(t, v, **kw):
    return avp(t, struct.pack("!I", v), **kw)


def u64(t, v, **kw):
    return avp(t, struct.pack("!Q", v), **kw)


def msg(mtype, avps, ccid=0x1234, ns=0, nr=0, digest=None):
    """digest: None, or 0 (HMAC-MD5) / 1 (HMAC-SHA-1): signed as the peer."""
    dig = b""
    if digest is not None:
        dlen = 16 if digest == 0 else 20
        dig = avp(59, bytes([digest]) + bytes(dlen))
    body = u16(0, mtype) + dig + b"".join(avps)
    m = bytearray(struct.pack("!HHIHH", 0xC803, 12 + len(body), ccid, ns, nr) + body)
    if digest is not None:
        h = hashlib.md5 if digest == 0 else hashlib.sha1
        key = hmac.new(SECRET, b"\x02", hashlib.md5).digest()
        nonces = b"" if mtype == SCCRQ else PEER_NONCE + OUR_NONCE
        off = 12 + 8 + 7
        m[off:off + dlen] = hmac.new(key, nonces + bytes(m), h).digest()
    return bytes(m)


def udp(m):
    return b"\x00" + m


def ip(m):
    return b"\x01" + b"\x00\x00\x00\x00" + m


def sccrx(t):
    return [avp(7, b"lac.example"), u32(60, 0x0a000001), u32(61, 0xfedcba98),
            avp(62, b"\x00\x05\x00\x04"), u16(10, 8), avp(8, b"lnsd"), avp(73, PEER_NONCE)]


def seeds():
    sess = [u32(63, 0x80000001), u32(64, 2)]
    s = {
        "sccrq": udp(msg(SCCRQ, sccrx(SCCRQ), ccid=0)),
        "sccrq_ip": ip(msg(SCCRQ, sccrx(SCCRQ), ccid=0)),
        "sccrq_md5": udp(msg(SCCRQ, sccrx(SCCRQ), ccid=0, digest=0)),
        "sccrp_sha1": ip(msg(SCCRP, sccrx(SCCRP), digest=1, nr=1)),
        "scccn_md5": udp(msg(SCCCN, [], ns=1, nr=1, digest=0)),
        "sccrq_freertr": ip(msg(SCCRQ, [avp(7, b"rtr"), u32(60, 9, m=False), u32(61, 5, m=False),
                                        avp(62, b"\x00\x05", m=False),
                                        avp(11, bytes(range(16)))], ccid=0)),
        "scccn_chal_resp": ip(msg(SCCCN, [avp(13, bytes(range(16)))])),
        "stopccn": udp(msg(STOPCCN, [u32(61, 7), avp(1, b"\x00\x02\x00\x08unknown")])),
        "hello": udp(msg(HELLO, [])),
        "hello_sha1": udp(msg(HELLO, [], ns=3, nr=4, digest=1)),
        "ack": ip(msg(ACK, [])),
        "zlb": udp(struct.pack("!HHIHH", 0xC803, 12, 0x1234, 1, 2)),
        "zlb_ip": ip(struct.pack("!HHIHH", 0xC803, 12, 0x1234, 1, 2)),
        "icrq": udp(msg(ICRQ, [u32(63, 0x80000001), u32(64, 0), u32(15, 1), u16(68, 5),
                               avp(65, bytes(8)), u16(69, 1), u16(70, 2), u16(71, 3),
                               avp(66, b"ac-7")])),
        "icrq_vlan_md5": ip(msg(ICRQ, [u32(63, 3, m=False), u32(64, 0, m=False), u32(15, 2),
                                       u16(68, 4, m=False), avp(65, bytes(4))], digest=0)),
        "icrp": udp(msg(ICRP, [u32(63, 2), u32(64, 0x80000001), avp(65, b""), u16(69, 0)])),
        "iccn": udp(msg(ICCN, sess + [u64(74, 10**11), u64(75, 2**40), u16(70, 0)])),
        "cdn": udp(msg(CDN, [avp(1, b"\x00\x0e")] + sess)),
        "wen": udp(msg(WEN, sess + [avp(34, bytes(26))])),
        "sli": ip(msg(SLI, sess + [u16(71, 1)])),
        "hidden_remote_end": udp(msg(HELLO, [avp(36, bytes(range(16))),
                                             avp(66, bytes(20), h=True)])),
        "bad_cookie": udp(msg(ICRP, [u32(63, 2), u32(64, 3), avp(65, bytes(6))])),
        "zero_ccid": udp(msg(SCCRQ, [avp(7, b"h"), u32(60, 1), u32(61, 0), avp(62, b"\x00\x05")])),
        "unknown_mandatory": udp(msg(HELLO, [avp(67, b"\x00\x01")])),
        "data_udp": udp(struct.pack("!HHI", 0x0003, 0, 0x80000001) + bytes(range(30))),
        "data_ip": ip(b"")[0:1] + struct.pack("!I", 0x80000001) + bytes(8) + b"\x40\x00\x00\x01" +
        bytes(range(40)),
        "data_udp_zero_sid": udp(struct.pack("!HHI", 0x0003, 0, 0)),
        "v2_on_v3": udp(bytes.fromhex("c802000c0001000000000000")),
    }
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
