# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology engine: read the kernel, execute a plan, keep the record.

One process, one rtnetlink socket per namespace opened once (and reused for
reading, applying and verifying), namespaces created on this thread without
a process each (_system/netns_batch). What to do is decided by
_plan/topology_reconcile; this file only reads and executes.

The ownership record is a JSON file per topology under /run/linuxnet/topology:
/run because namespaces live there too and vanish with it at reboot, so the
record never outlives what it describes; one file per topology because routes,
sysctls and resolv.conf files cannot carry an owner tag the way nft rules do.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import functools
import ipaddress
import json
import os
import socket
import time

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import (
    entered,
    netns_exists,
    open_netns_fd,
    resolv_conf_path,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology import netns_names
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_nft import check_options, rule_set
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_reconcile import (
    Planner,
    act as _act,
    empty_record,
    new_record,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.sysctl import parse_key, read_value, write_value
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import netns_batch, rtnl_batch
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.files import write_file

STATE_DIR = '/run/linuxnet/topology'
PYROUTE2_MISSING = ('routes need pyroute2 on the managed host: "apt-get install python3-pyroute2" (Debian/Ubuntu), '
                    '"dnf install python3-pyroute2" (Fedora/RHEL) or "pip install pyroute2"')


class EngineFailure(Exception):
    """An action the kernel refused, or a verification that found a difference."""


def record_path(name):
    return os.path.join(STATE_DIR, name.replace('/', '_') + '.json')


def load_record(name, prefix):
    try:
        with open(record_path(name)) as handle:
            record = json.load(handle)
    except (IOError, OSError, ValueError):
        return empty_record(name, prefix)
    base = empty_record(name, prefix)
    base.update(record)
    return base


def save_record(record):
    write_file(record_path(record['name']), json.dumps(record, sort_keys=True))


def drop_record(name):
    try:
        os.unlink(record_path(name))
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise


def recorded_rule_sets(netns):
    """The masquerade/dnat/firewall entries a topology applied in NETNS and
    that are live unchanged (their rules and comment hashes are all there):
    [{'key', 'params'}] for net_info's export."""
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import nftables as _nft
    try:
        names = sorted(os.listdir(STATE_DIR))
    except OSError:
        return []
    items = []
    for fname in names:
        if not fname.endswith('.json'):
            continue
        record = load_record(fname[:-5], '')
        for node, ns in record['namespaces'].items():
            if ns == netns:
                items.extend(record['nft'].get(node) or [])
    if not items or not _nft.nft_available():
        return []
    nft = _nft.Nft(netns)
    out = []
    for item in items:
        kind, name, rules, order, dummy = rule_set(item['key'], item['params'])
        tracker = DifferenceTracker()
        if nft.owned_rules(kind, name) and not _nft.plan_rule_set(tracker, nft, kind, name, rules, order=order):
            out.append({'key': item['key'], 'params': item['params']})
    return out


def read_text(path):
    """A small file's text, or None when it cannot be read."""
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def kind_fields(link):
    """The parent and kind options of a macvlan or vxlan reading, in the
    planner's terms: {'parent_index', 'parent_elsewhere', 'spec'}."""
    data = link.get('data')
    if data is None:
        return {'parent_index': None, 'parent_elsewhere': False, 'spec': None}
    elsewhere = link['link_netnsid'] is not None
    if link['kind'] == 'macvlan':
        from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.links import MACVLAN_MODE_VALUES
        return {'parent_index': link['link_index'], 'parent_elsewhere': elsewhere,
                'spec': {'mode': MACVLAN_MODE_VALUES.get(data['mode'], data['mode'])}}
    spec = {'vni': data['vni'], 'dstport': data['dstport'], 'local': data['local'], 'remote': None, 'group': None}
    if data['peer'] is not None:
        spec['group' if ipaddress.ip_address(data['peer']).is_multicast else 'remote'] = data['peer']
    return {'parent_index': data['link'] or None, 'parent_elsewhere': elsewhere, 'spec': spec}


class Engine(object):
    def __init__(self, name, doc, prefix, record):
        self.name = name
        self.doc = doc
        self.prefix = prefix
        self.record = record
        self.netns = netns_names(doc, prefix) if doc else {}
        for node, ns in record['namespaces'].items():
            self.netns.setdefault(node, ns)
        self.raw = {}       # netns -> RtnlSocket (links, addresses; batched)
        self.nl = {}        # netns -> Netlink (pyroute2: routes), opened only when needed
        self.indexes = {}   # netns -> {ifname: index}; dropped when links go
        self.claimed = {}   # netns -> the highest ifindex given to a new link
        self.fds = []       # namespace fds that queued requests refer to
        self.peers_down = []  # (netns, ifindex, text) of veth peers to bring up after their creation
        self.creator = netns_batch.Creator()
        self.nft = {}       # netns -> (Nft model, planned on the real table, entries)
        self.locking = False  # take the nft lock of each namespace read (a run that applies)

    def close(self):
        for sock in list(self.raw.values()) + list(self.nl.values()):
            sock.close()
        self.raw, self.nl = {}, {}
        self._close_fds()
        self.creator.close()
        self._release_nft()

    def _close_fds(self):
        for fd in self.fds:
            os.close(fd)
        self.fds = []

    def rtnl(self, netns):
        sock = self.raw.get(netns)
        if sock is None:
            sock = self.raw[netns] = rtnl_batch.RtnlSocket(netns)
        return sock

    def _open_sockets(self):
        """A socket in every namespace of the topology that exists and has
        none yet, all opened in one pass (see rtnl_batch.sockets_in)."""
        missing = sorted(set(self.netns.values()) - set(self.raw), key=lambda n: n or '')
        for ns, sock in rtnl_batch.sockets_in(missing).items():
            if sock is not None:
                self.raw[ns] = sock

    def pyroute(self, netns):
        nl = self.nl.get(netns)
        if nl is None:
            # pyroute2 is imported only by topologies with routes: its import
            # costs more than a whole no-op run of a large star.
            from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import IPRoute, Netlink
            if IPRoute is None:
                raise EngineFailure(PYROUTE2_MISSING)
            nl = self.nl[netns] = Netlink(netns).__enter__()
        return nl

    def index_map(self, netns):
        if netns not in self.indexes:
            self.indexes[netns] = dict((l['name'], l['index']) for l in self.rtnl(netns).links())
        return self.indexes[netns]

    def _index(self, netns, name):
        index = self.index_map(netns).get(name)
        if index is None:
            raise rtnl_batch.RtnlError(errno.ENODEV, 'interface %s in %s' % (name, netns or 'host'))
        return index

    # -- reading -------------------------------------------------------------

    def read(self):
        current = {'netns': {}, 'ns_exists': {}, 'links': {}, 'routes': {}, 'sysctls': {}, 'resolv': {}, 'nft': {},
                   'rules': {}}
        self._open_sockets()
        for ns in self.record['namespaces'].values():
            current['ns_exists'][ns] = ns in self.raw or netns_exists(ns)
        declared = self.doc['nodes'] if self.doc else {}
        for node in sorted(self.netns):
            ns = self.netns[node]
            exists = ns in self.raw
            current['netns'][node] = exists
            if not exists:
                continue
            sock = self.raw[ns]
            links = sock.links()
            self.indexes[ns] = dict((l['name'], l['index']) for l in links)
            names = dict((l['index'], l['name']) for l in links)
            addresses = {}
            for addr in sock.addresses():
                addresses.setdefault(addr['index'], []).append(addr['address'])
            current['links'][node] = dict(
                (l['name'], dict(kind_fields(l), index=l['index'], kind=l['kind'], mac=l['mac'], mtu=l['mtu'],
                                 up=l['up'], master=names.get(l['master_index']), peer_index=l['link_index'],
                                 addresses=sorted(addresses.get(l['index'], [])))) for l in links)
            spec = declared.get(node) or {}
            if ns is None:
                continue
            if spec.get('routes') or self.record['routes'].get(node):
                from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import route_from_msg
                routes = [route_from_msg(m, names) for m in self.pyroute(ns).route_msgs()]
                current['routes'][node] = [r for r in routes if r is not None]
            if spec.get('rules') or self.record['rules'].get(node):
                from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.rules import rule_from_msg
                nl = self.pyroute(ns)
                current['rules'][node] = [rule_from_msg(m) for fam in (socket.AF_INET, socket.AF_INET6)
                                          for m in nl.rule_msgs(fam)]
            keys = list(spec.get('sysctls') or {})
            if spec.get('forwarding') is not None:
                keys += ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding']
            if keys:
                values = {}
                with entered(ns):
                    for key in keys:
                        try:
                            values[key] = read_value(parse_key(key, key))
                        except (IOError, OSError):
                            values[key] = None
                current['sysctls'][node] = values
            current['resolv'][node] = read_text(resolv_conf_path(ns))
        for node in sorted(self.netns):
            spec = declared.get(node) or {}
            if self.netns[node] is not None and (spec.get('nft') or self.record['nft'].get(node)):
                current['nft'][node] = self._plan_nft(node, spec.get('nft') or [], current['netns'][node])
        return current

    # -- nftables: one model and one transaction per namespace ------------------

    def _plan_nft(self, node, entries, exists):
        """Plan the node's rule sets on its namespace's table (read once) ->
        plan actions. A namespace that does not exist yet is planned on an
        empty model, checked by `nft -c` here, and planned again on its real
        table when the namespace has been made (see _commit_nft)."""
        from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import nftables as _nft
        if not _nft.nft_available():
            raise EngineFailure('node %s has masquerade, dnat or firewall entries: %s' % (node, _nft.NFT_MISSING))
        ns = self.netns[node]
        self._release_nft(ns)
        if exists:
            # A run that may apply holds the namespace's nft lock from this
            # reading to its commit, as the masquerade, dnat and firewall_rule
            # modules do: a module run on the same namespace waits for it.
            nft = _nft.Nft(ns, lock=self.locking)
        else:
            nft = _nft.Nft(None, read=False)
            nft.load({'nftables': []})
        tracker = DifferenceTracker()
        declared = []
        for entry in entries:
            kind, name, rules, order, policy = rule_set(entry['key'], entry['params'])
            if name is not None:
                _nft.plan_rule_set(tracker, nft, kind, name, rules, order=order)
                declared.append([kind, name])
            if policy is not None:
                _nft.plan_chain_policy(tracker, nft, entry['params']['chain'], policy)
        for item in self.record['nft'].get(node) or []:
            if [item['kind'], item['name']] not in declared:
                _nft.plan_rule_set(tracker, nft, item['kind'], item['name'], [], state='absent')
        self.nft[ns] = (nft, exists, entries)
        actions = []
        for text in tracker.actions:
            verb = text.split(' ', 1)[0]
            action = {'add': 'add', 'remove': 'delete'}.get(verb, 'change')
            actions.append(_act(action, 'ruleset', node, ns, '%s in %s' % (text, ns)))
        return actions

    def _release_nft(self, netns=None):
        """Close the nft model of NETNS (all with None), releasing its lock."""
        for ns in [netns] if netns is not None else list(self.nft):
            item = self.nft.pop(ns, None)
            if item is not None:
                item[0].close()

    def _ruleset(self, action):
        ns = action['netns']
        nft, exists, entries = self.nft[ns]
        if not exists:
            # Planned before the namespace existed: plan again on its own table.
            self._plan_nft(action['node'], entries, True)
            nft = self.nft[ns][0]
        nft.commit()     # one transaction for the namespace; later calls do nothing

    _add_ruleset = _change_ruleset = _delete_ruleset = _ruleset

    def plan(self, state, purge, adopt):
        current = self.read()
        planner = Planner(self.name, self.doc, self.prefix, current, self.record, purge=purge, adopt=adopt)
        actions = planner.present() if state == 'present' else planner.absent()
        return current, actions

    # -- applying ------------------------------------------------------------
    #
    # Consecutive actions of one kind form a phase: link and address requests
    # are queued on their namespace's socket and sent together at the end of
    # the phase; the rest is done one by one. Phases follow the plan's order.

    def apply(self, actions):
        start = 0
        while start < len(actions):
            phase = _phase(actions[start])
            end = start
            while end < len(actions) and _phase(actions[end]) == phase:
                end += 1
            key = phase[:2]
            handler = getattr(self, '_%s_%s' % key)
            for action in actions[start:end]:
                try:
                    handler(action)
                except rtnl_batch.RtnlError as exc:
                    raise EngineFailure('%s failed: %s' % (action['text'], exc))
                except Exception as exc:  # pylint: disable=broad-except
                    if not isinstance(exc, (OSError, IOError)) and type(exc).__name__ != 'NetlinkError':
                        raise
                    raise EngineFailure('%s failed: %s' % (action['text'], _error_text(exc)))
            self._flush(IGNORED.get(key, ()))
            start = end

    def _flush(self, ignore):
        try:
            self._flush_queues(ignore)
            peers, self.peers_down = self.peers_down, []
            for netns, index, text in peers:
                self.rtnl(netns).set_link(text, index, up=True)
            self._flush_queues(ignore)
        except rtnl_batch.RtnlError as exc:
            raise EngineFailure('%s failed: %s (errno %d)' % (exc.what, os.strerror(exc.code), exc.code))

    def _flush_queues(self, ignore):
        try:
            for sock in self.raw.values():
                if sock.queue:
                    sock.flush(ignore)
        finally:
            self._close_fds()

    def _links_changed(self, netns):
        self.indexes.pop(netns, None)

    def _add_namespace(self, action):
        ns = action['netns']
        self.raw[ns] = self.creator.create(ns, inside=_new_namespace_inside)
        self.indexes[ns] = {'lo': 1}
        self.raw[ns].set_link(action['text'], 1, up=True)     # lo

    def _delete_namespace(self, action):
        for pool in (self.raw, self.nl):
            sock = pool.pop(action['netns'], None)
            if sock is not None:
                sock.close()
        self.indexes.pop(action['netns'], None)
        netns_batch.remove(action['netns'])

    def _claim_index(self, netns, name):
        """A free ifindex for the new link NAME of NETNS, given in its creation
        request, so that what follows (its peer brought up, its addresses)
        needs no dump of the namespace to find it."""
        known = self.index_map(netns)
        index = max(list(known.values()) + [0, self.claimed.get(netns, 0)]) + 1
        self.claimed[netns] = known[name] = index
        return index

    def _add_kind_link(self, action):
        """A macvlan or vxlan: made next to its parent (the underlay of a
        vxlan) and moved into its node in the same request."""
        ns, parent, spec = action['netns'], action.get('parent'), action['spec']
        home = parent['netns'] if parent else ns
        fd = None
        if home != ns:
            fd = open_netns_fd(ns)
            self.fds.append(fd)
        parent_index = self._index(home, parent['name']) if parent else None
        if action['kind'] == 'macvlan':
            from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.links import MACVLAN_MODE_VALUES
            mode = dict((v, k) for k, v in MACVLAN_MODE_VALUES.items())[spec['mode']]
            self.rtnl(home).add_macvlan(action['text'], action['name'], parent_index, mode, mtu=action.get('mtu'),
                                        netns_fd=fd, mac=action.get('mac'))
        else:
            data = rtnl_batch.vxlan_data(spec['vni'], spec['dstport'], spec.get('remote') or spec.get('group'),
                                         spec.get('local'), parent_index)
            self.rtnl(home).add_vxlan(action['text'], action['name'], data, mtu=action.get('mtu'), netns_fd=fd,
                                      mac=action.get('mac'))
        self._links_changed(ns)

    def _add_link(self, action):
        ns = action['netns']
        if action['kind'] in ('macvlan', 'vxlan'):
            self._add_kind_link(action)
            return
        if action['kind'] == 'bridge':
            self.rtnl(ns).add_bridge(action['text'], action['name'], action.get('mtu'), action.get('stp'),
                                     index=self._claim_index(ns, action['name']))
            return
        peer = action['peer']
        master = self._index(ns, action['master']) if action.get('master') else None
        fd = open_netns_fd(peer['netns'])
        self.fds.append(fd)
        peer_index = self._claim_index(peer['netns'], peer['name'])
        self.rtnl(ns).add_veth(action['text'], action['name'], peer['name'], fd, mtu=action.get('mtu'),
                               peer_mtu=peer.get('mtu'), master=master, index=self._claim_index(ns, action['name']),
                               peer_index=peer_index, mac=action.get('mac'), peer_mac=peer.get('mac'))
        self.peers_down.append((peer['netns'], peer_index, action['text']))

    def _delete_link(self, action):
        index = self.index_map(action['netns']).get(action['name'])
        self._links_changed(action['netns'])
        if index is not None:
            self.rtnl(action['netns']).delete_link(action['text'], index)

    def _change_link(self, action):
        change = action['set']
        master = None
        if 'master' in change:
            master = self._index(action['netns'], change['master']) if change['master'] else 0
        self.rtnl(action['netns']).set_link(action['text'], self._index(action['netns'], action['name']),
                                            up=True if change.get('up') else None, mtu=change.get('mtu'),
                                            master=master, mac=change.get('mac'))

    def _add_address(self, action):
        self.rtnl(action['netns']).add_address(action['text'], self._index(action['netns'], action['name']),
                                               action['address'])

    def _delete_address(self, action):
        self.rtnl(action['netns']).delete_address(action['text'], self._index(action['netns'], action['name']),
                                                  action['address'])

    def _route(self, action):
        from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import delete_request, route_request
        nl = self.pyroute(action['netns'])
        links = self.index_map(action['netns'])
        if action['op'] == 'delete':
            nl.change_route('del', **delete_request(action['route'], links))
        else:
            nl.change_route(action['op'], **route_request(action['route'], links))

    _add_route = _change_route = _delete_route = _route

    def _rule(self, action):
        from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.rules import rule_request
        self.pyroute(action['netns']).change_rule('add' if action['action'] == 'add' else 'del',
                                                  **rule_request(action['rule']))

    _add_rule = _delete_rule = _rule

    def _change_sysctl(self, action):
        with entered(action['netns']):
            write_value(parse_key(action['key'], action['key']), action['value'])

    def _add_nameservers(self, action):
        write_file(resolv_conf_path(action['netns']), action['content'])

    _change_nameservers = _add_nameservers

    def _delete_nameservers(self, action):
        path = resolv_conf_path(action['netns'])
        try:
            os.unlink(path)
            os.rmdir(os.path.dirname(path))
        except OSError:
            pass    # another file in /etc/netns/NAME is not ours to remove

    # -- the whole run ---------------------------------------------------------

    def run(self, state, purge, adopt, check_mode):
        """-> (current, actions). Applies, verifies and records unless check_mode."""
        self.locking = not check_mode
        current, actions = self.plan(state, purge, adopt)
        if check_mode:
            return current, actions
        try:
            self.apply(actions)
        finally:
            self.locking = False
            self._release_nft()
        if state == 'absent':
            drop_record(self.name)
            return current, actions
        record = new_record(self.name, self.prefix, self.doc)
        # A no-op run leaves the disk alone (the write is fsynced twice).
        if json.dumps(record, sort_keys=True) != json.dumps(self.record, sort_keys=True):
            save_record(record)
        self.record = record
        if actions:
            self.verify(purge)
        return current, actions

    def verify(self, purge):
        """Re-read and re-plan: after a good apply nothing is left to do."""
        self.indexes = {}
        dummy, left = self.plan('present', purge, True)
        if left:
            raise EngineFailure('the kernel state differs from the plan after applying it: still to do: %s'
                                % '; '.join(a['text'] for a in left))


# Every address a topology declares is added without duplicate address
# detection; the kernel's own link-local addresses would still be tentative
# for about a second after a link comes up, and until then neighbour discovery
# sends nothing (it needs a usable link-local source), so IPv6 traffic of a
# fresh lab stalls for a second. Namespaces the topology creates get DAD off
# for the links that arrive in them: every address there is the document's.
NEW_NAMESPACE_SYSCTLS = (('net.ipv6.conf.default.accept_dad', '0'),)


def _new_namespace_inside():
    """Run on the creating thread inside a namespace it has just made."""
    for key, value in NEW_NAMESPACE_SYSCTLS:
        try:
            write_value(parse_key('sysctls', key), value)
        except OSError as exc:
            if exc.errno != errno.ENOENT:   # IPv6 disabled: nothing to detect
                raise
    return rtnl_batch.RtnlSocket.here()


def _phase(action):
    # Bridges are flushed before the veths that become their ports.
    return (action['action'], action['object'], action.get('kind'))


# Errors that mean "already done" for a removal (gone with its peer or primary).
IGNORED = {('delete', 'link'): (errno.ENODEV,), ('delete', 'address'): (errno.EADDRNOTAVAIL,)}


def _error_text(exc):
    code = getattr(exc, 'code', None)
    args = getattr(exc, 'args', ())
    text = args[1] if len(args) > 1 else str(exc)
    return '%s (errno %s)' % (text, code) if code is not None else str(text)


def run_checks(checks, netns, run_one, timeout=30.0):
    """Run every check in its own thread; each retries until it passes or its
    time is up (the network converges: addresses, neighbours, forwarding).
    run_one(check, netns) -> result dict with 'success'. Results in order."""
    results = [None] * len(checks)

    def worker(i, check):
        retries = check.get('retries')
        deadline = time.time() + timeout
        attempt = 0
        while True:
            attempt += 1
            result = run_one(check, netns[check['from']])
            result['attempts'] = attempt
            results[i] = result
            if result['passed']:
                return
            if retries is not None and attempt > retries:
                return
            if time.time() >= deadline:
                return
            time.sleep(0.2)

    from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.probe_list import run_concurrently
    run_concurrently([functools.partial(worker, i, c) for i, c in enumerate(checks)])
    return results


def probe_check(check, netns):
    """One validate entry through the probe engine -> a result line."""
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.probe import ProbeError, run_probe
    options = check_options(check)
    expect = check.get('expect', 'success')
    out = {'from': check['from'], 'type': check['type'], 'target': check.get('target'), 'expect': expect}
    try:
        result = run_probe(netns, check['type'], check.get('target'), options)
    except (ProbeError, Exception) as exc:  # pylint: disable=broad-except
        out.update(passed=expect == 'failure', success=False, msg='%s %s from %s: %s'
                   % (check['type'], check.get('target'), check['from'], exc))
        return out
    success = result['success']
    msg = result['msg']
    if success and check['type'] == 'traceroute' and check.get('path') is not None:
        hops = result.get('hops') or []
        want = [str(ipaddress.ip_address(h)) for h in check['path']]
        out['path'] = hops
        if hops != want:
            success = False
            msg += '; expected the path %s but got %s' % (' '.join(want), ' '.join(h or '*' for h in hops))
    out.update(passed=success == (expect == 'success'), success=success, msg=msg)
    return out
