#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus for fuzz_dhcp6.c into corpus/dhcp6/: client message
scripts made with Scapy (python3-scapy), in the harness's format (flags, then
2-byte length and message, repeated). Run: /usr/bin/python3 gen_corpus_dhcp6.py"""
import os
import struct

from scapy.layers.dhcp6 import (DHCP6_InfoRequest, DHCP6_Rebind, DHCP6_Release,
                                DHCP6_Renew, DHCP6_Request, DHCP6_Solicit,
                                DHCP6OptClientId, DHCP6OptElapsedTime, DHCP6OptIA_NA,
                                DHCP6OptIA_PD, DHCP6OptIAPrefix, DHCP6OptOptReq,
                                DHCP6OptRapidCommit, DHCP6OptServerId, DUID_LL, DUID_LLT)

# The harness's server DUID: DUID-LLT of 02:00:5e:00:53:01 at Unix time 1700000000.
sid = DHCP6OptServerId(duid=DUID_LLT(lladdr="02:00:5e:00:53:01", timeval=1700000000 - 946684800))
cid = DHCP6OptClientId(duid=DUID_LL(lladdr="02:00:00:00:00:01"))
oro = DHCP6OptOptReq(reqopts=[23, 24])
pd = DHCP6OptIA_PD(iaid=1, iapdopt=[DHCP6OptIAPrefix(plen=56, prefix="::")])
el = DHCP6OptElapsedTime()


def script(flags, *msgs):
    return bytes([flags]) + b"".join(struct.pack("!H", len(bytes(m))) + bytes(m) for m in msgs)


solicit = DHCP6_Solicit(trid=1) / cid / el / oro / pd
request = DHCP6_Request(trid=2) / cid / sid / oro / pd
seeds = {
    "conversation": script(1, solicit, request, DHCP6_Renew(trid=3) / cid / sid / pd,
                           DHCP6_Rebind(trid=4) / cid / pd, DHCP6_Release(trid=5) / cid / sid / pd),
    "rapid_commit": script(1, DHCP6_Solicit(trid=6) / cid / DHCP6OptRapidCommit() / pd),
    "no_prefix": script(0, solicit, request),
    "ia_na": script(1, DHCP6_Solicit(trid=7) / cid / DHCP6OptIA_NA(iaid=3) / pd),
    "info_request": script(1, DHCP6_InfoRequest(trid=8) / cid / oro),
    "other_server": script(1, DHCP6_Request(trid=9) / cid / DHCP6OptServerId(
        duid=DUID_LL(lladdr="02:00:5e:00:53:99")) / pd),
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "dhcp6")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
