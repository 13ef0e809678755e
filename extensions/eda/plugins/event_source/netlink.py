# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""netlink.py: an ansible-rulebook event source for the kernel's rtnetlink
notifications (links, addresses, routes, rules) of one, several or all network
namespaces.

Arguments:
  namespaces:       list of namespace names (as in `ip netns list`), or "all"
                    (every named namespace, also those created later, and the
                    namespace the source runs in). Default: the namespace the
                    source runs in only. A named namespace that does not exist
                    yet is watched from the moment it appears.
  kinds:            any of link, address, route, rule. Default: all four.
  ifname_patterns:  shell globs; only events about a matching interface are
                    sent (rules and device-less routes then never are).
                    Default: every event.
  initial_snapshot: bool. Send the current links, addresses, routes and rules
                    (as action "new") before the changes. Default: false.
                    Namespaces that appear after the start are always sent
                    with their state at discovery, so nothing made in them
                    before is missed.
  rescan_seconds:   how often /run/netns is looked at for namespaces that
                    appeared or went away (only with "all" or names that do
                    not exist yet). Default: 1.

Every event is one flat dict, the same keys for every kind (None where a kind
has no value):
  kind        link | address | route | rule
  action      new | changed | deleted (addresses and routes: new | deleted)
  namespace   the namespace name; None for the namespace the source runs in
  ifname, index               the interface (routes: the output device;
                              rules: iif or oif)
  state, admin_up, carrier, mtu, mac, link_kind    (links) operstate
                              (UP, DOWN, LOWERLAYERDOWN, UNKNOWN...), IFF_UP,
                              IFF_LOWER_UP, MTU, MAC address, kind (veth...)
  addresses   the interface's addresses as known (links, addresses)
  address, family             (addresses) ADDR/PREFIXLEN, ipv4 | ipv6
  dest, gateway, table, metric, route_type  (routes) dest is CIDR or default
  priority, src, dst, iif, oif, fwmark, table  (rules)

Examples:
  sources:
    - name: pod interfaces
      linuxnet.plumbing.netlink:
        namespaces: all
        kinds: [link]
        ifname_patterns: ["veth*", "eni*"]

Each namespace is watched by one thread that entered it (setns on that thread
only) and holds a bound rtnetlink socket; events cross to the asyncio loop
with call_soon_threadsafe. pyroute2 0.7 and 0.9 both work. The conversion of
messages into events is the collection's (module_utils/_plan/netlink_events.py,
shared with the interface_watch role's watcher).
"""

from __future__ import absolute_import, division, print_function

import asyncio
import errno
import importlib
import os
import select
import socket
import sys
import threading

NETNS_DIR = '/run/netns'
RTMGRP_LINK = 0x1
RTMGRP_IPV4_IFADDR = 0x10
RTMGRP_IPV4_ROUTE = 0x40
RTMGRP_IPV4_RULE = 0x80
RTMGRP_IPV6_IFADDR = 0x100
RTMGRP_IPV6_ROUTE = 0x400
GROUPS = dict(link=RTMGRP_LINK, address=RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
              route=RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE, rule=RTMGRP_IPV4_RULE)
RTNLGRP_IPV6_RULE = 19  # no legacy group bit: joined with NETLINK_ADD_MEMBERSHIP
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
POLL_STOP_SECONDS = 0.5
RCVBUF = 1 << 20


def _events_module():
    """module_utils/_plan/netlink_events of this collection: importable when
    the collection is installed on the Python path; otherwise (ansible-rulebook
    -S DIR on a checkout, or a collection the interpreter does not see) found
    from this file's place in the collection."""
    name = 'ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.netlink_events'
    try:
        return importlib.import_module(name)
    except ImportError:
        pass
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
    parts = root.split(os.sep)
    if parts[-3:-2] == ['ansible_collections']:
        sys.path.insert(0, os.sep.join(parts[:-3]))  # an installed collection
    else:
        sys.path.insert(0, os.path.join(root, 'collections'))  # the checkout's own link
    for mod in [m for m in sys.modules if m == 'ansible_collections' or m.startswith('ansible_collections.')]:
        del sys.modules[mod]
    return importlib.import_module(name)


class ArgumentError(ValueError):
    pass


