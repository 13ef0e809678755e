#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: masquerade
short_description: Source NAT (masquerade) of traffic leaving a namespace, with nftables
description:
  - Rewrites the source address of packets leaving through O(out_interface) and/or coming from O(source) to the
    address of the outgoing interface (nftables C(masquerade)), so that hosts behind this one reach networks that
    have no route back to them.
  - The rules live in the collection's own nftables table C(inet linuxnet), chain C(postrouting)
    (C(type nat hook postrouting priority srcnat)), each tagged with the comment
    C(lnp:masquerade:NAME:INDEX:0:HASH). Tables, chains and rules that this collection does not own are never
    changed. The table is created with the first rule and removed with the last one (unless a chain policy or
    a rule added by hand is still in it).
  - O(name) is the identity of the rule set. Running the module again with other options replaces the rule set
    as a whole, in one nftables transaction; a rule deleted by hand is restored on the next run.
  - One rule per address family. Without O(source) one rule matches IPv4 and IPv6 (split per family when
    O(exclude) is given). Every rule has a counter, reported in RV(counters).
  - nftables is driven through C(nft -j) (JSON) run inside the namespace; no rule text is ever built from the
    options, so no value can inject nftables syntax.
version_added: 0.1.0
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
options:
  name:
    description:
      - The name of the rule set (its identity). Letters, digits and punctuation except quotes and C(\);
        the rule comment C(lnp:masquerade:NAME:...) must fit in 127 bytes.
      - A name already used by a M(linuxnet.plumbing.dnat) or M(linuxnet.plumbing.firewall_rule) rule set in the
        same namespace is refused.
      - Required unless O(rule_sets) is given.
    type: str
  out_interface:
    description:
      - Masquerade packets leaving through this interface (C(oifname)). The interface does not need to exist yet.
      - A trailing C(*) matches every interface whose name starts with the text before it (V(veth*)).
      - At least one of O(out_interface) and O(source) is required with O(state=present).
    type: str
  source:
    description:
      - Masquerade packets whose source address is in one of these prefixes (IPv4 and/or IPv6), for example
        V(10.0.0.0/24) or V(2001:db8:1::/64). A plain address means a single host.
      - A prefix with host bits set (V(10.0.0.1/24)) is refused.
    type: list
    elements: str
    default: []
  exclude:
    description:
      - Destination prefixes that are NOT masqueraded (traffic to them keeps its source address), for example the
        other private networks reached through the same uplink.
      - Each prefix must be of a family that O(source) has (when O(source) is given).
    type: list
    elements: str
    default: []
  forwarding:
    description:
      - Also turn on forwarding in the namespace (C(net.ipv4.ip_forward=1) and C(net.ipv6.conf.all.forwarding=1)),
        which a NAT gateway needs.
      - V(false) leaves the forwarding settings as they are (it never turns forwarding off), as does
        O(state=absent).
    type: bool
    default: false
  state:
    description:
      - V(present) makes the rule set exactly as described; V(absent) removes it (other options are ignored).
    type: str
    choices: [present, absent]
    default: present
  rule_sets:
    description:
      - Several rule sets in one task, applied as ONE C(nft) transaction (all or nothing).
      - Each element is a dictionary with the options of one rule set, as for the single form - O(name) (required),
        O(out_interface), O(source), O(exclude) and O(state) - with the same defaults and checks. O(forwarding)
        stays a task option (it is set when a listed rule set is present).
      - Every element is checked before anything is read or changed; an error names the element and option
        (C(rule_sets[3].source)) and the value. A name may be listed once.
      - Mutually exclusive with the single-rule-set options.
    type: list
    elements: dict
  purge:
    description:
      - With O(rule_sets), also remove every masquerade rule set of the namespace that is not listed (the rule sets
        of other modules and foreign rules are never touched).
    type: bool
    default: false
requirements:
  - the C(nft) command (nftables 0.9.3 or newer, C(apt-get install nftables) / C(dnf install nftables))
notes:
  - Runs of M(linuxnet.plumbing.masquerade), M(linuxnet.plumbing.dnat) and M(linuxnet.plumbing.firewall_rule) that
    change one namespace take turns - each holds the namespace's lock (C(/run/lock/linuxnet-nft-netINODE.lock))
    from reading the table to the end of its transaction, and waits at most 60 seconds for it - so concurrent runs
    never lose each other's rules.
  - Masquerade picks the outgoing interface's address for every connection; for a fixed address use SNAT
    (not provided by this module).
  - Forwarded traffic also has to pass the C(forward) filter chain; with a V(drop) policy set through
    M(linuxnet.plumbing.firewall_rule), allow it there.
