#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ip_rule
short_description: Manage IPv4 and IPv6 policy-routing rules in a network namespace
version_added: 0.1.0
description:
  - Ensures one policy-routing rule (C(ip rule)) is present or absent in a network namespace, over netlink (pyroute2).
  - A rule is identified by its address family, O(priority) and selectors (O(src), O(dst), O(iif), O(oif),
    O(fwmark)). A rule that also uses selectors this module does not manage (for example C(uidrange), C(tos),
    C(ipproto), C(not)) never counts as the rule asked for, and is never removed.
  - When a rule with the same selectors and priority exists with another O(action) or O(table), the new rule is
    added first and the old one removed after it, so matching traffic is never left without a rule.
  - Every option is checked before anything changes; bad input fails with a message that names the option
    and the value.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
options:
  priority:
    description:
      - The rule's priority (C(pref)), 0-4294967295; rules are tried in increasing order.
      - The kernel's own rules sit at C(0) (C(lookup local)), C(32766) (C(lookup main)) and C(32767)
        (C(lookup default)); use other priorities for your rules.
      - When omitted, a rule with the same selectors at any priority counts as present; a new rule gets the
        priority C(ip rule add) would give it, one below the lowest non-zero priority in use (C(32765) on a fresh
        namespace). With O(state=absent), an omitted priority matches every priority.
    type: int
  src:
    description:
      - Match packets from this prefix (C(from)). A plain address means C(/32) or C(/128). Host bits are refused.
    type: str
  dst:
    description:
      - Match packets to this prefix (C(to)). A plain address means C(/32) or C(/128). Host bits are refused.
    type: str
  iif:
    description:
      - Match packets arriving on this interface (C(lo) means locally generated). The interface need not exist yet.
    type: str
  oif:
    description:
      - Match packets leaving through this interface (for sockets bound to it). The interface need not exist yet.
    type: str
  fwmark:
    description:
      - Match the packet's firewall mark, C(MARK) or C(MARK/MASK) in decimal or C(0x) hex, for example C(0x10) or
        C(0x10/0xff). Returned canonically as lower-case hex, the mask omitted when it is C(0xffffffff).
      - A mask without a mark (C(/0xff)) is refused, and so is a bare C(0) (the kernel ignores it; write
        C(0/0xffffffff) to match unmarked packets).
    type: str
  table:
    description:
      - The table to look up with O(action=lookup), as a number or a name from C(rt_tables) (see
        M(linuxnet.plumbing.ip_route) for where names are read). Defaults to C(main) when O(state=present).
      - An unknown name is an error, and so is a table with another action.
      - With O(state=absent), an omitted table matches any table.
    type: raw
  action:
    description:
      - What the rule does with matching packets. C(lookup) (the default when O(state=present)) consults O(table);
        C(blackhole) drops silently; C(unreachable) and C(prohibit) drop with an ICMP error.
      - With O(state=absent), an omitted action matches any action.
    type: str
    choices: [lookup, blackhole, unreachable, prohibit]
  family:
    description:
      - The address family, needed only when neither O(src) nor O(dst) is given (IPv4 then by default).
      - Must agree with O(src) and O(dst).
    type: str
    choices: [ipv4, ipv6]
  state:
    description:
      - C(present) ensures the rule exists; C(absent) removes exactly the rules with these selectors (and
        O(priority), O(action), O(table) when given), nothing broader or narrower.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The kernel removes rules by matching only the fields a request names. When an earlier rule at the same
    priority would match the request for the rule to remove (for example C(100 from 10.0.0.0/8 fwmark 0x1 lookup 5)
    before C(100 fwmark 0x1 lookup 5)), the module refuses rather than remove the wrong rule; give such rules
    distinct priorities.
  - Removing the kernel's own rules (for example C(0 from all lookup local)) is allowed but warned about.
seealso:
  - module: linuxnet.plumbing.ip_route
'''

EXAMPLES = r'''
- name: Marked packets use table 100
  linuxnet.plumbing.ip_rule:
    netns: router
    priority: 1000
    fwmark: 0x10/0xff
    table: 100

- name: Traffic from one subnet uses the ISP2 table (a name from rt_tables.d)
  linuxnet.plumbing.ip_rule:
    priority: 1100
    src: 192.0.2.0/24
    table: isp2

