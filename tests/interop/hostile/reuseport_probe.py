#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What the kernel does with lnsd's UDP port sharing (docs/design.md §4.2).

Run as root on the host or in the VM (the guest's kernel):
    python3 tests/interop/hostile/reuseport_probe.py
    tests/vm/run --kernel 6.1 tests/interop/hostile/reuseport_probe.py

On 127.0.0.1:17019 a listener and N (16: more than 10 sockets on a port, so
the kernel's second bind check runs too) connected "tunnel" sockets are set up
the way lnsd does it (the listener sets the flag only around each tunnel
socket's bind), once with SO_REUSEPORT (lnsd today), once with SO_REUSEADDR
(lnsd before), once with SO_REUSEPORT left on the listener. For each it
prints: datagrams from each tunnel's peer that missed that tunnel's socket,
datagrams from 200 new peers that reached the listener, what uid 65534 gets
binding the port (SO_REUSEADDR, SO_REUSEPORT, both) with the listener there
and after it closed (tunnels outliving a removed listener), and what a second
flagless bind and a same-uid SO_REUSEPORT bind get. Exits 1 when the
SO_REUSEPORT scheme misdelivers or lets uid 65534 in.
"""
import errno
import os
import socket
import subprocess
import sys

RP, RA = socket.SO_REUSEPORT, socket.SO_REUSEADDR
A = ("127.0.0.1", 17019)
N = int(sys.argv[1]) if len(sys.argv) > 1 else 16
NEW = 200


def sock(*opts):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for o in opts:
        s.setsockopt(socket.SOL_SOCKET, o, 1)
    s.settimeout(0.5)
    return s


def try_bind(*opts):
    s = sock(*opts)
    try:
        s.bind(A)
        return "BOUND"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()


def foreign_binds():
    """try_bind with SO_REUSEADDR, SO_REUSEPORT, both, as uid 65534"""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        os.write(w, ",".join(try_bind(*o) for o in ((RA,), (RP,), (RA, RP))).encode())
        os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    return os.read(r, 200).decode().split(",")


def run(flag, listener_keeps):
    listener = sock(flag) if listener_keeps else sock()
    listener.bind(A)
    tunnels = []
    for i in range(N):
        listener.setsockopt(socket.SOL_SOCKET, flag, 1)
        t = sock(flag)
        t.bind(A)
        t.connect(("127.0.0.2", 5000 + i))
        if not listener_keeps:
            listener.setsockopt(socket.SOL_SOCKET, flag, 0)
        tunnels.append(t)
    missed = 0
    for i, t in enumerate(tunnels):
        p = sock()
        p.bind(("127.0.0.2", 5000 + i))
        p.sendto(b"t%d" % i, A)
        try:
            missed += t.recv(16) != b"t%d" % i
        except socket.timeout:
            missed += 1
        p.close()
    for _ in range(NEW):
        c = sock()
        c.bind(("127.0.0.3", 0))
        c.sendto(b"n", A)
        c.close()
    got = 0
    listener.settimeout(0.2)
    try:
        while True:
            listener.recv(16)
            got += 1
    except socket.timeout:
        pass
    r = {"peer_missed_its_tunnel_socket": missed, "new_peers_at_listener": got,
         "uid65534_listener_up": foreign_binds(), "second_flagless_bind": try_bind(),
         "same_uid_reuseport_bind": try_bind(RP)}
    listener.close()
    r["uid65534_listener_closed"] = foreign_binds()
    for t in tunnels:
        t.close()
    return r


def main():
    subprocess.run(["ip", "link", "set", "lo", "up"], check=False)
    print("kernel", os.uname().release, "tunnels", N, "new peers", NEW)
    res = {}
    for name, flag, keeps in (("SO_REUSEPORT around each bind (lnsd)", RP, False),
                              ("SO_REUSEADDR around each bind (before)", RA, False),
                              ("SO_REUSEPORT kept on the listener", RP, True)):
        res[name] = run(flag, keeps)
        print(name, res[name], flush=True)
    r = res["SO_REUSEPORT around each bind (lnsd)"]
    ok = (r["peer_missed_its_tunnel_socket"] == 0 and r["new_peers_at_listener"] == NEW and
          r["second_flagless_bind"] == "EADDRINUSE" and
          set(r["uid65534_listener_up"] + r["uid65534_listener_closed"]) == {"EADDRINUSE"})
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