seealso:
  - module: linuxnet.plumbing.dnat
  - module: linuxnet.plumbing.firewall_rule
  - module: linuxnet.plumbing.net_info
'''

EXAMPLES = r'''
- name: Masquerade the inside network out of the uplink, and forward
  linuxnet.plumbing.masquerade:
    name: lan
    netns: gateway
    out_interface: uplink0
    source:
      - 10.0.0.0/24
      - 2001:db8:1::/64
    forwarding: true

- name: Masquerade everything leaving eth0 except traffic to the other private networks
  linuxnet.plumbing.masquerade:
    name: uplink
    out_interface: eth0
    exclude:
      - 10.0.0.0/8
      - 172.16.0.0/12
      - 192.168.0.0/16

- name: Two uplinks in one transaction; masquerade rule sets not listed are removed
  linuxnet.plumbing.masquerade:
    netns: gateway
    forwarding: true
    purge: true
    rule_sets:
      - {name: lan-a, out_interface: uplink0, source: [10.0.0.0/24]}
      - {name: lan-b, out_interface: uplink1, source: [10.0.1.0/24]}

- name: Remove the rule set again
  linuxnet.plumbing.masquerade:
    name: lan
    netns: gateway
    state: absent
'''

RETURN = r'''
rules:
  description:
    - The rule set as the kernel has it after the run (empty after O(state=absent)), one readable line per rule,
      written as the chain, a colon, the rule in nft syntax and the owner after C(#); in check mode, the rules as
      they would be. Not meant to be parsed.
  returned: always
  type: list
  elements: str
  sample:
    - 'postrouting: oifname "uplink0" ip saddr 10.0.0.0/24 counter masquerade  # lnp:masquerade:lan:0'
    - 'postrouting: oifname "uplink0" ip6 saddr 2001:db8:1::/64 counter masquerade  # lnp:masquerade:lan:1'
rule_sets:
  description:
    - With O(rule_sets), one entry per listed rule set, in the order given - its name, state, rules (as RV(rules))
      and counters (as RV(counters)). RV(rules) and RV(counters) are then empty.
  returned: when O(rule_sets) is given
  type: list
  elements: dict
  sample:
    - name: lan-a
      state: present
      rules: ['postrouting: oifname "uplink0" ip saddr 10.0.0.0/24 counter masquerade  # lnp:masquerade:lan-a:0']
      counters: [{comment: "lnp:masquerade:lan-a:0:0:1f2e3d4c", chain: postrouting, packets: 0, bytes: 0}]
purged:
  description: The masquerade rule sets removed (or, in check mode, to be removed) by O(purge).
  returned: when O(rule_sets) is given
  type: list
  elements: str
  sample: [old-lan]
counters:
  description: Packet and byte counters of the rule set's rules as the kernel reports them after the run
    (empty in check mode for rules not yet created).
  returned: always
  type: list
  elements: dict
  sample:
    - {comment: "lnp:masquerade:lan:0:0:1f2e3d4c", chain: postrouting, packets: 12, bytes: 1008}
forwarding:
  description: The forwarding sysctls of the namespace after the run (only when O(forwarding=true)).
  returned: when O(forwarding=true) and O(state=present)
  type: dict
  sample: {net.ipv4.ip_forward: "1", net.ipv6.conf.all.forwarding: "1"}
actions:
  description: One line per change made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
  sample: ["add masquerade rule set lan (2 rules)"]
diff:
  description:
    - The rules (readable lines) and forwarding settings before and after.
    - With O(rule_sets), C(rule_sets) maps the name of each rule set that changes (or is purged) to its rules
      instead of C(rules).
  returned: always
  type: dict
  sample:
    before: {rules: []}
    after: {rules: ['postrouting: oifname "uplink0" ip saddr 10.0.0.0/24 counter masquerade  # lnp:masquerade:lan:0']}
'''

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import new_module, run_module
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import entered
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import masquerade as _masquerade
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import nftables as _nft
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import rule_sets as _rule_sets
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import sysctl as _sysctl

KIND = _masquerade.KIND
FORWARDING_KEYS = ('net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding')


SET_OPTIONS = ('name', 'out_interface', 'source', 'exclude', 'state')
# The single form's options (shared with the topology module), name then optional, plus the list form.
ARGUMENT_SPEC = dict(_masquerade.ARGUMENT_SPEC, name=dict(type='str'),
                     rule_sets=dict(type='list', elements='dict'), purge=dict(type='bool', default=False))
ELEMENT_SPEC = _rule_sets.element_spec(ARGUMENT_SPEC, SET_OPTIONS)


def _plan_set(params):
    """One rule set's options -> RuleSetPlan (checked, nothing read)."""
    name, rules = _masquerade.validate(params)
    return _nft.RuleSetPlan(name, rules, 0, params['state'])


def _read_forwarding(netns):
    values = {}
    with entered(netns):
        for text in FORWARDING_KEYS:
            key = _sysctl.parse_key('forwarding', text)
            found = _sysctl.expand('forwarding', key, must_exist=False, netns=netns)
            values[text] = _sysctl.read_value(found[0]) if found else None
    return values


def _write_forwarding(netns, keys):
    with entered(netns):
        for text in keys:
            _sysctl.write_value(_sysctl.parse_key('forwarding', text), '1')


def _plan_forwarding(tracker, netns):
    """Forwarding on (never off); the desired values, for the result."""
    current = _read_forwarding(netns)
    missing = [k for k in FORWARDING_KEYS if current[k] is None]
    if 'net.ipv4.ip_forward' in missing:
        raise ValidationError('forwarding', True, 'cannot be set: net.ipv4.ip_forward does not exist here')
    desired = dict((k, '1' if current[k] is not None else None) for k in FORWARDING_KEYS)
    tracker.compare('forwarding', current, desired)
    to_set = [k for k in FORWARDING_KEYS if current[k] is not None and current[k] != '1']
    if to_set:
        tracker.add('set %s = 1' % ', '.join(to_set), _write_forwarding, netns, to_set)
    return desired


def body(module):
    params = module.params
    if params['rule_sets'] is not None:
        return body_list(module)
    if params['name'] is None:
        raise ValidationError('name', None, 'is required (or give rule_sets)')
    if params['purge']:
        raise ValidationError('purge', True, 'needs rule_sets (it removes the masquerade rule sets not listed there)')
    netns = params['netns']
    plan = _plan_set(params)
    name = plan.name

    tracker = DifferenceTracker()
    forwarding = None
    with _nft.Nft(netns, lock=True) as nft:
        _nft.plan_rule_set(tracker, nft, KIND, name, plan.rules, order=0, state=plan.state)
        if params['forwarding'] and plan.state == 'present':
            forwarding = _plan_forwarding(tracker, netns)
        tracker.apply(module.check_mode)
        counters = nft.rule_counters(KIND, name)
        lines = tracker.after.get('rules', [])
    if tracker.changed and not module.check_mode:
        with _nft.Nft(netns) as after:
            counters = after.rule_counters(KIND, name)
            lines = after.rule_set_lines(KIND, name)
        if forwarding is not None:
            forwarding = _read_forwarding(netns)
    extra = dict(rules=lines, counters=counters)
    if forwarding is not None:
        extra['forwarding'] = forwarding
    return tracker.result(**extra)


def body_list(module):
    """rule_sets: every set checked first, then one transaction."""
    params = module.params
    netns = params['netns']
    plans = _rule_sets.each_element(params['rule_sets'], ELEMENT_SPEC, _plan_set)

    tracker = DifferenceTracker()
    forwarding = None
    with _nft.Nft(netns, lock=True) as nft:
        purged, planned = _nft.plan_rule_sets(tracker, nft, KIND, plans, purge=params['purge'],
                                              verify=module.check_mode)
        if params['forwarding'] and any(plan.state == 'present' for plan in plans):
            forwarding = _plan_forwarding(tracker, netns)
        tracker.apply(module.check_mode)
        reading, read_back = nft, False
        if tracker.changed and not module.check_mode:
            reading, read_back = _nft.Nft(netns), True
            if forwarding is not None:
                forwarding = _read_forwarding(netns)
    extra = dict(rules=[], counters=[], purged=purged,
                 rule_sets=_rule_sets.set_results(KIND, plans, planned, reading, read_back))
    if forwarding is not None:
        extra['forwarding'] = forwarding
    return tracker.result(**extra)


def main():
    module = new_module(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[('rule_sets', option) for option in SET_OPTIONS],
        required_one_of=[('name', 'rule_sets')],
        needs_pyroute2=False,
    )
    _nft.require_nft(module)
    run_module(module, body)


if __name__ == '__main__':
    main()
