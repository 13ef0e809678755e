# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print the IPv4 route events of the current network namespace, one a line.

    route_events.py --ready FILE --until PREFIX [--timeout SECONDS]

Joins the kernel's IPv4 route multicast group, creates FILE once it listens,
and prints "add|del PREFIX [via GATEWAY]" for every route added, replaced or
deleted, until a route to PREFIX is added. The test adds that sentinel route
after the change it watches; netlink delivers events in order, so every event
of the change is printed before the helper ends, however slowly it ran.
Exits 0 after the sentinel, 3 when --timeout passes without it.
Standard library only: the same script serves every interpreter under test.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import ipaddress
import select
import socket
import struct
import sys
import time

RTMGRP_IPV4_ROUTE = 0x40
RTM_NEWROUTE, RTM_DELROUTE = 24, 25
RTA_DST, RTA_GATEWAY = 1, 5
NLMSGHDR = struct.Struct("=IHHII")
RTMSG = struct.Struct("=BBBBBBBBI")


def attributes(data):
    """Yield (type, payload) of the rtattrs in data."""
    offset = 0
    while offset + 4 <= len(data):
        length, kind = struct.unpack_from("=HH", data, offset)
        if length < 4:
            return
        yield kind & 0x3FFF, data[offset + 4:offset + length]
        offset += (length + 3) & ~3


def events(buffer):
    """Yield (verb, prefix, gateway) for the route messages in one datagram."""
    offset = 0
    while offset + NLMSGHDR.size <= len(buffer):
        length, kind = NLMSGHDR.unpack_from(buffer, offset)[:2]
        if length < NLMSGHDR.size:
            return
        if kind in (RTM_NEWROUTE, RTM_DELROUTE):
            body = buffer[offset + NLMSGHDR.size:offset + length]
            family, dst_len = RTMSG.unpack_from(body)[:2]
            attrs = dict(attributes(body[RTMSG.size:]))
            if family == socket.AF_INET:
                dst = ipaddress.IPv4Address(attrs.get(RTA_DST, bytes(4)))
                gateway = attrs.get(RTA_GATEWAY)
                yield ("add" if kind == RTM_NEWROUTE else "del",
                       "%s/%d" % (dst, dst_len),
                       str(ipaddress.IPv4Address(gateway)) if gateway else None)
        offset += (length + 3) & ~3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ready", required=True)
    parser.add_argument("--until", required=True)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    sentinel = str(ipaddress.IPv4Network(args.until))

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((0, RTMGRP_IPV4_ROUTE))
    with open(args.ready, "w", encoding="ascii") as ready:
        ready.write("listening\n")

    deadline = time.monotonic() + args.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            print("timeout: no route to %s was added" % sentinel, file=sys.stderr)
            return 3
        for verb, prefix, gateway in events(sock.recv(1 << 16)):
            print(verb, prefix, *(["via", gateway] if gateway else []), flush=True)
            if verb == "add" and prefix == sentinel:
                return 0


if __name__ == "__main__":
    sys.exit(main())
