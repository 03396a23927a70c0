#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed corpus for fuzz_ppp.c: scripts of what a pppd client sends (see the
input format at the top of fuzz_ppp.c). Writes corpus/ppp/*.bin."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "ppp")

LCP, PAP, CHAP, IPCP, CCP, IPV6CP = 0xC021, 0xC023, 0xC223, 0x8021, 0x80FD, 0x8057


def pkt(proto, code, ident, data=b""):
    return struct.pack(">HBBH", proto, code, ident, len(data) + 4) + data


def frame(p, unit=False, ok=True):
    op = (1 if unit else 0) | (4 if ok else 0)
    return bytes([op, len(p)]) + p


def tick(quarters):
    return bytes([2 | 4, quarters])


def magic_of_harness():
    # rand_counter: bytes 37, 74, 111, 148 read as a little-endian uint32 (x86)
    b = bytes((i * 37) & 0xFF for i in range(1, 5))
    return struct.unpack("<I", b)[0]


def lns_lcp_cr(auth):
    return (struct.pack(">BBH", 1, 4, 1400) + auth
            + struct.pack(">BBI", 5, 6, magic_of_harness()))


def harness_rand(first, n):
    # rand_counter's bytes number first..first+n-1 (1-based), each (i * 37) & 0xff
    return bytes((i * 37) & 0xFF for i in range(first, first + n))


def mschap_resp(ident, ok):
    # RFC 2759 §4: Value-Size 49, peer challenge, 8 zero, NT-Response, flags, name
    value = bytes(range(16)) + bytes(8) + bytes(range(100, 124)) + b"\x00"
    return frame(pkt(CHAP, 2, ident, b"\x31" + value + b"CORP\\User"), ok=ok)


def mschap_session(verdicts, ipv6):
    """MS-CHAPv2 first (config bit 3), a retry per refused verdict; IPV6CP when ipv6.

    Random bytes: 1-4 the LCP magic, 5-21 the challenge and its id (byte 21),
    then 16 per retry challenge, then 8 for our IPV6CP identifier."""
    s = bytes([8 | (16 if ipv6 else 0)])
    s += frame(pkt(LCP, 1, 1, bytes.fromhex("05062a2b2c2d")))
    s += frame(pkt(LCP, 2, 1, lns_lcp_cr(bytes.fromhex("0305c22381"))))
    ident = harness_rand(21, 1)[0]
    used = 21
    for ok in verdicts:
        s += mschap_resp(ident, ok)
        if not ok:
            used += 16
            ident = (ident + 1) & 0xFF
    if not verdicts[-1]:
        return s + tick(20) * 4
    s += frame(pkt(IPCP, 1, 1, bytes.fromhex("030600000000")), unit=True)
    s += frame(pkt(IPCP, 1, 2, bytes.fromhex("03060a000064")), unit=True)
    s += frame(pkt(IPCP, 2, 1, bytes.fromhex("03060a000001")), unit=True)
    s += frame(pkt(IPV6CP, 1, 1, bytes.fromhex("010a0000000000000000")), unit=True)
    s += frame(pkt(IPV6CP, 1, 2, bytes.fromhex("010a021122fffe334455" "02040057")), unit=True)
    s += frame(pkt(IPV6CP, 1, 3, bytes.fromhex("010a021122fffe334455")), unit=True)
    s += frame(pkt(IPV6CP, 2, 1, b"\x01\x0a" + harness_rand(used + 1, 8)), unit=True)
    s += frame(pkt(LCP, 8, 4, struct.pack(">H", IPV6CP) + pkt(IPV6CP, 1, 1)[2:]))
    s += frame(pkt(LCP, 5, 3, b"bye")) + tick(20)
    return s


def pap_session(final):
    s = bytes([1])  # PAP only
    s += frame(pkt(LCP, 1, 1, bytes.fromhex("020600000000") + bytes.fromhex("05062a2b2c2d") + b"\x07\x02\x08\x02"))
    s += frame(pkt(LCP, 1, 2, bytes.fromhex("05062a2b2c2d")))
    s += frame(pkt(LCP, 2, 1, lns_lcp_cr(bytes.fromhex("0304c023"))))
    s += frame(pkt(PAP, 1, 1, b"\x05alice\x06secret"))
    s += frame(pkt(IPCP, 1, 1, bytes.fromhex("0206002d0f01" "030600000000" "810600000000" "830600000000")), unit=True)
    s += frame(pkt(IPCP, 1, 2, bytes.fromhex("030600000000" "810600000000")), unit=True)
    s += frame(pkt(IPCP, 1, 3, bytes.fromhex("03060a000064" "810608080808")), unit=True)
    s += frame(pkt(IPCP, 2, 1, bytes.fromhex("03060a000001")), unit=True)
    s += frame(pkt(CCP, 1, 1, bytes.fromhex("120600000001")), unit=True)
    s += frame(pkt(IPV6CP, 1, 1, bytes.fromhex("010a0102030405060708")), unit=True)
    s += frame(pkt(LCP, 9, 7, bytes.fromhex("2a2b2c2d")))
    s += final
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        "pap_terminate.bin": pap_session(frame(pkt(LCP, 5, 3, b"bye")) + tick(20)),
        "pap_echo_timeout.bin": pap_session(tick(40) * 8),
        "pap_admin_close.bin": pap_session(bytes([3, 0]) + tick(20)),
        "pap_lower_down.bin": pap_session(bytes([3, 1])),
        "chap_start.bin": bytes([4]) + frame(pkt(LCP, 1, 1, bytes.fromhex("05062a2b2c2d")))
        + frame(pkt(LCP, 2, 1, lns_lcp_cr(bytes.fromhex("0305c22305"))))
        + frame(pkt(CHAP, 2, 0, b"\x10" + bytes(16) + b"alice"), ok=False) + tick(20),
        "noauth_silence.bin": bytes([2]) + tick(12) * 12,
        "lcp_reject_auth.bin": bytes([0]) + frame(pkt(LCP, 4, 1, bytes.fromhex("0305c22305")))
        + frame(pkt(LCP, 6, 2)),
        "mschap_success_ipv6.bin": mschap_session([True], True),
        "mschap_retry_ipv6.bin": mschap_session([False, True], True),
        "mschap_retries_exhausted.bin": mschap_session([False, False, False], False),
        "ipv6cp_disabled.bin": mschap_session([True], False),
        "code_reject.bin": bytes([0]) + frame(pkt(LCP, 7, 9, bytes.fromhex("01010004")))
        + frame(pkt(LCP, 0x20, 1, b"x")),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
