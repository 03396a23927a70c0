#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Known-answer vectors for lib/ipv6 (router advertisements, DHCPv6) and the
RADIUS IPv6 attributes, independent of lnsd: every packet is built here with
Scapy (Debian python3-scapy), the RADIUS values by hand from RFC 3162 §2.3.
Writes tests/unit/data/ipv6_vectors.h, which tests/unit/test_ipv6.c includes.
Run: /usr/bin/python3 tests/unit/data/gen_ipv6_vectors.py   (needs python3-scapy)
"""
import os
import socket

from scapy.layers.inet6 import (IPv6, ICMPv6ND_RA, ICMPv6ND_RS, ICMPv6NDOptDNSSL,
                                ICMPv6NDOptMTU, ICMPv6NDOptPrefixInfo, ICMPv6NDOptRDNSS,
                                ICMPv6NDOptSrcLLAddr)
from scapy.layers.dhcp6 import (DHCP6_Advertise, DHCP6_InfoRequest, DHCP6_Rebind,
                                DHCP6_Release, DHCP6_Renew, DHCP6_Reply, DHCP6_Request,
                                DHCP6_Solicit, DHCP6OptClientId, DHCP6OptDNSDomains,
                                DHCP6OptDNSServers, DHCP6OptElapsedTime, DHCP6OptIA_NA,
                                DHCP6OptIA_PD, DHCP6OptIAPrefix, DHCP6OptOptReq,
                                DHCP6OptRapidCommit, DHCP6OptServerId, DHCP6OptStatusCode,
                                DUID_LL, DUID_LLT)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ipv6_vectors.h")

# --- router advertisement / solicitation (RFC 4861, RFC 8106) -------------
LL_LNS, LL_CLIENT = "fe80::1", "fe80::2"
ra = (ICMPv6ND_RA(chlim=64, M=1, O=1, H=0, prf=0, routerlifetime=1800,
                  reachabletime=0, retranstimer=0)
      / ICMPv6NDOptPrefixInfo(prefixlen=64, L=1, A=1, R=0, validlifetime=86400,
                              preferredlifetime=14400, prefix="2001:db8:100:7::")
      / ICMPv6NDOptMTU(mtu=1460)
      / ICMPv6NDOptRDNSS(lifetime=1200, dns=["2001:db8::53", "2001:db8::54"])
      / ICMPv6NDOptDNSSL(lifetime=1200, searchlist=["example.net.", "isp.example."]))
ra_wire = bytes(IPv6(src=LL_LNS, dst="ff02::1", hlim=255) / ra)[40:]

rs = bytes(IPv6(src=LL_CLIENT, dst="ff02::2", hlim=255) / ICMPv6ND_RS())[40:]
rs_slla = bytes(IPv6(src=LL_CLIENT, dst="ff02::2", hlim=255) / ICMPv6ND_RS()
                / ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:02"))[40:]
rs_unspec_slla = bytes(IPv6(src="::", dst="ff02::2", hlim=255) / ICMPv6ND_RS()
                       / ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:02"))[40:]

# --- DHCPv6 (RFC 8415) ----------------------------------------------------
SERVER_MAC, CLIENT_MAC, UNIX_T = "02:00:5e:00:53:01", "02:00:00:00:00:01", 1700000000
sduid = DUID_LLT(lladdr=SERVER_MAC, timeval=UNIX_T - 946684800)
sduid_ll = DUID_LL(lladdr=SERVER_MAC)
cduid = DUID_LL(lladdr=CLIENT_MAC)
XID, IAID = 0x5a1e77, 0x0000abcd
PD = "2001:db8:4200:100::"
DNS = ["2001:db8::53", "2001:db8::54"]
DOMAINS = ["example.net."]
oro = DHCP6OptOptReq(reqopts=[23, 24])


def ia_pd(t1=0, t2=0, opts=None):
    return DHCP6OptIA_PD(iaid=IAID, T1=t1, T2=t2, iapdopt=opts or [])


hint = ia_pd(opts=[DHCP6OptIAPrefix(preflft=0, validlft=0, plen=56, prefix="::")])
given = ia_pd(1800, 2880, [DHCP6OptIAPrefix(preflft=3600, validlft=7200, plen=56, prefix=PD)])
dns = DHCP6OptDNSServers(dnsservers=DNS) / DHCP6OptDNSDomains(dnsdomains=DOMAINS)
sid, cid = DHCP6OptServerId(duid=sduid), DHCP6OptClientId(duid=cduid)
el = DHCP6OptElapsedTime(elapsedtime=0)

vectors = {
    "ra": ra_wire,
    "rs": rs,
    "rs_slla": rs_slla,
    "rs_unspec_slla": rs_unspec_slla,
    "duid_llt": bytes(sduid),
    "duid_ll": bytes(sduid_ll),
    "solicit": bytes(DHCP6_Solicit(trid=XID) / cid / el / oro / hint),
    "advertise": bytes(DHCP6_Advertise(trid=XID) / sid / cid / given / dns),
    "solicit_rc": bytes(DHCP6_Solicit(trid=XID) / cid / DHCP6OptRapidCommit() / oro / hint),
    "reply_rc": bytes(DHCP6_Reply(trid=XID) / sid / cid / DHCP6OptRapidCommit() / given / dns),
    "solicit_na": bytes(DHCP6_Solicit(trid=XID) / cid / DHCP6OptIA_NA(iaid=7) / hint),
    "advertise_na": bytes(DHCP6_Advertise(trid=XID) / sid / cid / DHCP6OptIA_NA(
        iaid=7, T1=0, T2=0, ianaopts=[DHCP6OptStatusCode(statuscode=2,
                                                         statusmsg="addresses by SLAAC")])
                          / given),
    "advertise_noprefix": bytes(DHCP6_Advertise(trid=XID) / sid / cid / ia_pd(opts=[
        DHCP6OptStatusCode(statuscode=6, statusmsg="no prefix available")])
        / DHCP6OptStatusCode(statuscode=2, statusmsg="nothing to assign") / dns),
    "request": bytes(DHCP6_Request(trid=XID) / cid / sid / el / oro / hint),
    "reply": bytes(DHCP6_Reply(trid=XID) / sid / cid / given / dns),
    "reply_noprefix": bytes(DHCP6_Reply(trid=XID) / sid / cid / ia_pd(opts=[
        DHCP6OptStatusCode(statuscode=6, statusmsg="no prefix available")]) / dns),
    "renew": bytes(DHCP6_Renew(trid=XID) / cid / sid / el / ia_pd(opts=[
        DHCP6OptIAPrefix(preflft=3600, validlft=7200, plen=56, prefix=PD)])),
    "reply_renew": bytes(DHCP6_Reply(trid=XID) / sid / cid / given),
    "reply_nobinding": bytes(DHCP6_Reply(trid=XID) / sid / cid / ia_pd(opts=[
        DHCP6OptStatusCode(statuscode=3, statusmsg="no binding")])),
    "rebind": bytes(DHCP6_Rebind(trid=XID) / cid / el / given),
    "release": bytes(DHCP6_Release(trid=XID) / cid / sid / given),
    "reply_release": bytes(DHCP6_Reply(trid=XID) / sid / cid / DHCP6OptStatusCode(
        statuscode=0, statusmsg="released")),
    "info_request": bytes(DHCP6_InfoRequest(trid=XID) / cid / oro),
    "reply_info": bytes(DHCP6_Reply(trid=XID) / sid / cid / dns),
    "request_other_server": bytes(DHCP6_Request(trid=XID) / cid / DHCP6OptServerId(
        duid=DUID_LL(lladdr="02:00:5e:00:53:99")) / hint),
}

# --- RADIUS IPv6 attribute values (RFC 3162 §2.3, RFC 4818) ---------------
vectors["rad_prefix64"] = bytes([0, 64]) + socket.inet_pton(socket.AF_INET6, "2001:db8:100:7::")
vectors["rad_prefix56_short"] = bytes([0, 56]) + socket.inet_pton(
    socket.AF_INET6, "2001:db8:4200:100::")[:7]
vectors["rad_prefix56_full"] = bytes([0, 56]) + socket.inet_pton(
    socket.AF_INET6, "2001:db8:4200:100::")

with open(OUT, "w") as f:
    f.write("/* SPDX-License-Identifier: GPL-2.0-or-later */\n")
    f.write("/* Generated by tests/unit/data/gen_ipv6_vectors.py (Scapy); do not edit. */\n")
    for name, b in vectors.items():
        f.write(f"static const uint8_t v_{name}[] = {{")
        for i, x in enumerate(b):
            f.write(("\n\t" if i % 12 == 0 else " ") + f"0x{x:02x},")
        f.write("\n};\n")
print(f"wrote {OUT}: {len(vectors)} vectors")
