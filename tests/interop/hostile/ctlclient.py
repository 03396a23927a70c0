#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Control socket abuse for the hostile campaign (tests/interop/hostile/20-ctl.sh).

  ctlclient.py idle SOCKET N SECONDS
      N connections that send nothing, held for SECONDS; prints how many
      lnsd closed meanwhile.
  ctlclient.py flood SOCKET SECONDS CMD
      One connection that keeps sending {"cmd":CMD} lines and reads
      nothing; prints "closed AFTER_S SENT_BYTES" when lnsd closes it, or
      "open SENT_BYTES" after SECONDS.
  ctlclient.py raw SOCKET KIND
      Sends one bad request (KIND: oversize, truncated, binary) and prints
      what came back: the reply line, then "closed" if lnsd closed the
      connection, else "open".
"""
import os
import select
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def idle(path, n, secs):
    socks = [connect(path) for _ in range(n)]
    time.sleep(secs)
    closed = 0
    for s in socks:
        r, _, _ = select.select([s], [], [], 0)
        if r and s.recv(1) == b"":
            closed += 1
        s.close()
    print(closed)


def flood(path, secs, cmd):
    s = connect(path)
    s.setblocking(False)
    line = b'{"cmd":"%s"}\n' % cmd.encode()
    buf = line * 64
    sent = 0
    t0 = time.monotonic()
    while time.monotonic() - t0 < secs:
        try:
            sent += s.send(buf)
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:
            print("closed %.1f %d" % (time.monotonic() - t0, sent))
            return
        # lnsd closed it while our writes still fit the buffer: see the hang-up.
        if select.select([], [], [s], 0)[2] or _hung_up(s):
            print("closed %.1f %d" % (time.monotonic() - t0, sent))
            return
    print("open %d" % sent)


def _hung_up(s):
    p = select.poll()
    p.register(s, select.POLLHUP)
    return any(ev & select.POLLHUP for _, ev in p.poll(0))


BAD = {
    # one request line longer than lnsd takes (4096 bytes), no newline in it
    "oversize": b'{"cmd":"show-stats","pad":"' + b"x" * 6000 + b'"}\n',
    "truncated": b'{"cmd":"show-st\n',
    "binary": bytes(range(256)).replace(b"\n", b"") + os.urandom(64).replace(b"\n", b"") + b"\n",
}


def raw(path, kind):
    s = connect(path)
    s.settimeout(3)
    try:
        s.sendall(BAD[kind])
    except OSError:
        pass
    data = b""
    closed = False
    try:
        while b"\n" not in data:
            d = s.recv(65536)
            if not d:
                closed = True
                break
            data += d
        if not closed:
            s.settimeout(1)
            closed = s.recv(1) == b""
    except ConnectionResetError:
        closed = True
    except (socket.timeout, OSError):
        pass
    print(data.split(b"\n")[0].decode(errors="replace"))
    print("closed" if closed else "open")


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "idle":
        idle(path, int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "flood":
        flood(path, float(sys.argv[3]), sys.argv[4])
    elif cmd == "raw":
        raw(path, sys.argv[3])
    else:
        sys.exit("usage: see the header of " + sys.argv[0])


if __name__ == "__main__":
    main()
