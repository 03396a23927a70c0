#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Stand-in for systemd's notify socket (sd_notify(3)): binds a datagram
UNIX socket at PATH and prints every message received as one line, its
newline-separated assignments joined by '|', until killed."""

import os
import socket
import sys

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if os.path.exists(path):
    os.unlink(path)
s.bind(path)
print("LISTENING", flush=True)
while True:
    msg = s.recv(4096).decode("utf-8", "replace")
    print("|".join(msg.strip("\n").split("\n")), flush=True)
