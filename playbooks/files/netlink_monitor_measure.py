# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netlink_monitor lab's proof of the interface watcher: how long from a
new interface to fixed.

    netlink_monitor_measure.py --netns NS [--count 20] [--prefix eni] [--mode 2] [--timeout 5]

Inside NS, one after the other, COUNT times: a veth pair PREFIXn/gwn appears
the way a second ENI does (the link, an address 10.77.n.10/24, a scope-link
route to the gateway 10.77.n.1 in table 100+n, a rule from 10.77.n.10 to
that table). Fixed = rp_filter of PREFIXn is MODE and table 100+n has its
default route via 10.77.n.1. The default route is seen as it happens on a
route-notification socket (the watcher sets rp_filter before it adds routes,
so rp_filter is read then; a few re-reads cover a watcher that does not).
Prints one JSON object: the latencies in seconds, their median and maximum.
Removes what it made. Exit 0 when all COUNT were fixed within --timeout
each, 1 otherwise.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import select
import socket
import statistics
import sys
import time

RTMGRP_IPV4_ROUTE = 0x40


def default_route_seen(sock, marshal, table, deadline):
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return None
        for msg in marshal.parse(sock.recv(1 << 20)):
            table_of = msg.get_attr('RTA_TABLE') or msg['table']
            if msg.get('event') == 'RTM_NEWROUTE' and table_of == table and msg['dst_len'] == 0:
                return time.monotonic()


def rp_filter(name):
    with open('/proc/sys/net/ipv4/conf/%s/rp_filter' % name) as handle:
        return int(handle.read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--netns', required=True)
    parser.add_argument('--count', type=int, default=20)
    parser.add_argument('--prefix', default='eni')
    parser.add_argument('--mode', type=int, default=2)
    parser.add_argument('--timeout', type=float, default=5)
    args = parser.parse_args()
    # pylint: disable=import-outside-toplevel
    from pyroute2 import IPRoute
    from pyroute2.netlink.rtnl.marshal import MarshalRtnl
    from pyroute2.netns import setns
    setns(args.netns, flags=0)  # the whole process: netlink and /proc/sys
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((0, RTMGRP_IPV4_ROUTE))
    marshal = MarshalRtnl()
    ipr = IPRoute()
    latencies, failed, made = [], [], []
    try:
        for n in range(args.count):
            name, peer, table = '%s%d' % (args.prefix, n), 'gw%d' % n, 100 + n
            start = time.monotonic()
            ipr.link('add', ifname=name, kind='veth', peer=peer)
            made.append((name, table, n))
            index = ipr.link_lookup(ifname=name)[0]
            ipr.addr('add', index=index, address='10.77.%d.10' % n, prefixlen=24)
            ipr.link('set', index=index, state='up')
            ipr.route('add', dst='10.77.%d.1' % n, dst_len=32, oif=index, scope=253, table=table)
            ipr.rule('add', priority=1000 + n, src='10.77.%d.10' % n, src_len=32, table=table)
            deadline = start + args.timeout
            seen = default_route_seen(sock, marshal, table, deadline)
            while seen is not None and rp_filter(name) != args.mode and time.monotonic() < deadline:
                select.select([], [], [], 0.01)
                seen = time.monotonic()
            if seen is None or rp_filter(name) != args.mode:
                failed.append(name)
            else:
                latencies.append(round(seen - start, 4))
    finally:
        for name, table, n in made:
            ipr.rule('del', priority=1000 + n, src='10.77.%d.10' % n, src_len=32, table=table)
            ipr.link('del', ifname=name)
        ipr.close()
    result = dict(count=args.count, fixed=len(latencies), failed=failed, latencies=latencies,
                  median=round(statistics.median(latencies), 4) if latencies else None,
                  max=max(latencies) if latencies else None)
    print(json.dumps(result))
    return 0 if not failed else 1


if __name__ == '__main__':
    sys.exit(main())
