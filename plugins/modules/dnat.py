#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: dnat
short_description: Port forwards and load-balanced DNAT with nftables, inside any network namespace
version_added: 0.1.0
description:
  - Forwards a TCP or UDP port (or port range) of this host to one backend, or spreads it over several backends
    in round robin or at random (destination NAT).
  - The rules live in the collection's own nftables table C(inet linuxnet) in the namespace O(netns), each tagged
    with a comment naming the rule set (C(lnp:dnat:NAME:...)). One task is one atomic C(nft) transaction. Rules,
    tables and chains that the collection does not own (Docker, kube-proxy, iptables-nft, hand-written ones) are
    never changed. Removing the last owned rule removes the table.
  - "The rule set of one O(name), for each address family of the backends:"
  - "C(prerouting) (nat, priority -100): traffic arriving for O(destination) (by default any address of this host:
    C(fib daddr type local)) on O(protocol) port O(port), optionally only through O(in_interface), is translated to
    the backend (C(dnat to)), or to one of the backends chosen by C(numgen inc mod N) (round robin) or
    C(numgen random mod N) (random)."
  - "C(forward) (filter, priority 0): an C(accept) for both directions of every connection translated to each
    backend (C(ct status dnat ct reply saddr BACKEND ct reply proto-src PORT)). The forward works even when a
    M(linuxnet.plumbing.firewall_rule) policy drops forwarded traffic by default."
  - "With O(local=true): the same DNAT in C(output_nat) (nat, hook output) for connections made by this host
    itself, accepts in C(output) and C(input), and for IPv4 the masquerade and C(route_localnet) described in the
    notes, so that a connection to C(127.0.0.1:PORT) works too."
  - "With O(masquerade_return=true): C(postrouting) masquerades the translated traffic to each backend."
  - Every rule has a counter; RV(counters) returns them.
  - Idempotence is decided by the rule comments, which carry a hash of each desired rule. A rule of the set that
    was deleted by hand (or replaced without its comment) makes the next run replace the whole set.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
