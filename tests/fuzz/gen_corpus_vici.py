#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus for fuzz_vici.c into corpus/vici/: the packets of
tests/unit/data/vici/gen_vectors.py, a two-packet stream, broken packets,
and a few builder programs. Run from tests/fuzz/."""
import importlib.util
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "gen_vectors", os.path.join(here, "..", "unit", "data", "vici", "gen_vectors.py"))
gv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gv)


def raw(body):
    return struct.pack(">I", len(body)) + body


seeds = dict(gv.VECTORS)
vec = dict(gv.VECTORS)
seeds["stream_two"] = vec["resp_ok"] + vec["list_sa"]
seeds["stream_partial"] = vec["resp_ok"] + vec["list_sa"][:40]
seeds["truncated"] = vec["list_sa"][:-3]
seeds["too_deep"] = raw(bytes([gv.CMD_RESPONSE]) + b"\x01\x01s" * 17 + b"\x02" * 17)
seeds["kv_in_list"] = raw(bytes([gv.CMD_RESPONSE, 4, 1, ord("l"), 3, 1, ord("k"), 0, 0, 6]))
seeds["bad_element"] = raw(bytes([gv.CMD_RESPONSE, 9]))
seeds["oversize"] = struct.pack(">I", 512 * 1024 + 1) + b"\x01"
# Builder programs (see build() in fuzz_vici.c): type byte, then ops.
seeds["prog_sections"] = bytes([0, 0o000, 0o102, 0o203, 0o304, 5, 1])
seeds["prog_unbalanced"] = bytes([7, 0o010, 0o011, 1, 1])

out = os.path.join(here, "corpus", "vici")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
