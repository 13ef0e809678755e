#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: firewall_rule
short_description: Accept, drop or reject packets with nftables, with logging, counters, ordering and chain policies
version_added: 0.1.0
description:
  - Ensures one named filter rule is present or absent in the collection's own nftables table (C(table inet linuxnet))
    of a network namespace, and sets the default policy of its C(input), C(forward) and C(output) chains.
  - The collection's rules live only in C(table inet linuxnet); tables, chains and rules it does not own (Docker's,
    kube-proxy's, iptables-nft's, hand-written ones, even a rule added by hand into C(inet linuxnet)) are never
    changed, moved or flushed. Every owned rule carries a comment
    C(lnp:firewall_rule:NAME:INDEX:POSITION:HASH) that names its owner.
  - One O(name) may become several nft rules, all replaced together in one atomic transaction (C(nft -j -f -)).
    A rule with both IPv4 and IPv6 addresses becomes one rule per address family; a rule without addresses serves
    both families. With O(log_rate), the log is a rule of its own (C(limit rate ... log)) just before the rule
    with the verdict, so that packets over the rate are still accepted, dropped or rejected.
  - Every rule has a counter (returned in RV(counters) and reported by M(linuxnet.plumbing.net_info)).
  - Rules of a chain are kept in the order of (O(position), O(name)), whatever the order in which they were
    added, and a re-run moves nothing. A rule deleted by hand is put back at its place.
  - B(Chain policies live in this module.) O(policy) sets the default policy of O(chain). It can be given alone
    (without O(name) and rule options) or with a rule, in which case both are applied in one transaction.
  - Note that a packet dropped or rejected by any base chain on the same hook is dropped, whatever other
    tables accept; C(accept) here only ends the evaluation of this table.
  - Every option is checked before anything changes, and the whole transaction is checked with C(nft -c) first;
    bad input fails with a message that names the option and the value. User values only ever land in the
    JSON values of the transaction, so nothing passed in can inject nftables syntax.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
requirements:
  - nft (the C(nftables) package) on the managed host
