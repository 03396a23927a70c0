#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus for fuzz_radius_ipv6.c into corpus/radius_ipv6/:
Access-Accept attribute areas with the IPv6 attributes (RFC 3162, 4818,
6911), laid out by hand. Run from anywhere."""
import os
import socket


def a(t, v):
    return bytes([t, 2 + len(v)]) + v


def pfx(text, plen, short=False):
    b = socket.inet_pton(socket.AF_INET6, text)
    return bytes([0, plen]) + (b[:(plen + 7) // 8] if short else b)


seeds = {
    "accept_all": b"".join([
        a(97, pfx("2001:db8:100:7::", 64)), a(123, pfx("2001:db8:4200:100::", 56, True)),
        a(96, bytes.fromhex("021122fffe334455")), a(99, b"2001:db8:9::/48 :: 1"),
        a(169, socket.inet_pton(socket.AF_INET6, "2001:db8::53"))]),
    "bad_values": b"".join([a(97, b"\x00\x81"), a(123, b"\x00\x40\x20"), a(96, b"\x01"),
                            a(99, b"2001:db8::/129"), a(169, b"\x20\x01")]),
    "route_text": b"2001:db8:1:ff::/48 2001:db8::1 7",
    "prefix_value": pfx("2001:db8::", 32, True),
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "radius_ipv6")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
