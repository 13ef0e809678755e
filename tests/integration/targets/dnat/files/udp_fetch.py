# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test client: send one datagram COUNT times to ADDRESS PORT, from the source
ports FIRST_SOURCE_PORT, FIRST_SOURCE_PORT + 1, ... (each a new flow, so a new
conntrack entry at the gateway: ports picked by the kernel could repeat the port
of an earlier flow still tracked, which would take that flow's backend again),
and print a JSON list of the answers ("NAME CLIENT_ADDRESS") or "error: ..."
per attempt.

Usage: udp_fetch.py ADDRESS PORT COUNT FIRST_SOURCE_PORT
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import sys

ADDRESS, PORT, COUNT, FIRST = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
FAMILY = socket.AF_INET6 if ':' in ADDRESS else socket.AF_INET
answers = []
for number in range(COUNT):
    sock = socket.socket(FAMILY, socket.SOCK_DGRAM)
    sock.settimeout(3)
    try:
        sock.bind(('::' if FAMILY == socket.AF_INET6 else '0.0.0.0', FIRST + number))
        # connected: only an answer from ADDRESS PORT (the gateway's, after conntrack undid the DNAT) is taken
        sock.connect((ADDRESS, PORT))
        sock.send(('datagram %d\n' % number).encode('ascii'))
        answers.append(sock.recv(2048).decode('ascii').strip())
    except Exception as exc:  # pylint: disable=broad-except
        answers.append('error: %s' % exc)
    finally:
        sock.close()
print(json.dumps(answers))