options:
  name:
    description:
      - The rule's identity, unique in the namespace across M(linuxnet.plumbing.masquerade),
        M(linuxnet.plumbing.dnat) and this module (a name already used by another kind of rule set is refused).
      - Required, except when only O(policy) is set.
      - It may not contain quotes, backslashes or control characters, and must fit in the rule comment
        (127 bytes in all).
    type: str
  chain:
    description:
      - The filter chain of the rule (and of O(policy)). C(input) sees packets for this host, C(forward) packets
        routed through it, C(output) packets it sends.
      - The chains hook at priority C(0) (C(filter)).
      - Required, except with O(rule_sets) (each rule set names its chain there; O(chain) is then only the chain of
        O(policy)).
    type: str
    choices: [input, forward, output]
  action:
    description:
      - What happens to matching packets. Required with O(name) and O(state=present).
      - C(reject) answers TCP with a reset when O(protocol=tcp), and anything else with an ICMP or ICMPv6
        port unreachable (C(reject with icmpx port-unreachable)).
    type: str
    choices: [accept, drop, reject]
  protocol:
    description:
      - The transport protocol to match. When omitted (or C(any)), any protocol.
      - C(icmp) matches IPv4 only and C(icmpv6) IPv6 only; their addresses in O(source) and O(destination) must agree.
    type: str
    choices: [tcp, udp, icmp, icmpv6, any]
  source:
    description:
      - Match packets from these addresses or prefixes (any of them). A plain address means one host; a prefix
        with host bits set (C(10.0.0.1/24)) is refused. Overlapping prefixes are merged.
      - IPv4 and IPv6 may be mixed; the rule then becomes one nft rule per family.
    type: list
    elements: str
  destination:
    description:
      - Match packets to these addresses or prefixes (any of them), as O(source).
      - When both O(source) and O(destination) are given they must cover the same address families.
    type: list
    elements: str
  port:
    description:
      - Destination port(s) to match, with O(protocol=tcp) or O(protocol=udp) only.
      - A port (C(80)), a range (C("8000-8010")) or a list of those (C([80, 443, "8000-8010"])).
        Ports are 1-65535; a reversed range is refused. Overlapping and adjacent ports are merged.
    type: raw
  in_interface:
    description:
      - Match packets that arrived on this interface (C(iifname)); not in the C(output) chain.
      - The interface need not exist yet. A trailing C(*) matches every name with that prefix (C(veth*));
        iptables' C(+) is refused with a hint.
    type: str
  out_interface:
    description:
      - Match packets leaving through this interface (C(oifname)); not in the C(input) chain. As O(in_interface).
    type: str
  ct_state:
    description:
      - Match these connection tracking states (any of them), for example C([established, related]).
    type: list
    elements: str
    choices: [new, established, related, invalid, untracked]
  log:
    description:
      - Log matching packets. When omitted, logging is on if O(log_prefix), O(log_rate) or O(log_group) is set;
        V(false) together with one of those is refused.
      - B(Inside a network namespace) the kernel log stays silent unless the host-wide sysctl
        C(net.netfilter.nf_log_all_netns=1) is set in the initial namespace. This module never changes it.
        Use O(log_group) instead; packets go to an NFLOG group of the namespace, where a listener reads them
        (see the notes).
    type: bool
  log_prefix:
    description:
      - Text put in front of each log line, at most 127 bytes, without quotes, backslashes or control characters.
        End it with a space or C(:) to keep it apart from the packet fields.
    type: str
  log_rate:
    description:
      - Log at most this many packets, as C(N/second), C(N/minute), C(N/hour) or C(N/day) (nftables'
        C(limit rate), with its default burst of 5 packets). The verdict applies to every packet.
    type: str
  log_group:
    description:
      - Send the logged packets to this NFLOG group (0-65535, C(log group N)) instead of the kernel log.
        Works inside any network namespace without host-wide settings.
    type: int
  position:
    description:
      - The rule's place in its chain; the owned rules of a chain are ordered by (O(position), O(name)), lower first.
      - Rules of M(linuxnet.plumbing.dnat) (for example its C(forward) accepts) use position C(0).
    type: int
    default: 100
  policy:
    description:
      - Set the default policy of O(chain), applied to packets no rule accepted or dropped.
      - With O(policy=drop) on C(input), also accept what the host needs, for example O(ct_state=[established, related])
        for replies, and O(protocol=icmpv6) for IPv6 neighbour discovery.
      - When omitted, the policy is left as it is. O(state=absent) of a rule never changes the policy; set
        O(policy=accept) to restore the default. When the owned table holds no rule, no foreign object and no
        C(drop) policy any more, the table is removed.
    type: str
    choices: [accept, drop]
  policies:
    description:
      - Set the default policies of several chains in the same call and the same C(nft) transaction as the rules,
        for example C(drop) for both C(input) and C(forward); each chain as O(policy) sets it, and a chain left out
        keeps its policy.
      - Mutually exclusive with O(policy).
    type: dict
    version_added: 0.1.0
    suboptions:
      input:
        description: The policy of the C(input) chain.
        type: str
        choices: [accept, drop]
      forward:
        description: The policy of the C(forward) chain.
        type: str
        choices: [accept, drop]
      output:
        description: The policy of the C(output) chain.
        type: str
        choices: [accept, drop]
  state:
    description:
      - C(present) ensures the rule exists exactly as described (any difference replaces its nft rules);
        C(absent) removes the rules of O(name) (the other rule options are then ignored).
    type: str
    choices: [present, absent]
    default: present
  rule_sets:
    description:
      - Several rules in one task, applied as ONE C(nft) transaction (all or nothing), together with O(policy)
        when it is given.
      - Each element is a dictionary with the options of one rule, as for the single form - O(name) (required),
        O(chain) (required for O(state=present)), O(action), O(protocol), O(source), O(destination), O(port),
        O(in_interface), O(out_interface), O(ct_state), O(log), O(log_prefix), O(log_rate), O(log_group),
        O(position) and O(state) - with the same defaults and checks.
      - Every element is checked before anything is read or changed; an error names the element and option
        (C(rule_sets[3].port)) and the value. A name may be listed once.
      - Mutually exclusive with the single-rule options (except O(chain) and O(policy), for the policy).
    type: list
    elements: dict
  purge:
    description:
      - With O(rule_sets), also remove every firewall_rule rule of the namespace that is not listed (the rule sets
        of other modules, the policies and foreign rules are never touched).
    type: bool
    default: false