- name: Traffic arriving on veth-a to 198.51.100.0/24 is refused with an ICMP error
  linuxnet.plumbing.ip_rule:
    netns: router
    priority: 1200
    iif: veth-a
    dst: 198.51.100.0/24
    action: prohibit

- name: IPv6 rule
  linuxnet.plumbing.ip_rule:
    priority: 1000
    src: 2001:db8:1::/48
    table: 200

- name: Remove exactly one rule
  linuxnet.plumbing.ip_rule:
    priority: 1000
    fwmark: 0x10/0xff
    state: absent
'''

RETURN = r'''
rule:
  description:
    - The rule after the run (in check mode, as it would be); C(null) with O(state=absent).
    - C(table) is C(null) for actions other than C(lookup). C(other) appears only on rules read from the kernel
      that use selectors this module does not manage.
  returned: success
  type: dict
  sample:
    family: ipv4
    priority: 1000
    action: lookup
    table: 100
    src: null
    dst: null
    iif: null
    oif: null
    fwmark: 0x10/0xff
    proto: unspec
actions:
  description: What was done (or would be done in check mode), one line per change.
  returned: always
  type: list
  elements: str
  sample:
    - "add rule 1000: from all fwmark 0x10/0xff lookup 100"
diff:
  description:
    - The rule before and after, as dicts with the keys of RV(rule) (an empty dict when there is no such rule).
      When O(state=absent) removes several rules, C(other_rules) lists the further ones.
    - C(after) is the kernel's state read again after a real run (in check mode, the plan). The module fails,
      naming its actions and the difference, when that reading is not what it planned.
  returned: always
  type: dict
  sample:
    before: {}
    after:
      family: ipv4
      priority: 1000
      action: lookup
      table: 100
      src: null
      dst: null
      iif: null
      oif: null
      fwmark: 0x10/0xff
      proto: unspec
'''

import socket

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import (
    ModuleFailure,
    netlink_error_text,
    new_module,
    run_module,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import Netlink, NetlinkError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.rt_tables import RtTables
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.rules import (
    describe,
    desired_rule,
    plan_absent,
    plan_present,
    rule_from_msg,
    rule_request,
)

ARGUMENT_SPEC = dict(
    priority=dict(type='int'),
    src=dict(type='str'),
    dst=dict(type='str'),
    iif=dict(type='str'),
    oif=dict(type='str'),
    fwmark=dict(type='str'),
    table=dict(type='raw'),
    action=dict(type='str', choices=['lookup', 'blackhole', 'unreachable', 'prohibit']),
    family=dict(type='str', choices=['ipv4', 'ipv6']),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
)


def read_rules(nl, family):
    fam = socket.AF_INET if family == 'ipv4' else socket.AF_INET6
    return [rule_from_msg(msg) for msg in nl.rule_msgs(fam)]


def run_op(nl, op, rule, description):
    try:
        nl.change_rule('add' if op == 'add' else 'del', **rule_request(rule))
    except NetlinkError as exc:
        raise ModuleFailure('%s: the kernel refused it: %s' % (description, netlink_error_text(exc)))


def body(module):
    params = module.params
    netns = params['netns']
    desired = desired_rule(params, RtTables.load(netns))
    with Netlink(netns) as nl:

        def plan(rules):
            if params['state'] == 'present':
                return plan_present(desired, rules)
            return plan_absent(desired, rules)

        def replan():
            now, dummy, pending = plan(read_rules(nl, desired['family']))
            return now, pending

        before, after, ops = plan(read_rules(nl, desired['family']))
        tracker = DifferenceTracker(before, after)
        for op, rule in ops:
            text = '%s rule %s' % (op, describe(rule))
            if op == 'delete' and rule.get('proto') == 'kernel':
                module.warn('removing one of the kernel\'s own rules (%s); traffic may stop being routed' % describe(rule))
            tracker.add(text, run_op, nl, op, rule, text)
        tracker.apply(module.check_mode)
        # the kernel's reading becomes "after": it fills in what the plan leaves open (proto)
        after = tracker.verify_by_planning(replan)
    rule = dict(after) if params['state'] == 'present' else None
    return tracker.result(rule=rule)


def main():
    module = new_module(argument_spec=ARGUMENT_SPEC)
    run_module(module, body)


if __name__ == '__main__':
    main()
