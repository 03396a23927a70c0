#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""HTTP listener abuse for the hostile campaign (tests/interop/hostile/30-metrics.sh).

  slowhttp.py slowloris ADDR PORT N SECONDS
      N connections, each sends an incomplete request (request line and one
      header, no blank line), keeps trickling a header line every second for
      SECONDS, then all are closed. Prints how many connected.
  slowhttp.py hold ADDR PORT N SECONDS
      N connections opened and held silent for SECONDS, then closed.
  slowhttp.py bigheader ADDR PORT BYTES
      One GET /metrics with a header of BYTES bytes; prints the status code
      of the answer, or "closed" when the server closed without one.
"""
import socket
import sys
import time


def connect_many(addr, port, n):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
        s.settimeout(2)
        try:
            s.connect((addr, port))
        except OSError:
            s.close()
            continue
        s.setblocking(False)
        socks.append(s)
    return socks


def trickle(socks, data):
    for s in socks:
        try:
            s.send(data)
        except OSError:
            pass


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def slowloris(addr, port, n, secs):
    socks = connect_many(addr, port, n)
    print(len(socks), flush=True)
    trickle(socks, b"GET /metrics HTTP/1.1\r\nHost: lns\r\n")
    end = time.monotonic() + secs
    i = 0
    while time.monotonic() < end:
        time.sleep(min(1.0, max(0.0, end - time.monotonic())))
        trickle(socks, b"X-a%d: b\r\n" % i)
        i += 1
    close_all(socks)


def hold(addr, port, n, secs):
    socks = connect_many(addr, port, n)
    print(len(socks), flush=True)
    time.sleep(secs)
    close_all(socks)


def bigheader(addr, port, size):
    s = socket.create_connection((addr, port), timeout=5)
    req = b"GET /metrics HTTP/1.1\r\nHost: lns\r\nX-Big: " + b"a" * size + b"\r\n\r\n"
    try:
        s.sendall(req)
    except OSError:
        pass
    try:
        answer = s.recv(256)
    except OSError:
        answer = b""
    s.close()
    if answer.startswith(b"HTTP/1."):
        print(answer.split()[1].decode())
    else:
        print("closed")


def main():
    cmd, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "slowloris":
        slowloris(addr, port, int(sys.argv[4]), float(sys.argv[5]))
    elif cmd == "hold":
        hold(addr, port, int(sys.argv[4]), float(sys.argv[5]))
    elif cmd == "bigheader":
        bigheader(addr, port, int(sys.argv[4]))
    else:
        sys.exit("usage: see the header of " + sys.argv[0])


if __name__ == "__main__":
    main()