notes:
  - Runs of M(linuxnet.plumbing.masquerade), M(linuxnet.plumbing.dnat) and M(linuxnet.plumbing.firewall_rule) that
    change one namespace take turns - each holds the namespace's lock (C(/run/lock/linuxnet-nft-netINODE.lock))
    from reading the table to the end of its transaction, and waits at most 60 seconds for it - so concurrent runs
    never lose each other's rules.
  - Reading logged packets of O(log_group) inside a namespace. The collection ships a small listener,
    C(playbooks/files/nflog_reader.py) (pure Python, standard library only). Run it with
    C(python3 nflog_reader.py --netns NS --group N --output FILE --pidfile PIDFILE --daemon) (it returns once it
    listens) and stop it with C(python3 nflog_reader.py --stop --pidfile PIDFILE); on a managed host, run it through
    M(ansible.builtin.script). Each packet becomes one line in the kernel log's format,
    C(PREFIX IN=.. OUT=.. SRC=.. DST=.. PROTO=TCP SPT=.. DPT=..) (one JSON object per line with C(--format json)).
  - In the initial namespace, logging without O(log_group) writes to the kernel log as usual.
seealso:
  - module: linuxnet.plumbing.masquerade
  - module: linuxnet.plumbing.dnat
  - module: linuxnet.plumbing.net_info
  - name: libnftables-json(5)
    description: The JSON form of the nftables rules this module writes.
    link: https://manpages.debian.org/bookworm/libnftables1/libnftables-json.5.en.html
'''

EXAMPLES = r'''
- name: Drop what is not allowed on the way in
  linuxnet.plumbing.firewall_rule:
    netns: fw
    chain: input
    policy: drop

- name: Let replies in
  linuxnet.plumbing.firewall_rule:
    netns: fw
    name: established
    chain: input
    position: 10
    ct_state: [established, related]
    action: accept

- name: Allow HTTP and HTTPS to this host over IPv4 and IPv6
  linuxnet.plumbing.firewall_rule:
    netns: fw
    name: web
    chain: input
    protocol: tcp
    port: [80, 443]
    action: accept

- name: Forward SSH from the management hosts only, logged
  linuxnet.plumbing.firewall_rule:
    netns: fw
    name: mgmt-ssh
    chain: forward
    in_interface: inside
    source: [198.51.100.2, "2001:db8:123d:abc::2"]
    protocol: tcp
    port: 22
    action: accept
    log_prefix: "mgmt-ssh: "

- name: Log (at most 10 per minute) and drop everything else forwarded, readable from inside the namespace
  linuxnet.plumbing.firewall_rule:
    netns: fw
    name: drop-rest
    chain: forward
    position: 1000
    action: drop
    log_prefix: "fw-drop: "
    log_rate: 10/minute
    log_group: 7

- name: The whole input filter in one transaction; firewall rules not listed are removed
  linuxnet.plumbing.firewall_rule:
    netns: fw
    chain: input
    policy: drop
    purge: true
    rule_sets:
      - {name: established, chain: input, position: 10, ct_state: [established, related], action: accept}
      - {name: nd, chain: input, protocol: icmpv6, action: accept}
      - {name: web, chain: input, protocol: tcp, port: [80, 443], action: accept}

- name: Remove a rule
  linuxnet.plumbing.firewall_rule:
    netns: fw
    name: mgmt-ssh
    chain: forward
    state: absent
'''

RETURN = r'''
rules:
  description:
    - The nft rules of O(name) after the run (in check mode, as they would be), one readable line each
      in nft syntax rendered by the module, led by the chain name and ending with the owner comment; empty with
      O(state=absent) or without O(name).
  returned: always
  type: list
  elements: str
  sample:
    - 'input: tcp dport { 80, 443 } counter accept  # lnp:firewall_rule:web:0'
counters:
  description:
    - Packet and byte counters of the rules of O(name) as read from the kernel after the run (in check mode, the
      current rules). C(comment) is the owner comment of each nft rule.
  returned: always
  type: list
  elements: dict
  sample:
    - comment: lnp:firewall_rule:web:0:100:3f2a9c1b
      chain: input
      packets: 12
      bytes: 720
