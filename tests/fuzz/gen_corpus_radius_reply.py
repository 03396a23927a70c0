#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus for fuzz_radius_reply.c into corpus/radius_reply/:
a flags byte (bit 0: answers an Accounting-Request, bit 1: a
Message-Authenticator is required), then a reply signed for the harness's
request (Identifier 0x42, Request Authenticator 16 x 0x5a, secret
"fuzz-secret"): Access-Accept/Reject/Challenge like FreeRADIUS's, with and
without Message-Authenticator, an Accounting-Response, and broken ones.
Run from anywhere."""
import hashlib
import hmac
import os
import socket
import struct

SECRET = b"fuzz-secret"
REQ_AUTH = b"\x5a" * 16
ACCESS, ACCT, REQUIRE = 0, 1, 2


def attr(t, v):
    return bytes([t, len(v) + 2]) + v


def ms(t, v):
    return attr(26, struct.pack(">I", 311) + bytes([t, len(v) + 2]) + v)


def reply(code, attrs, ma=True, secret=SECRET):
    """RFC 2865 §3 Response Authenticator, RFC 3579 §3.2 Message-Authenticator (first)."""
    if ma:
        attrs = attr(80, b"\0" * 16) + attrs
    p = bytearray(struct.pack(">BBH", code, 0x42, 20 + len(attrs)) + REQ_AUTH + attrs)
    if ma:
        p[22:38] = hmac.new(secret, bytes(p), hashlib.md5).digest()
    p[4:20] = hashlib.md5(bytes(p) + secret).digest()
    return bytes(p)


ip = socket.inet_aton
accept = b"".join([
    attr(8, ip("10.64.0.99")), attr(25, b"cls-bob"), attr(85, struct.pack(">I", 5)),
    attr(22, b"192.168.77.0/24 0.0.0.0 1"), attr(27, struct.pack(">I", 3600)),
    ms(26, b"\x01S=0123456789ABCDEF0123456789ABCDEF01234567"),
    ms(28, ip("192.0.2.53")), ms(29, ip("192.0.2.54")), attr(18, b"welcome")])
seeds = {
    "accept_ma": bytes([ACCESS | REQUIRE]) + reply(2, accept),
    "accept_no_ma": bytes([ACCESS]) + reply(2, accept, ma=False),
    "accept_no_ma_required": bytes([ACCESS | REQUIRE]) + reply(2, accept, ma=False),
    "reject_ms": bytes([ACCESS | REQUIRE]) + reply(3, ms(2, b"\x01E=691 R=0 C=00 V=3")
                                                   + attr(18, b"go away")),
    "challenge": bytes([ACCESS]) + reply(11, attr(24, b"state") + attr(18, b"more?")),
    "acct_response": bytes([ACCT]) + reply(5, b"", ma=False),
    "wrong_secret": bytes([ACCESS | REQUIRE]) + reply(2, accept, secret=b"other"),
    "two_vsas_in_one": bytes([ACCESS]) + reply(2, attr(26, struct.pack(">I", 311)
                                                      + bytes([28, 6]) + ip("192.0.2.1")
                                                      + bytes([29, 6]) + ip("192.0.2.2"))),
    "bad_sizes": bytes([ACCESS]) + reply(2, attr(8, b"\x0a\x40") + attr(27, b"\0" * 8)
                                         + attr(95, b"\0" * 15) + attr(80, b"\0" * 4)),
    "truncated": bytes([ACCESS]) + reply(2, accept)[:40],
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "radius_reply")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
