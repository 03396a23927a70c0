#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus for fuzz_radius_dae.c into corpus/radius_dae/:
Disconnect-Requests and CoA-Requests signed with the harness's secret, and
broken ones. The harness re-signs every input, so the signatures here only
matter for its first, as-is pass. Run from anywhere."""
import hashlib
import hmac
import os
import struct

SECRET = b"fuzz-secret"


def attr(t, v):
    return bytes([t, len(v) + 2]) + v


def u32(t, v):
    return attr(t, struct.pack(">I", v))


def packet(code, ident, attrs, msg_auth=False):
    body = b"".join(attrs)
    if msg_auth:
        body += bytes([80, 18]) + bytes(16)
    length = 20 + len(body)
    p = bytearray(struct.pack(">BBH", code, ident, length) + bytes(16) + body)
    if msg_auth:
        mac = hmac.new(SECRET, bytes(p), hashlib.md5).digest()
        p[length - 16:] = mac
    p[4:20] = hashlib.md5(bytes(p) + SECRET).digest()
    return bytes(p)


ASID = attr(44, b"lnsd-0000002a")
seeds = {
    "disconnect_asid": packet(40, 1, [ASID]),
    "disconnect_user_ip": packet(40, 2, [attr(1, b"alice"), u32(8, 0x0a000005)]),
    "disconnect_nas": packet(40, 3, [u32(5, 7), attr(32, b"lns"), u32(4, 0x7f000001)]),
    "disconnect_msg_auth": packet(40, 4, [ASID, u32(55, 1700000000)], msg_auth=True),
    "coa_timeouts": packet(43, 5, [ASID, u32(27, 600), u32(28, 60),
                                   attr(33, b"proxy")], msg_auth=True),
    "coa_authorize_only": packet(43, 6, [ASID, u32(6, 17), attr(24, b"st")]),
    "coa_vsa": packet(43, 7, [ASID, attr(26, b"\x00\x00\x01\x37\x01\x03x")]),
    "no_session_id": packet(40, 8, [attr(31, b"")]),
    "stale": packet(40, 0x88, [ASID, u32(55, 1)]),
}
seeds["truncated"] = seeds["coa_timeouts"][:30]
seeds["bad_attr_len"] = seeds["disconnect_asid"][:21] + b"\x01" + seeds["disconnect_asid"][22:]
seeds["padding"] = seeds["disconnect_asid"] + bytes(7)
seeds["access_request"] = packet(1, 9, [attr(1, b"bob")])

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "radius_dae")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