rule_sets:
  description:
    - With O(rule_sets), one entry per listed rule, in the order given - its name, state, rules (as RV(rules)) and
      counters (as RV(counters)). RV(rules) and RV(counters) are then empty.
  returned: when O(rule_sets) is given
  type: list
  elements: dict
  sample:
    - name: web
      state: present
      rules: ['input: tcp dport { 80, 443 } counter accept  # lnp:firewall_rule:web:0']
      counters: [{comment: "lnp:firewall_rule:web:0:100:3f2a9c1b", chain: input, packets: 0, bytes: 0}]
purged:
  description: The firewall_rule rules removed (or, in check mode, to be removed) by O(purge).
  returned: when O(rule_sets) is given
  type: list
  elements: str
  sample: [old-rule]
policy:
  description: The default policy of O(chain) after the run (C(accept) when the chain does not exist; null with O(rule_sets) and no O(chain)).
  returned: always
  type: str
  sample: drop
policies:
  description: The default policy after the run of each chain named in O(policies).
  returned: when O(policies) is given
  type: dict
  sample: {input: drop, forward: drop}
actions:
  description: What was done (or would be done in check mode), one line per transaction part.
  returned: always
  type: list
  elements: str
  sample:
    - add firewall_rule rule set web (1 rules)
diff:
  description:
    - C(rules) before and after as lists of readable lines (only with O(name)); C(policy) before and after as
      a dict mapping the chain to its policy (only with O(policy) or O(policies)).
    - With O(rule_sets), C(rule_sets) maps the name of each rule that changes (or is purged) to its lines.
  returned: always
  type: dict
  sample:
    before:
      rules: []
      policy: {input: accept}
    after:
      rules: ['input: tcp dport 80 counter accept  # lnp:firewall_rule:web:0']
      policy: {input: drop}