def parse_args(args, events):
    """Validated arguments; errors name the argument and the value."""
    args = dict(args or {})
    unknown = sorted(set(args) - {'namespaces', 'kinds', 'ifname_patterns', 'initial_snapshot', 'rescan_seconds'})
    if unknown:
        raise ArgumentError('netlink: unknown argument %r' % unknown[0])
    namespaces = args.get('namespaces')
    if namespaces not in (None, 'all'):
        if isinstance(namespaces, str) or not isinstance(namespaces, (list, tuple)):
            raise ArgumentError('netlink: namespaces: value %r is not a list of names or "all"' % (namespaces,))
        for name in namespaces:
            if not isinstance(name, str) or not name or '/' in name or name in ('.', '..'):
                raise ArgumentError('netlink: namespaces: value %r is not a namespace name' % (name,))
    try:
        kinds = events.check_kinds('netlink: kinds', args.get('kinds', list(events.KINDS)))
        patterns = events.check_patterns('netlink: ifname_patterns', args.get('ifname_patterns') or [])
    except events.PatternError as exc:
        raise ArgumentError(str(exc))
    snapshot = args.get('initial_snapshot', False)
    if not isinstance(snapshot, bool):
        raise ArgumentError('netlink: initial_snapshot: value %r is not a boolean' % (snapshot,))
    rescan = args.get('rescan_seconds', 1)
    if isinstance(rescan, bool) or not isinstance(rescan, (int, float)) or rescan <= 0:
        raise ArgumentError('netlink: rescan_seconds: value %r is not a positive number' % (rescan,))
    return dict(namespaces=namespaces, kinds=kinds, patterns=patterns, snapshot=snapshot, rescan=rescan)


def named_namespaces():
    try:
        return set(n for n in os.listdir(NETNS_DIR) if not n.startswith('.'))
    except OSError:
        return set()


class NamespaceThread(threading.Thread):
    """Watches one namespace (None: the one the process runs in)."""

    def __init__(self, namespace, settings, events, deliver, snapshot):
        threading.Thread.__init__(self, name='netlink-%s' % (namespace or 'self'), daemon=True)
        self.namespace = namespace
        self.settings = settings
        self.events = events
        self.deliver = deliver
        self.snapshot = snapshot
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self.error = None

    def run(self):
        try:
            self._run()
        except Exception as exc:  # pylint: disable=broad-except
            self.error = exc
            self.ready.set()

    def _send(self, view, msg):
        event = view.event(msg)
        if self.events.wanted(event, self.settings['kinds'], self.settings['patterns']):
            self.deliver(event)

    def _run(self):
        # pylint: disable=import-outside-toplevel
        from pyroute2 import IPRoute
        from pyroute2.netlink.rtnl.marshal import MarshalRtnl
        from pyroute2.netns import setns
        if self.namespace is not None:
            setns(self.namespace, flags=0)  # this thread only; never creates it
        kinds = self.settings['kinds']
        groups = RTMGRP_LINK  # always: names for address and route events
        for kind in kinds:
            groups |= GROUPS[kind]
        # a plain socket read with select(): pyroute2 0.9's own reader buffers
        # messages where select() cannot see them; its parser serves both
        listener = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        listener.bind((0, groups))
        if 'rule' in kinds:
            listener.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, RTNLGRP_IPV6_RULE)
        marshal = MarshalRtnl()
        view = self.events.NamespaceView(self.namespace)
        requests = IPRoute()
        try:
            # links always (interface names); the rest only for the snapshot
            for msg in requests.get_links():
                if self.snapshot:
                    self._send(view, msg)
                else:
                    view.event(msg)
            if self.snapshot:
                dumps = dict(address=requests.get_addr, route=requests.get_routes, rule=requests.get_rules)
                for kind in ('address', 'route', 'rule'):
                    if kind in kinds:
                        for msg in dumps[kind]():
                            self._send(view, msg)
        finally:
            requests.close()
        self.ready.set()
        try:
            while not self.stopping.is_set():
                if select.select([listener], [], [], POLL_STOP_SECONDS)[0]:
                    try:
                        data = listener.recv(RCVBUF)
                    except OSError as exc:
                        if exc.errno != errno.ENOBUFS:
                            raise
                        # overrun: events were lost; the stream goes on
                        self.deliver(dict(self.events.blank('overrun', 'lost', self.namespace)))
                        continue
                    for msg in marshal.parse(data):
                        self._send(view, msg)
        finally:
            listener.close()


