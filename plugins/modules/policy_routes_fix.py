#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: policy_routes_fix
short_description: Add the missing default route of every policy-routing table that a rule looks up, in one call
version_added: 0.1.0
description:
  - Helper of the P(linuxnet.plumbing.policy_routes#role) role (collection roles cannot carry their own modules) - the
    whole remediation of one host in one module call, over one netlink socket.
  - Reads the rules, the routes of every table and the addresses, as M(linuxnet.plumbing.net_info) does.
  - Plans as the filter P(linuxnet.plumbing.policy_routes_plan#filter) does - for every table that a rule of
    O(families) looks up (other than C(local), C(main), C(default) and O(exclude_tables)) and that lacks a default
    route, the default route through the interface the table already uses; tables whose interface or gateway
    cannot be determined are reported, never guessed.
  - Works out the path of the management connection before and after the plan, as the filter
    P(linuxnet.plumbing.policy_routes_management#filter) does, and refuses, before any change (also in check mode),
    a plan that would move it, or any plan while the management connection is unknown.
  - Adds the routes as one M(linuxnet.plumbing.ip_route) call with O(linuxnet.plumbing.ip_route#module:routes)
    would (each in its own table), reads them back and fails unless the kernel holds them.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
options:
  families:
    description: The address families whose rules are checked.
    type: list
    elements: str
    choices: [ipv4, ipv6]
    default: [ipv4, ipv6]
  exclude_tables:
    description: Table numbers never touched (reported as excluded), even when a rule looks them up.
    type: list
    elements: int
    default: []
  management_address:
    description:
      - The address the management connection comes from (the controller as the host sees it).
      - Empty finds it, with this host's end of the connection, from the C(SSH_CONNECTION) variable of the module's
        environment, unless O(connection) does not use the network or O(netns) is another namespace (the
        connection does not reach it). V(none) says there is no management connection to protect.
    type: str
    default: ""
  connection:
    description:
      - The short name of the connection plugin Ansible reaches the host with (C(ssh), C(local), C(podman), ...);
        connections that do not use the network have no management connection to protect.
    type: str
    default: ssh
'''

EXAMPLES = r'''
- name: Add the missing default routes of the policy-routing tables, IPv4 only, leaving table 51820 alone
  linuxnet.plumbing.policy_routes_fix:
    families: [ipv4]
    exclude_tables: [51820]
    connection: "{{ ansible_connection | default('ssh') | split('.') | last }}"
  register: fixing
'''

RETURN = r'''
actions:
  description: One line per route added (or, in check mode, to add).
  returned: always
  type: list
  elements: str
  sample: ["add route default via 192.0.2.1 dev eth3 metric 0 table 2"]
diff:
  description:
    - The routes of the tables that get a default route, before and after (the shape of
      M(linuxnet.plumbing.ip_route)'s list form); C(after) is the kernel's state read again after a real run.
  returned: always
  type: dict
  sample: {"before": {"routes": []}, "after": {"routes": []}}
result:
  description:
    - The role's per-host result (the fact C(policy_routes_result); see the role's README).
    - C(tables) every table looked up with its status (C(ok), C(fix), C(unresolved)); C(fixed) the fixes added (or,
      in check mode, to add); C(unresolved); C(excluded); C(changes) one line per fix; C(management) the management
      connection's path before and after; C(notes).
  returned: success
  type: dict
  sample: {"netns": "", "changed": true, "tables": [], "unresolved": [], "excluded": [],
           "fixed": [{"family": "ipv4", "table": 2, "dev": "eth3", "gateway": "192.0.2.1",
                      "source": "the host route of the table"}],
           "changes": ["ipv4 table 2: default via 192.0.2.1 dev eth3"],
           "management": {"address": "", "source": null, "before": null, "after": null, "moved": false, "by": [],
                          "note": "no management connection to protect (connection local does not use the network)"},
           "notes": ["no management connection to protect (connection local does not use the network)"]}
'''

import os

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import new_module, run_module
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError, parse_address
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.facts import CURRENT, Gatherer
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.routes import apply_route_list
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.management import management_connection
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.policy_routes import (
    policy_routes_describe,
    policy_routes_fixed,
    policy_routes_management,
    policy_routes_plan,
    policy_routes_routes,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import MAIN_TABLE, family_version
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import netns_exists, netns_path

MGMT_VARIABLE = 'policy_routes_management_address'


def management(params):
    """{address, source, known, note}: the management connection as far as it can be known here."""
    explicit = (params['management_address'] or '').strip()
    if explicit and explicit != 'none':
        parse_address(MGMT_VARIABLE, explicit)
    if params['netns'] and not explicit:
        return dict(address='', source='', known=True,
                    note='no management connection to protect in namespace %s' % params['netns'])
    # the module's environment is what the role's environment facts (ansible_env) would report
    return management_connection(explicit, params['connection'], os.environ.get('SSH_CONNECTION', ''), MGMT_VARIABLE)


def refusal(mgmt, plan, path):
    """The message that refuses the plan before any change, or None."""
    if plan['fixes'] and not mgmt['known']:
        return ('policy_routes: %s. Refusing to add %d default route(s) (%s) without knowing whether they would take '
                'over the connection Ansible uses.'
                % (mgmt['note'], len(plan['fixes']), '; '.join(policy_routes_describe(f) for f in plan['fixes'])))
    if path['moved']:
        return ('policy_routes: the management connection from %s (to this host\'s %s) goes %s; adding %s would send '
                'it %s. %sNothing was changed. Exclude the table (policy_routes_exclude_tables), or set '
                'policy_routes_management_address=none when the new path is known to work.'
                % (path['address'], path['source'] or 'address', path['before'],
                   '; '.join(policy_routes_describe(f) for f in path['by']), path['after'],
                   path['note'] + '. ' if path['note'] else ''))
    return None


def body(module):
    params = module.params
    netns = params['netns']
    if netns is not None and not netns_exists(netns):
        raise ValidationError('netns', netns, 'is not an existing network namespace (no %s)' % netns_path(netns))
    mgmt = management(dict(params, netns=netns or ''))
    excluded = params['exclude_tables'] or []
    gatherer = Gatherer([netns or CURRENT], ['rules', 'routes', 'addresses'])
    try:
        target = gatherer.targets[0]
        facts = gatherer.collect()[target.key]
        rules = [r for r in facts['rules'] if r.get('family') in params['families'] and r.get('table') not in excluded]
        plan = policy_routes_plan(rules, facts['routes'])
        path = policy_routes_management(plan['fixes'], facts['rules'], facts['routes'], facts['addresses'],
                                        mgmt['address'], mgmt['source'])
        message = refusal(mgmt, plan, path)
        if message:
            raise ModuleFailure(message, plan=plan, management=path)
        if plan['fixes']:
            routes = policy_routes_routes(plan['fixes'])
            versions = set(family_version(route['family']) for route in routes)
            tracker, dummy, dummy2 = apply_route_list(gatherer.socket(target), dict(routes=routes, state='present'),
                                                      MAIN_TABLE, versions, module.check_mode)
        else:
            tracker = DifferenceTracker({'routes': []}, {'routes': []})
    finally:
        gatherer.close()
    fixed = policy_routes_fixed(plan['fixes'], tracker.result())
    note = mgmt['note'] or path['note']
    result = dict(netns=netns or '', changed=bool(fixed), tables=plan['tables'], fixed=fixed,
                  unresolved=plan['unresolved'], excluded=excluded,
                  changes=[policy_routes_describe(f) for f in fixed], management=dict(path, note=note),
                  notes=[u['reason'] for u in plan['unresolved']] + ([mgmt['note']] if mgmt['note'] else []))
    return tracker.result(result=result)


def main():
    module = new_module(argument_spec=dict(
        families=dict(type='list', elements='str', choices=['ipv4', 'ipv6'], default=['ipv4', 'ipv6']),
        exclude_tables=dict(type='list', elements='int', default=[]),
        management_address=dict(type='str', default=''),
        connection=dict(type='str', default='ssh'),
    ))
    run_module(module, body)


if __name__ == '__main__':
    main()
