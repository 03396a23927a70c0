#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus for fuzz_ipsec_vici.c into corpus/ipsec_vici/:
streams of charon's events and answers for lnsd's connection (lnsd-l2tp),
built with the wire-format helpers of tests/unit/data/vici/gen_vectors.py,
and broken ones. Run from anywhere."""
import importlib.util
import os

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "gen_vectors", os.path.join(here, "..", "unit", "data", "vici", "gen_vectors.py"))
gv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gv)

CONN = "lnsd-l2tp"


def child(uid, state, ts="198.51.100.7/32[udp/l2f]"):
    c = gv.child(uid, state)
    c["remote-ts"] = [ts]
    return c


def ike(uid, host, state, children):
    d = gv.ike(state, children)
    d["uniqueid"] = uid
    d["remote-host"] = host
    return d


def event(name, d, up=None):
    if up is not None:
        d = dict([("up", up)] + list(d.items()))
    return gv.packet(gv.EVENT, name, d)


A, B = "198.51.100.7", "2001:db8::7"
list_sa = event("list-sa", {CONN: ike("5", A, "ESTABLISHED",
                                      {"l2tp-7": child("7", "INSTALLED")})})
child_up = event("child-updown", {CONN: ike("6", B, "ESTABLISHED", {
    "l2tp-9": child("9", "INSTALLED", "2001:db8::7/128[udp/1701]")})}, "yes")
child_down = event("child-updown", {CONN: ike("5", A, "ESTABLISHED",
                                              {"l2tp-7": child("7", "DELETING")})})
rekey = event("child-rekey", {CONN: ike("5", A, "ESTABLISHED", {
    "old": child("7", "REKEYED"), "new": child("8", "INSTALLED", "198.51.100.7/32[udp]")})})
ike_down = event("ike-updown", {CONN: ike("5", A, "DELETING", {})})
ike_update = event("ike-update", {CONN: ike("5", "192.0.2.99", "ESTABLISHED", {})})
resp_ok = gv.packet(gv.CMD_RESPONSE, None, {"success": "yes"})
resp_fail = gv.packet(gv.CMD_RESPONSE, None, {"success": "no", "errmsg": "no such IKE_SA"})
resp_bare = gv.packet(gv.CMD_RESPONSE, None, {"success": "no"})
other_conn = event("list-sa", {"other": ike("3", A, "ESTABLISHED", {})})
no_host = event("list-sa", {CONN: {"uniqueid": "4", "child-sas": {}}})
bad_host = event("list-sa", {CONN: ike("4", "not-an-address", "ESTABLISHED", {})})

seeds = {
    "list_sa": list_sa,
    "child_up": child_up,
    "lifecycle": list_sa + child_up + rekey + ike_update + child_down + ike_down,
    "rekey_then_down": list_sa + rekey + ike_down,
    "answers": resp_ok + resp_fail + resp_bare,
    "other_conn": other_conn,
    "no_host": no_host,
    "bad_host": bad_host,
    "truncated": list_sa[:-5],
    "ts_text": b"10.0.0.1/32[udp/65535]",
}
out = os.path.join(here, "corpus", "ipsec_vici")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