'''

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import (
    ModuleFailure,
    new_module,
    run_module,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import firewall as _firewall
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.firewall import (
    check_position,
    desired_rule,
    rule_options_given,
    rule_specs,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.nftables import (
    NFT_MISSING,
    Nft,
    NftError,
    RuleSetPlan,
    encode_comment,
    nft_available,
    plan_chain_policies,
    plan_chain_policy,
    plan_rule_set,
    plan_rule_sets,
    render_rule,
    rule_hash,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.rule_sets import (
    each_element,
    element_spec,
    set_results,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

KIND = 'firewall_rule'

SET_OPTIONS = ('name', 'chain', 'action', 'protocol', 'source', 'destination', 'port', 'in_interface',
               'out_interface', 'ct_state', 'log', 'log_prefix', 'log_rate', 'log_group', 'position', 'state')
# The single form's options (shared with the topology module), chain then optional, plus the list form.
CHAIN_POLICY = dict(type='str', choices=['accept', 'drop'])
ARGUMENT_SPEC = dict(_firewall.ARGUMENT_SPEC, chain=dict(type='str', choices=['input', 'forward', 'output']),
                     rule_sets=dict(type='list', elements='dict'), purge=dict(type='bool', default=False),
                     policies=dict(type='dict', options=dict(input=CHAIN_POLICY, forward=CHAIN_POLICY,
                                                             output=CHAIN_POLICY)))
ELEMENT_SPEC = element_spec(ARGUMENT_SPEC, SET_OPTIONS)


def given_policies(params):
    """{chain: policy} of the policies option, the chains it leaves out left out."""
    return dict((chain, policy) for chain, policy in (params.get('policies') or {}).items() if policy is not None)


def plan(module):
    """Validate everything; returns (name, specs, order) before anything is read."""
    params = module.params
    name = params['name']
    state = params['state']
    if params['chain'] is None and not (name is None and given_policies(params)):
        raise ValidationError('chain', None, 'is required (or give rule_sets)')
    if params['purge']:
        raise ValidationError('purge', True, 'needs rule_sets (it removes the firewall rules not listed there)')
    if name is None:
        if params['policy'] is None and not given_policies(params):
            raise ValidationError('name', name, 'is required (only a call that sets policy alone may omit it)')
        given = rule_options_given(params)
        if given:
            raise ValidationError('name', name, 'is required with option %s (a rule needs a name)' % given[0])
        if state == 'absent':
            raise ValidationError('name', name, 'is required with state absent (to reset a policy, set policy: accept)')
        return None, [], 0
    plan_ = _plan_set(params)
    return name, plan_.rules, plan_.order


def _plan_set(params):
    """One rule's options -> RuleSetPlan (checked, nothing read)."""
    order = check_position(params['position'])
    if params['state'] == 'absent':
        return RuleSetPlan(params['name'], [], order, 'absent')
    rule = desired_rule(params)
    return RuleSetPlan(params['name'], rule_specs(rule), rule.position)


def _rendered(name, specs, order):
    """Rendered from the desired rules (not from nft's re-rendering of the kernel's), so equal runs say the same."""
    return [render_rule(spec.chain, spec.full_expr(),
                        encode_comment(KIND, name, index, order, rule_hash(spec.chain, spec.expr, spec.family)))
            for index, spec in enumerate(specs)]


def _plan_policy(tracker, nft, params):
    if params['policy'] is not None:
        if params['chain'] is None:
            raise ValidationError('chain', None, 'is required with policy')
        plan_chain_policy(tracker, nft, params['chain'], params['policy'])
    elif given_policies(params):
        plan_chain_policies(tracker, nft, given_policies(params))


def _policies_after(reading, params):
    """The policies return value: each chain of the policies option as READING has it."""
    if params.get('policies') is None:
        return {}
    return dict(policies=dict((chain, reading.policy(chain)) for chain in given_policies(params)))


def body(module):
    params = module.params
    if params['rule_sets'] is not None:
        return body_list(module)
    netns = params['netns']
    chain = params['chain']
    name, specs, order = plan(module)
    if not nft_available():
        raise ModuleFailure(NFT_MISSING)
    tracker = DifferenceTracker()
    try:
        with Nft(netns, lock=True) as nft:
            if name is not None:
                plan_rule_set(tracker, nft, KIND, name, specs, order=order, state=params['state'])
            _plan_policy(tracker, nft, params)
            tracker.apply(module.check_mode)
            after = nft
            if tracker.changed and not module.check_mode:
                after = Nft(netns)   # the kernel's view: handles and counters of the new rules
            counters = after.rule_counters(KIND, name) if name is not None else []
            policy = after.policy(chain) if chain else None   # in check mode, the planned model
            policies = _policies_after(after, params)
    except NftError as exc:
        raise ModuleFailure(str(exc))
    return tracker.result(rules=_rendered(name, specs, order), counters=counters, policy=policy, **policies)


def body_list(module):
    """rule_sets: every rule checked first, then one transaction (with the policy)."""
    params = module.params
    netns = params['netns']
    plans = each_element(params['rule_sets'], ELEMENT_SPEC, _plan_set)
    if params['policy'] is not None and params['chain'] is None:
        raise ValidationError('chain', None, 'is required with policy')
    if not nft_available():
        raise ModuleFailure(NFT_MISSING)
    tracker = DifferenceTracker()
    try:
        with Nft(netns, lock=True) as nft:
            purged, dummy = plan_rule_sets(tracker, nft, KIND, plans, purge=params['purge'], verify=module.check_mode)
            _plan_policy(tracker, nft, params)
            tracker.apply(module.check_mode)
            reading = nft
            if tracker.changed and not module.check_mode:
                reading = Nft(netns)
            sets = set_results(KIND, plans, {}, reading)
            policy = reading.policy(params['chain']) if params['chain'] else None
            policies = _policies_after(reading, params)
    except NftError as exc:
        raise ModuleFailure(str(exc))
    for entry, plan_ in zip(sets, plans):
        entry['rules'] = _rendered(plan_.name, plan_.rules, plan_.order)
    return tracker.result(rules=[], counters=[], rule_sets=sets, purged=purged, policy=policy, **policies)


def main():
    module = new_module(argument_spec=ARGUMENT_SPEC, needs_pyroute2=False,
                        mutually_exclusive=[('rule_sets', option) for option in SET_OPTIONS if option != 'chain']
                        + [('policy', 'policies')])
    run_module(module, body)


if __name__ == '__main__':
    main()
