# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired topology + current state + ownership record -> the ordered plan.

Pure: the engine reads the kernel into plain dicts (``current``), this file
decides, the engine executes. The same plan is the check-mode answer, the
``plan`` return value, and (re-computed after the apply) the verification.

Ownership: the record (the topology's state file) lists the namespaces,
links, routes and resolv.conf files this topology made or adopted. Purge and
``state: absent`` only ever remove what the record lists.

current = {
  'netns':  {node: True/False (exists)},
  'links':  {node: {ifname: {'index', 'kind', 'mtu', 'up', 'master', 'peer_index', 'addresses'}}},
  'routes': {node: [canonical routes]},
  'sysctls': {node: {key: value}},
  'resolv': {node: text or None},
}
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology import (
    ENTRY_RULE_KINDS,
    KIND_LINK_KEYS,
    desired_routes,
    desired_rules,
    is_link_local6,
    netns_names,
    node_sysctls,
    resolv_conf_text,
    sort_addresses,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError


# The route and rule planners are imported when a node has routes or rules:
# the module runs from a zip and compiles every import on every run.

def route_key(route):
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import route_key as key
    return key(route)


def describe_route(route):
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import describe
    return describe(route)


def empty_record(name, prefix):
    return {'name': name, 'prefix': prefix, 'namespaces': {}, 'links': [], 'routes': {}, 'rules': {}, 'resolv': [],
            'nft': {}}


def desired_links(doc):
    """{node: {ifname: spec}} for bridges and both ends of every link."""
    out = dict((n, {}) for n in doc['nodes'])
    for name, bridge in doc['bridges'].items():
        out[bridge['node']][name] = {'kind': 'bridge', 'mtu': bridge['mtu'], 'master': None, 'mac': None,
                                     'addresses': sort_addresses(bridge['address']), 'stp': bridge['stp']}
    for link in doc['links']:
        if link['kind'] != 'veth':
            end, parent = link['endpoints'][0], link['parent']
            out[end['node']][end['name']] = {
                'kind': link['kind'], 'mtu': link['mtu'], 'master': None, 'mac': end.get('mac'),
                'addresses': sort_addresses(end['address']), 'spec': link['spec'],
                'parent': (parent['node'], parent['name']) if parent else None}
            continue
        for j, end in enumerate(link['endpoints']):
            other = link['endpoints'][1 - j]
            out[end['node']][end['name']] = {
                'kind': 'veth', 'mtu': link['mtu'], 'master': end['bridge'], 'mac': end.get('mac'),
                'addresses': sort_addresses(end['address']),
                'peer': (other['node'], other['name']),
                # The pair is created from the bridge's side: a new link takes
                # its master in the same request, its peer does not.
                'first': end['bridge'] is not None or (other['bridge'] is None and j == 0)}
    return out


def act(action, obj, node, netns, text, **extra):
    item = {'action': action, 'object': obj, 'node': node, 'netns': netns, 'text': text}
    item.update(extra)
    return item


def _where(netns):
    return netns if netns is not None else 'host'


class Planner(object):
    def __init__(self, name, doc, prefix, current, record, purge=True, adopt=False):
        self.name = name
        self.doc = doc
        self.prefix = prefix
        self.current = current
        self.record = record
        self.purge = purge
        self.adopt = adopt
        self.netns = netns_names(doc, prefix) if doc else {}
        self.actions = []
        self.deleted = set()    # (node, ifname) of links this plan deletes

    # -- helpers -------------------------------------------------------------

    def _links(self, node):
        return self.current['links'].get(node) or {}

    def _recorded_links(self):
        return set(tuple(x) for x in self.record['links'])

    def _owned_ns(self, node):
        return self.record['namespaces'].get(node) == self.netns.get(node)

    def add(self, *args, **kwargs):
        item = act(*args, **kwargs)
        if item['object'] == 'link' and item['action'] == 'delete':
            self.deleted.add((item['node'], item['name']))
        self.actions.append(item)

    # -- present -------------------------------------------------------------

    def present(self):
        wanted = desired_links(self.doc)
        self._refuse_foreign()
        self._purge_namespaces()
        for node, ns in sorted(self.netns.items()):
            if ns is not None and not self.current['netns'].get(node):
                self.add('add', 'namespace', node, ns, 'add namespace %s' % ns)
        self._purge_links(wanted)
        # Bridges first: a veth end that is a port is created with its master;
        # macvlan and vxlan links last: their parents are there by then.
        for kind in ('bridge', 'veth', 'macvlan', 'vxlan'):
            for node in sorted(wanted):
                for ifname, spec in sorted(wanted[node].items()):
                    if spec['kind'] == kind:
                        self._link(node, ifname, spec, wanted)
        for node in sorted(wanted):
            for ifname, spec in sorted(wanted[node].items()):
                self._addresses(node, ifname, spec)
        for node in sorted(self.netns):
            if self.doc['nodes'][node]['kind'] == 'netns':
                self._routes(node)
                self._rules(node)
                self._sysctls(node)
                self._resolv(node)
                self.actions.extend(self.current.get('nft', {}).get(node) or [])
        return self.actions

    def _refuse_foreign(self):
        if self.adopt:
            return
        for node, ns in sorted(self.netns.items()):
            if ns is not None and self.current['netns'].get(node) and not self._owned_ns(node):
                raise ValidationError('nodes.%s' % node, ns, "is a namespace that exists and was not created by "
                                      "topology '%s'; set adopt: true to take it over, or pick another prefix"
                                      % self.name)

    def _purge_namespaces(self):
        if not self.purge:
            return
        for node, ns in sorted(self.record['namespaces'].items()):
            if self.netns.get(node) != ns and self.current['ns_exists'].get(ns):
                self.add('delete', 'namespace', node, ns, 'delete namespace %s (no longer declared)' % ns)

    def _purge_links(self, wanted):
        if not self.purge:
            return
        gone = set()
        for node, ifname in sorted(self._recorded_links()):
            if node not in self.netns or ifname in wanted.get(node, {}):
                continue
            link = self._links(node).get(ifname)
            if link is None or (node, ifname) in gone:
                continue
            self.add('delete', 'link', node, self.netns[node], 'delete link %s:%s (no longer declared)'
                     % (_where(self.netns[node]), ifname), name=ifname)
            gone.add((node, ifname))
            # Deleting one veth end deletes its peer: do not plan it twice.
            for pnode, links in self.current['links'].items():
                for pname, plink in links.items():
                    if link['kind'] == 'veth' and plink.get('index') == link.get('peer_index') \
                            and plink.get('peer_index') == link.get('index'):
                        gone.add((pnode, pname))

    def _pair_ok(self, node, ifname, spec):
        link = self._links(node).get(ifname)
        pnode, pname = spec['peer']
        peer = self._links(pnode).get(pname)
        if link is None or peer is None or link['kind'] != 'veth' or peer['kind'] != 'veth':
            return False
        return link['peer_index'] == peer['index'] and peer['peer_index'] == link['index']

    def _kind_differs(self, node, link, spec):
        """Why the macvlan/vxlan LINK is not the one SPEC describes (None: it is)."""
        if link['kind'] != spec['kind']:
            return 'is a %s, not a %s' % (link['kind'], spec['kind'])
        if spec['parent'] is None:
            if link['parent_index'] or link['parent_elsewhere']:
                return 'has a parent interface, and none is declared'
        else:
            pnode, pname = spec['parent']
            parent = self._links(pnode).get(pname)
            if parent is None or (pnode, pname) in self.deleted:
                return 'is not on %s:%s (which is new)' % (_where(self.netns[pnode]), pname)
            if link['parent_index'] != parent['index'] or link['parent_elsewhere'] != (pnode != node):
                return 'is not on %s:%s' % (_where(self.netns[pnode]), pname)
        have = link.get('spec') or {}
        diffs = ['%s is %s, wanted %s' % (k, have.get(k), v) for k, v in sorted(spec['spec'].items())
                 if have.get(k) != v]
        return 'differs: %s' % ', '.join(diffs) if diffs else None

    def _kind_link(self, node, ifname, spec, wanted):
        ns = self.netns[node]
        link = self._links(node).get(ifname)
        if link is not None:
            why = self._kind_differs(node, link, spec)
            if why is None:
                self._attrs(node, ifname, spec, wanted)
                return
            self._replace(node, ifname, why)
        parent, on = None, ''
        if spec['parent'] is not None:
            pnode, pname = spec['parent']
            pns = self.netns[pnode]
            if pns is None and pname not in self._links(pnode) and pname not in wanted.get(pnode, {}):
                raise ValidationError('nodes.%s' % pnode, pname, 'is not an interface of the host, but the parent '
                                      'of %s:%s' % (_where(ns), ifname))
            parent = {'node': pnode, 'netns': pns, 'name': pname}
            on = ' on %s:%s' % (_where(pns), pname)
        self.add('add', 'link', node, ns, 'add %s %s:%s%s' % (spec['kind'], _where(ns), ifname, on), name=ifname,
                 kind=spec['kind'], mtu=spec['mtu'], mac=spec['mac'], parent=parent, spec=spec['spec'])

    def _link(self, node, ifname, spec, wanted):
        ns = self.netns[node]
        link = self._links(node).get(ifname)
        if spec['kind'] in KIND_LINK_KEYS:
            self._kind_link(node, ifname, spec, wanted)
            return
        if spec['kind'] == 'veth':
            if not spec['first']:
                self._attrs(node, ifname, spec, wanted)
                return
            if self._pair_ok(node, ifname, spec):
                self._attrs(node, ifname, spec, wanted)
                return
            pnode, pname = spec['peer']
            pspec = wanted[pnode][pname]
            for n, i in ((node, ifname), (pnode, pname)):
                if self._links(n).get(i) is not None:
                    self._replace(n, i, 'is not the veth pair %s:%s <-> %s:%s'
                                  % (_where(self.netns[node]), ifname, _where(self.netns[pnode]), pname))
            self.add('add', 'link', node, ns, 'add veth %s:%s <-> %s:%s' % (_where(ns), ifname,
                     _where(self.netns[pnode]), pname), name=ifname, kind='veth', mtu=spec['mtu'],
                     mac=spec['mac'], master=spec['master'],
                     peer={'node': pnode, 'netns': self.netns[pnode], 'name': pname, 'mtu': pspec['mtu'],
                           'mac': pspec['mac'], 'master': pspec['master']})
            return
        if link is not None and link['kind'] == 'bridge':
            self._attrs(node, ifname, spec, wanted)
            return
        if link is not None:
            self._replace(node, ifname, 'is a %s, not a bridge' % link['kind'])
        self.add('add', 'link', node, ns, 'add bridge %s:%s' % (_where(ns), ifname), name=ifname, kind='bridge',
                 mtu=spec['mtu'], stp=spec['stp'])

    def _replace(self, node, ifname, why):
        ns = self.netns[node]
        if not (self._owned_ns(node) and ns is not None) and (node, ifname) not in self._recorded_links():
            raise ValidationError('nodes.%s' % node, ifname, 'names an interface in %s that %s and was not '
                                  "created by topology '%s'; remove or rename it" % (_where(ns), why, self.name))
        self.add('delete', 'link', node, ns, 'delete link %s:%s (it %s)' % (_where(ns), ifname, why), name=ifname)

    def _attrs(self, node, ifname, spec, wanted):
        link = self._links(node).get(ifname)
        if link is None:
            return
        change = {}
        if spec['mtu'] is not None and link['mtu'] != spec['mtu']:
            change['mtu'] = spec['mtu']
        if spec.get('mac') is not None and link.get('mac') != spec['mac']:
            change['mac'] = spec['mac']
        if link['master'] != spec['master']:
            change['master'] = spec['master']
        if not link['up']:
            change['up'] = True
        if change:
            was = dict((k, link.get(k)) for k in change)
            ns = self.netns[node]
            self.add('change', 'link', node, ns, 'change link %s:%s %s (was %s)' % (_where(ns), ifname, change, was),
                     name=ifname, set=change, was=was)

    def _addresses(self, node, ifname, spec):
        link = self._links(node).get(ifname)
        have = [] if link is None or (node, ifname) in self.deleted else link['addresses']
        ns = self.netns[node]
        for text in have:
            if text not in spec['addresses'] and not is_link_local6(text):
                self.add('delete', 'address', node, ns, 'delete address %s from %s:%s' % (text, _where(ns), ifname),
                         name=ifname, address=text)
        for text in spec['addresses']:
            if text not in have:
                self.add('add', 'address', node, ns, 'add address %s to %s:%s' % (text, _where(ns), ifname),
                         name=ifname, address=text)

    def _routes(self, node):
        if not self.doc['nodes'][node]['routes'] and not self.record['routes'].get(node):
            return
        from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import plan_present
        ns = self.netns[node]
        have = self.current['routes'].get(node) or []
        keys = []
        for dummy, route, resolved in desired_routes(self.doc, node):
            keys.append(list(route_key(route)))
            dummy, dummy, ops = plan_present(route, resolved, have)
            for op, item in ops:
                action = {'add': 'add', 'replace': 'change', 'delete': 'delete'}[op]
                self.add(action, 'route', node, ns, '%s route %s in %s' % (action, describe_route(item), ns),
                         route=item, op=op)
        if self.purge:
            for key in self.record['routes'].get(node) or []:
                if key in keys:
                    continue
                for item in have:
                    if list(route_key(item)) == key:
                        self.add('delete', 'route', node, ns, 'delete route %s in %s (no longer declared)'
                                 % (describe_route(item), ns), route=item, op='delete')

    def _rules(self, node):
        if not self.doc['nodes'][node]['rules'] and not self.record['rules'].get(node):
            return
        from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.rules import (
            describe as describe_rule,
            plan_absent as plan_rules_absent,
            plan_present as plan_rules_present,
        )
        ns = self.netns[node]
        have = self.current['rules'].get(node) or []
        wanted = desired_rules(self.doc, node)
        for rule in wanted:
            dummy, dummy, ops = plan_rules_present(rule, have)
            for op, item in ops:
                self.add(op, 'rule', node, ns, '%s rule %s in %s' % (op, describe_rule(item), ns), rule=item)
        if self.purge:
            for old in self.record['rules'].get(node) or []:
                if old in wanted:
                    continue
                for dummy, item in plan_rules_absent(old, have)[2]:
                    self.add('delete', 'rule', node, ns, 'delete rule %s in %s (no longer declared)'
                             % (describe_rule(item), ns), rule=item)

    def _sysctls(self, node):
        ns = self.netns[node]
        have = self.current['sysctls'].get(node) or {}
        for key, value in sorted(node_sysctls(self.doc['nodes'][node]).items()):
            if have.get(key) != value:
                self.add('change', 'sysctl', node, ns, 'set %s = %s in %s (was %s)' % (key, value, ns, have.get(key)),
                         key=key, value=value, was=have.get(key))

    def _resolv(self, node):
        ns = self.netns[node]
        servers = self.doc['nodes'][node]['nameservers']
        have = self.current['resolv'].get(node)
        if servers:
            text = resolv_conf_text(servers)
            if have != text:
                self.add('add' if have is None else 'change', 'nameservers', node, ns,
                         'write nameservers %s for %s' % (', '.join(servers), ns), servers=servers, content=text)
        elif have is not None and node in self.record['resolv']:
            self.add('delete', 'nameservers', node, ns, 'delete the resolv.conf of %s (no longer declared)' % ns)

    # -- absent --------------------------------------------------------------

    def absent(self):
        gone = set()
        for node, ifname in sorted(self._recorded_links()):
            ns = self.record['namespaces'].get(node)
            link = self._links(node).get(ifname)
            if node in self.record['namespaces'] or link is None or (node, ifname) in gone:
                continue
            self.add('delete', 'link', node, ns, 'delete link %s:%s' % (_where(ns), ifname), name=ifname)
            gone.add((node, ifname))
        for node in self.record['resolv']:
            ns = self.record['namespaces'].get(node)
            if ns is not None and self.current['resolv'].get(node) is not None:
                self.add('delete', 'nameservers', node, ns, 'delete the resolv.conf of %s' % ns)
        for node, ns in sorted(self.record['namespaces'].items()):
            if self.current['ns_exists'].get(ns):
                self.add('delete', 'namespace', node, ns, 'delete namespace %s' % ns)
        return self.actions


def new_record(name, prefix, doc):
    """The record after a successful present run: everything declared is ours."""
    record = empty_record(name, prefix)
    names = netns_names(doc, prefix)
    record['namespaces'] = dict((n, ns) for n, ns in names.items() if ns is not None)
    for node, links in desired_links(doc).items():
        record['links'].extend([node, ifname] for ifname in sorted(links))
    for node in sorted(names):
        if names[node] is None:
            continue
        record['routes'][node] = [list(route_key(r)) for dummy, r, dummy in desired_routes(doc, node)]
        record['rules'][node] = desired_rules(doc, node)
        if doc['nodes'][node]['nameservers']:
            record['resolv'].append(node)
        # The entries themselves are kept, so that net_info can export them.
        sets = [{'kind': ENTRY_RULE_KINDS[e['key']], 'name': e['params']['name'], 'key': e['key'],
                 'params': e['params']} for e in doc['nodes'][node]['nft'] if e['params'].get('name') is not None]
        if sets:
            record['nft'][node] = sets
    return record


def summary(doc, prefix, current):
    """before/after for diff mode: per node, links with their addresses,
    routes, sysctls and nameservers — current (before) or declared (after)."""
    names = netns_names(doc, prefix)
    before, after = {}, {}
    wanted = desired_links(doc)
    for node in sorted(names):
        links = current['links'].get(node) or {}
        before[node] = {'netns': names[node], 'exists': bool(current['netns'].get(node)) if names[node] else True,
                        'links': dict((i, {'kind': l['kind'], 'mtu': l['mtu'], 'master': l['master'],
                                           'mac': l.get('mac'),
                                           'addresses': [a for a in l['addresses'] if not is_link_local6(a)]})
                                      for i, l in links.items() if i in wanted[node])}
        after[node] = {'netns': names[node], 'exists': True,
                       'links': dict((i, {'kind': s['kind'], 'mtu': s['mtu'] if s['mtu'] is not None
                                          else (links.get(i) or {}).get('mtu'), 'master': s['master'],
                                          'mac': s['mac'] if s.get('mac') is not None
                                          else (links.get(i) or {}).get('mac'),
                                          'addresses': s['addresses']}) for i, s in wanted[node].items())}
        if names[node] is not None:
            keys = set(tuple(route_key(r)) for dummy, r, dummy in desired_routes(doc, node))
            before[node]['routes'] = sorted(describe_route(r) for r in current['routes'].get(node) or []
                                            if tuple(route_key(r)) in keys)
            after[node]['routes'] = sorted(describe_route(r) for dummy, r, dummy in desired_routes(doc, node))
            sysctls = node_sysctls(doc['nodes'][node])
            before[node]['sysctls'] = dict((k, (current['sysctls'].get(node) or {}).get(k)) for k in sysctls)
            after[node]['sysctls'] = sysctls
            before[node]['nameservers'] = current['resolv'].get(node)
            after[node]['nameservers'] = resolv_conf_text(doc['nodes'][node]['nameservers']) or None
    return before, after
