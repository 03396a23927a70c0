#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus for fuzz_radius_attr.c into corpus/radius_attr/:
Access-Accept and Access-Reject attribute lists in the harness's format
(flags, type, length, value; flags bit 0 Microsoft, bits 2-3 the kind:
0 integer, 1 IPv4, 2 IPv6, 3 string). Run from anywhere."""
import os
import socket
import struct

INT, IPV4, IPV6, STR = range(4)


def av(t, kind, v, ms=False):
    return bytes([(kind << 2) | (1 if ms else 0), t, len(v)]) + v


def num(t, n, kind=INT, ms=False):
    # The harness reads 4 bytes in host order (the value rad_add_int() takes).
    return av(t, kind, struct.pack("=I", n), ms)


def ip(t, a, ms=False):
    return num(t, struct.unpack(">I", socket.inet_aton(a))[0], IPV4, ms)


def s(t, text, ms=False):
    return av(t, STR, text if isinstance(text, bytes) else text.encode(), ms)


success = s(26, b"\x01S=" + b"0123456789ABCDEF0123456789abcdef01234567", ms=True)
seeds = {
    "accept_full": b"".join([
        ip(8, "10.10.0.5"), s(22, "192.0.2.0/24 0.0.0.0 1"), s(22, "198.51.100.1"),
        num(27, 3600), num(28, 600), num(85, 300), s(25, b"\x00class\xffbytes"),
        ip(28, "192.0.2.53", ms=True), ip(29, "192.0.2.54", ms=True), success,
        s(18, "welcome\n"), s(88, "pool-a")]),
    "reject_ms": s(2, "\x01E=691 R=0 C=00112233445566778899aabbccddeeff V=3 M=bad", ms=True)
    + s(18, "Access denied"),
    "routes_many": b"".join(s(22, f"10.{i}.0.1/{8 + i} 0.0.0.0 1") for i in range(10)),
    "routes_bad": s(22, "10.0.0.0/33") + s(22, "/24") + s(22, "10.0.0.0/") + s(22, "x y"),
    "success_short": s(26, b"\x01S=0123", ms=True),
    "class_max": s(25, bytes(range(253))),
    "route_text": b"203.0.113.7/30 0.0.0.0 5",
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "radius_attr")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