async def main(queue, args):
    """ansible-rulebook entry point: put netlink events on queue until cancelled."""
    events = _events_module()
    settings = parse_args(args, events)
    loop = asyncio.get_running_loop()
    # The threads hand events to this loop; only this loop's own coroutine
    # awaits queue.put (the rulebook's queue is not thread-safe).
    handover = asyncio.Queue()

    def deliver(event):
        loop.call_soon_threadsafe(handover.put_nowait, event)

    async def pump():
        while True:
            await queue.put(await handover.get())

    threads = {}

    async def start(namespace, snapshot):
        thread = NamespaceThread(namespace, settings, events, deliver, snapshot)
        thread.start()
        await loop.run_in_executor(None, thread.ready.wait)
        if thread.error is not None and namespace is None:
            raise thread.error
        # a named namespace that vanished between listing and entering: retried at the next scan
        if thread.error is None:
            threads[namespace] = thread

    async def supervise():
        wanted = settings['namespaces']
        if wanted is None or wanted == 'all':
            await start(None, settings['snapshot'])
        if wanted is None:
            await loop.run_in_executor(None, threads[None].join)
            return
        first = True
        while True:
            present = named_namespaces()
            targets = present if wanted == 'all' else present & set(wanted)
            for name in sorted(targets - set(threads)):
                # found after the start: its state so far counts as news
                await start(name, settings['snapshot'] or not first)
            for name in [n for n in threads if n is not None and n not in present]:
                threads.pop(name).stopping.set()
            first = False
            await asyncio.sleep(settings['rescan'])

    tasks = [asyncio.ensure_future(pump()), asyncio.ensure_future(supervise())]
    try:
        done = (await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED))[0]
        for task in done:
            task.result()  # a failure of either ends the source with its error
    finally:
        for thread in threads.values():
            thread.stopping.set()
        for task in tasks:
            task.cancel()


def _cli(argv=None):
    """Run the source without ansible-rulebook, one JSON line per event:

        python netlink.py [--args JSON] [--ready-on IFNAME --ready-file FILE]
                          [--until IFNAME] [--timeout SECONDS]

    --ready-file is written when the event of interface --ready-on arrives
    (with initial_snapshot, e.g. lo: the source listens by then) and removed
    when the run ends, so that a later run never finds it; --until
    (a glob) ends the run at the first event of a matching interface (a sentinel the
    caller creates last: netlink keeps the order, so every event before it
    has been printed). Exit 0 on the sentinel or Ctrl-C, 3 on the timeout.
    Used by the netlink_monitor lab and the source's integration test."""
    import argparse  # pylint: disable=import-outside-toplevel
    import fnmatch  # pylint: disable=import-outside-toplevel
    import json  # pylint: disable=import-outside-toplevel
    import time  # pylint: disable=import-outside-toplevel
    parser = argparse.ArgumentParser(prog='netlink.py')
    parser.add_argument('--args', default='{}')
    parser.add_argument('--ready-on')
    parser.add_argument('--ready-file')
    parser.add_argument('--until')
    parser.add_argument('--timeout', type=float, default=0)
    opts = parser.parse_args(argv)
    start = time.monotonic()

    class PrintQueue(object):
        def __init__(self, done):
            self.done = done

        async def put(self, event):
            out = dict(event, t=round(time.monotonic() - start, 3))
            print(json.dumps(out, sort_keys=True), flush=True)
            if opts.ready_file and event['ifname'] == opts.ready_on:
                with open(opts.ready_file, 'w') as handle:
                    handle.write('listening\n')
            if opts.until and fnmatch.fnmatchcase(event['ifname'] or '', opts.until) and not self.done.done():
                self.done.set_result(True)

    async def run():
        done = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(main(PrintQueue(done), json.loads(opts.args)))
        finished = (await asyncio.wait([task, done], timeout=opts.timeout or None,
                                       return_when=asyncio.FIRST_COMPLETED))[0]
        task.cancel()
        if task in finished:
            task.result()  # the source's error, e.g. a bad argument
        return 0 if done in finished else 3

    try:
        return asyncio.run(run())
    except KeyboardInterrupt:
        return 0
    finally:
        if opts.ready_file:
            try:
                os.unlink(opts.ready_file)
            except OSError:
                pass


if __name__ == '__main__':
    sys.exit(_cli())
