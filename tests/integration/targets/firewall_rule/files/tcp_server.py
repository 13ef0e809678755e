# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A throwaway TCP server for the firewall_rule test: accepts and closes.

Listens on every given port (IPv4 and IPv6, dual-stack on ::), writes its pid
to --pidfile once listening, exits after --timeout seconds or on SIGTERM.
"""

from __future__ import absolute_import, division, print_function

import argparse
import os
import select
import signal
import socket
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--ports', type=int, nargs='+', required=True)
    parser.add_argument('--pidfile', required=True)
    parser.add_argument('--timeout', type=float, default=300)
    args = parser.parse_args()
    socks = []
    for port in args.ports:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(('::', port))
        sock.listen(16)
        socks.append(sock)
    with open(args.pidfile, 'w') as handle:
        handle.write('%d\n' % os.getpid())
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    deadline = time.time() + args.timeout
    try:
        while time.time() < deadline:
            for sock in select.select(socks, [], [], 1.0)[0]:
                conn = sock.accept()[0]
                conn.close()
    finally:
        os.unlink(args.pidfile)


if __name__ == '__main__':
    main()
