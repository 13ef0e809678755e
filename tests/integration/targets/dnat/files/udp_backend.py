# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test backend: a UDP server answering every datagram with "NAME CLIENT_ADDRESS".

Usage: udp_backend.py NAME ADDRESS PORT   (run inside a namespace by the dnat test)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import sys

NAME, ADDRESS, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])

SOCK = socket.socket(socket.AF_INET6 if ':' in ADDRESS else socket.AF_INET, socket.SOCK_DGRAM)
SOCK.bind((ADDRESS, PORT))
while True:
    _data, peer = SOCK.recvfrom(2048)
    SOCK.sendto(('%s %s\n' % (NAME, peer[0])).encode('ascii'), peer)