options:
  name:
    description:
      - The identity of the rule set. A second task with the same O(name) replaces the rules of the first.
      - A name already used by a M(linuxnet.plumbing.masquerade) or M(linuxnet.plumbing.firewall_rule) rule set
        in the namespace is refused.
      - Must fit the rule comment (at most 127 bytes together with C(lnp:dnat:) and the index, order and hash);
        quotes, backslashes and control characters are refused.
      - Required unless O(rule_sets) is given.
    type: str
  state:
    description:
      - V(present) creates or updates the rule set; V(absent) removes every rule of the set (the other options are
        then not needed and are ignored).
    type: str
    choices: [present, absent]
    default: present
  protocol:
    description:
      - The transport protocol forwarded.
    type: str
    choices: [tcp, udp]
    default: tcp
  port:
    description:
      - The destination port matched, 1 to 65535, or a range V(8000-8010) (lower port first).
      - Required when O(state=present).
    type: raw
  destination:
    description:
      - The addresses (or prefixes, without host bits) whose traffic is forwarded, IPv4 and/or IPv6.
      - When omitted, traffic to any local address of the namespace is forwarded (C(fib daddr type local)),
        in each address family that has a backend in O(to).
      - Every backend must have the family of one of the destinations, and every destination family needs a
        backend (DNAT cannot turn IPv4 into IPv6).
    type: list
    elements: str
  in_interface:
    description:
      - Only forward traffic arriving through this interface. A trailing C(*) matches every interface whose name
        starts with the text before it (V(veth*)).
      - Does not apply to the locally generated traffic of O(local=true), which has no input interface.
    type: str
  to:
    description:
      - The backends, each V(ADDRESS), V(ADDRESS:PORT), V([IPV6]:PORT) or V([IPV6]) (a bare IPv6 address such as
        V(2001:db8::2) works too).
      - A backend without a port keeps the destination port of the connection.
      - With several backends of one address family O(balance) is required. Backends of both families without
        O(destination) give a dual-stack forward (IPv4 traffic to the IPv4 backends, IPv6 traffic to the IPv6 ones).
      - With a port range in O(port), either every backend has a port (every connection of the range goes to it) or
        none has.
      - Loopback, multicast and unspecified addresses are refused; a backend may not be listed twice.
      - Required when O(state=present).
    type: list
    elements: str
  balance:
    description:
      - How new connections are spread over several backends of one address family.
      - V(round_robin) takes the backends in turn (C(numgen inc mod N)); each new connection (a new conntrack
        entry; for UDP a new source address/port pair) goes to the next backend, so N connections give exactly
        one per backend.
      - V(random) draws a backend for each new connection (C(numgen random mod N)).
      - Required with several backends of one family, refused with a single backend per family.
    type: str
    choices: [round_robin, random]
  local:
    description:
      - Also forward connections made by this host (namespace) itself to O(destination) or any local address,
        including C(127.0.0.1). See the notes for what that takes.
    type: bool
    default: false
  masquerade_return:
    description:
      - Masquerade (source NAT to the outgoing interface's address) the forwarded traffic to the backends, so
        that the backends' replies come back through this host even when their routes would send them elsewhere
        (for example a backend without a default route through this host).
      - The backends then see this host's address as the client address.
    type: bool
    default: false
  rule_sets:
    description:
      - Several rule sets in one task, applied as ONE C(nft) transaction (all or nothing), for example hundreds of
        port forwards in one call.
      - Each element is a dictionary with the options of one rule set, as for the single form - O(name) (required),
        O(state), O(protocol), O(port), O(destination), O(in_interface), O(to), O(balance), O(local) and
        O(masquerade_return) - with the same defaults and checks.
      - Every element is checked before anything is read or changed; an error names the element and option
        (C(rule_sets[3].port)) and the value. A name may be listed once.
      - Mutually exclusive with the single-rule-set options.
    type: list
    elements: dict
  purge:
    description:
      - With O(rule_sets), also remove every dnat rule set of the namespace that is not listed (the rule sets of
        other modules and foreign rules are never touched).
    type: bool
    default: false
notes:
  - Runs of M(linuxnet.plumbing.masquerade), M(linuxnet.plumbing.dnat) and M(linuxnet.plumbing.firewall_rule) that
    change one namespace take turns - each holds the namespace's lock (C(/run/lock/linuxnet-nft-netINODE.lock))
    from reading the table to the end of its transaction, and waits at most 60 seconds for it - so concurrent runs
    never lose each other's rules.
  - The accepts are in the collection's table. nftables runs every table's base chains, and a drop in any of them
    is final, so a C(FORWARD) policy C(DROP) of another table (Docker's, or iptables-nft's C(table ip filter)) still
    drops the forwarded traffic; allow it there too.
  - IP forwarding must be on in the namespace for traffic arriving from other hosts (for example with
    M(linuxnet.plumbing.masquerade) O(linuxnet.plumbing.masquerade#module:forwarding=true) or
    M(linuxnet.plumbing.net_sysctl)); this module does not switch it on.
  - "Connections to C(127.0.0.1) with O(local=true): after the DNAT the packet still has the source address
    C(127.0.0.1). The kernel refuses to route a packet with a loopback source out of a real interface, and drops
    it silently (the rule's counter rises, nothing leaves). The module therefore sets
    C(net.ipv4.conf.all.route_localnet=1) in the namespace, and masquerades the translated packets whose source
    is in C(127.0.0.0/8), so that the backend sees the address of this host's outgoing interface and can answer.
    route_localnet also lets the namespace accept packets for C(127.0.0.0/8) arriving from outside; it is set
    only for O(local=true) with an IPv4 backend, and left as it is when the rule set is removed."
  - Connections to C(::1) cannot be forwarded; Linux never routes the IPv6 loopback address off the host.
    Connections from the host to its other IPv6 addresses are forwarded with O(local=true).
  - Connections made from this host to its own addresses use that address as source; they are forwarded like
    any other when the backend routes its replies through this host.
  - Traffic arriving from the backend's own side of the network to the forwarded address (hairpin NAT) needs
    O(masquerade_return=true), or the backend answers the client directly and the client drops the reply.
  - The DNAT applies to new connections. Connections already tracked by conntrack keep their translation
    after a change of the rule set until they end.
requirements:
  - nft (the nftables package, C(apt-get install nftables) / C(dnf install nftables)) on the managed host
seealso:
  - module: linuxnet.plumbing.masquerade
  - module: linuxnet.plumbing.firewall_rule
  - module: linuxnet.plumbing.net_info
'''

EXAMPLES = r'''
- name: Forward TCP port 3000 of the gateway's outside address to a server in the private network
  linuxnet.plumbing.dnat:
    netns: gateway
    name: web
    protocol: tcp
    port: 3000
    destination: [10.0.0.25]
    to: [192.168.0.2:3000]

- name: Forward port 3306 to a database server, also for clients on the gateway itself (127.0.0.1:3306)
  linuxnet.plumbing.dnat:
    netns: gateway
    name: db
    port: 3306
    to: ["192.0.2.50:3197"]
    local: true
    masquerade_return: true

- name: Spread port 80 over two web servers, strictly in turn
  linuxnet.plumbing.dnat:
    netns: lb
    name: vip
    port: 80
    destination: [203.0.113.10]
    in_interface: outside
    to: [10.0.1.11:8080, 10.0.1.12:8080]
    balance: round_robin
    masquerade_return: true

- name: Dual-stack forward of a UDP port range to one IPv4 and one IPv6 backend
  linuxnet.plumbing.dnat:
    netns: gateway
    name: game
    protocol: udp
    port: 27000-27015
    to: [10.0.1.20, "[2001:db8:1::20]"]

- name: Three port forwards in one transaction; other dnat rule sets of the namespace are removed
  linuxnet.plumbing.dnat:
    netns: gateway
    purge: true
    rule_sets:
      - {name: web, port: 3000, destination: [10.0.0.25], to: ["192.168.0.2:3000"]}
      - {name: ssh-a, port: 2201, to: ["192.168.0.3:22"]}
      - {name: dns, protocol: udp, port: 53, to: [192.168.0.4]}

- name: Remove the port forward
  linuxnet.plumbing.dnat:
    netns: gateway
    name: web
    state: absent
'''

RETURN = r'''
rules:
  description:
    - "The rules of the set as the kernel has them after the run (in check mode, as they would be), one readable
      line each, C(CHAIN: RULE  # lnp:dnat:NAME:INDEX)."
    - Empty after O(state=absent). Not meant to be parsed.
  returned: always
  type: list
  elements: str
  sample:
    - "prerouting: ip daddr 10.0.0.25 tcp dport 3000 counter dnat ip to 192.168.0.2:3000  # lnp:dnat:web:0"
    - "forward: meta nfproto ipv4 meta l4proto tcp ct status dnat ct saddr 192.168.0.2 ct proto-src 3000 counter accept  # lnp:dnat:web:1"
backends:
  description: The backends as understood, C(ADDRESS:PORT) or C([IPV6]:PORT) (a backend without a port that
    forwards a single port shows that port). Empty for O(state=absent).
  returned: always
  type: list
  elements: str
  sample: ["192.168.0.2:3000", "[2001:db8::2]:3000"]
counters:
  description:
    - The counters of the set's rules as the kernel reports them after the run (in check mode, as read before it,
      so empty for rules not yet created).
  returned: always
  type: list
  elements: dict
  contains:
    comment:
      description: The rule's comment, C(lnp:dnat:NAME:INDEX:ORDER:HASH).
      type: str
    chain:
      description: The chain of the rule.
      type: str
    packets:
      description: Packets counted.
      type: int
    bytes:
      description: Bytes counted.
      type: int
  sample:
    - {comment: "lnp:dnat:web:0:0:1a2b3c4d", chain: prerouting, packets: 12, bytes: 720}
rule_sets:
  description:
    - With O(rule_sets), one entry per listed rule set, in the order given - its name, state, rules, counters and
      backends as described above for the single form. RV(rules), RV(backends) and RV(counters) are then empty.
  returned: when O(rule_sets) is given
  type: list
  elements: dict
  sample:
    - name: web
      state: present
      rules: ["prerouting: ip daddr 10.0.0.25 tcp dport 3000 counter dnat ip to 192.168.0.2:3000  # lnp:dnat:web:0"]
      counters: [{comment: "lnp:dnat:web:0:0:1a2b3c4d", chain: prerouting, packets: 0, bytes: 0}]
      backends: ["192.168.0.2:3000"]
purged:
  description: The dnat rule sets removed (or, in check mode, to be removed) by O(purge).
  returned: when O(rule_sets) is given
  type: list
  elements: str
  sample: [old-forward]
route_localnet:
  description: The value of C(net.ipv4.conf.all.route_localnet) in the namespace after the run (see the notes).
  returned: when O(local=true) with an IPv4 backend
  type: str
  sample: "1"
actions:
  description: One line per change made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
  sample: ["add dnat rule set web (2 rules)"]
diff:
  description:
    - The rules (and C(route_localnet) when it is managed) before and after, as dictionaries.
    - With O(rule_sets), C(rule_sets) maps the name of each rule set that changes (or is purged) to its rules
      instead of C(rules).
  returned: always
  type: dict
  sample:
    before: {rules: []}
    after: {rules: ["prerouting: ip daddr 10.0.0.25 tcp dport 3000 counter dnat ip to 192.168.0.2:3000  # lnp:dnat:web:0"]}
'''

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import new_module, run_module
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import entered
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.nftables import (
    Nft,
    RuleSetPlan,
    RuleSpec,
    check_name,
    plan_rule_set,
    plan_rule_sets,
    require_nft,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.rule_sets import (
    each_element,
    element_spec,
    set_results,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import dnat as _dnat
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import sysctl as _sysctl

KIND = 'dnat'


def _read_sysctl(netns, key):
    with entered(netns):
        return _sysctl.read_value(key)


def _write_sysctl(netns, key, value):
    with entered(netns):
        _sysctl.write_value(key, value)


SET_OPTIONS = ('name', 'state', 'protocol', 'port', 'destination', 'in_interface', 'to', 'balance', 'local',
               'masquerade_return')
# The single form's options (shared with the topology module), name then optional, plus the list form.
ARGUMENT_SPEC = dict(_dnat.ARGUMENT_SPEC, name=dict(type='str'),
                     rule_sets=dict(type='list', elements='dict'), purge=dict(type='bool', default=False))
ELEMENT_SPEC = element_spec(ARGUMENT_SPEC, SET_OPTIONS)


def _plan_set(params):
    """One rule set's options -> (DnatSpec or None for absent, RuleSetPlan)."""
    check_name(KIND, params['name'])
    spec = _dnat.validate(params) if params['state'] == 'present' else None
    rules = [RuleSpec(r['chain'], r['expr'], r['family']) for r in _dnat.build_rules(spec)] if spec else []
    return spec, RuleSetPlan(params['name'], rules, 0, params['state'])


def _plan_route_localnet(tracker, netns, specs):
    """route_localnet=1 when a set forwards 127.0.0.1 (see the notes); {} or {'route_localnet': '1'}."""
    if not any(spec is not None and spec.needs_route_localnet for spec in specs):
        return {}
    key = _sysctl.SysctlKey(_dnat.ROUTE_LOCALNET_KEY)
    current = _read_sysctl(netns, key)
    tracker.compare('route_localnet', current, '1')
    if current != '1':
        where = " in namespace '%s'" % netns if netns else ''
        tracker.add('set %s = 1 (was %s)%s' % (key.dotted, current, where), _write_sysctl, netns, key, '1')
    return {'route_localnet': '1'}


def _read_back_route_localnet(netns, extra):
    if 'route_localnet' in extra:
        extra['route_localnet'] = _read_sysctl(netns, _sysctl.SysctlKey(_dnat.ROUTE_LOCALNET_KEY))


def body(module):
    params = module.params
    if params['rule_sets'] is not None:
        return body_list(module)
    if params['name'] is None:
        raise ValidationError('name', None, 'is required (or give rule_sets)')
    if params['purge']:
        raise ValidationError('purge', True, 'needs rule_sets (it removes the dnat rule sets not listed there)')
    netns = params['netns']
    spec, plan = _plan_set(params)

    tracker = DifferenceTracker()
    with Nft(netns, lock=True) as nft:
        plan_rule_set(tracker, nft, kind=KIND, name=plan.name, rules=plan.rules, order=0, state=plan.state)
        extra = _plan_route_localnet(tracker, netns, [spec])
        tracker.apply(module.check_mode)
        counters = nft.rule_counters(KIND, plan.name)
        lines = list(tracker.after.get('rules', []))

    if tracker.changed and not module.check_mode:
        with Nft(netns) as after:
            counters = after.rule_counters(KIND, plan.name)
            lines = after.rule_set_lines(KIND, plan.name)
        _read_back_route_localnet(netns, extra)
    return tracker.result(
        rules=lines,
        backends=[str(b) for b in spec.backends] if spec is not None else [],
        counters=counters,
        **extra)


def body_list(module):
    """rule_sets: every set checked first, then one transaction."""
    params = module.params
    netns = params['netns']
    elements = each_element(params['rule_sets'], ELEMENT_SPEC, _plan_set)
    specs = [spec for spec, dummy in elements]
    plans = [plan for dummy, plan in elements]

    tracker = DifferenceTracker()
    with Nft(netns, lock=True) as nft:
        purged, planned = plan_rule_sets(tracker, nft, KIND, plans, purge=params['purge'], verify=module.check_mode)
        extra = _plan_route_localnet(tracker, netns, specs)
        tracker.apply(module.check_mode)
        reading, read_back = nft, False
        if tracker.changed and not module.check_mode:
            reading, read_back = Nft(netns), True
            _read_back_route_localnet(netns, extra)
    sets = set_results(KIND, plans, planned, reading, read_back)
    for entry, spec in zip(sets, specs):
        entry['backends'] = [str(b) for b in spec.backends] if spec is not None else []
    # Rules, backends and counters are in rule_sets only: hundreds of sets twice over would slow every run.
    return tracker.result(
        rules=[], backends=[], counters=[],
        rule_sets=sets,
        purged=purged,
        **extra)


def main():
    module = new_module(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[('rule_sets', option) for option in SET_OPTIONS],
        required_one_of=[('name', 'rule_sets')],
        needs_pyroute2=False,
    )
    require_nft(module)
    run_module(module, body)


if __name__ == '__main__':
    main()
