#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus for fuzz_nd.c into corpus/nd/: Router Solicitations
made with Scapy (python3-scapy), in the harness's format (hop limit, flags,
source and destination, ICMPv6 message). Run: /usr/bin/python3 gen_corpus_nd.py"""
import os
import socket

from scapy.layers.inet6 import IPv6, ICMPv6ND_RA, ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr


def seed(src, dst, icmp, hlim=255, check=1):
    wire = bytes(IPv6(src=src, dst=dst, hlim=hlim) / icmp)[40:]
    return (bytes([hlim, check]) + socket.inet_pton(socket.AF_INET6, src)
            + socket.inet_pton(socket.AF_INET6, dst) + wire)


rs_slla = ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:02")
seeds = {
    "rs": seed("fe80::2", "ff02::2", ICMPv6ND_RS()),
    "rs_slla": seed("fe80::2", "ff02::2", rs_slla),
    "rs_unspec_slla": seed("::", "ff02::2", rs_slla),
    "rs_hop64": seed("fe80::2", "ff02::2", ICMPv6ND_RS(), hlim=64),
    "rs_nocheck": seed("fe80::2", "ff02::2", rs_slla, check=0),
    "ra": seed("fe80::1", "ff02::1", ICMPv6ND_RA()),
    "domain_text": bytes([255, 0]) + bytes(32) + b"isp.example.",
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "nd")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
