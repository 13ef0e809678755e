# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The firewall role's rule sets, as the rule_sets lists of ONE dnat and ONE
firewall_rule call (and the masquerade call's options), from the role's
variables and the rule sets found in the collection's table.

The role does not use the modules' purge: purge removes every rule set of a
kind in the namespace, and other roles (nat_gateway, a second firewall_name)
may own firewall_rule or dnat rule sets there. Stale sets are found by the
role's own name prefixes instead and listed with state absent.

Pure logic (no I/O); the filter linuxnet.plumbing.firewall_plan wraps it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.module_utils.parsing.convert_bool import boolean

FINAL_POSITION = 900
POLICY_CHAINS = ['input', 'forward']


def _dnat(service):
    """A service with a non-empty dnat_to is port-forwarded (an empty one is a plain accept)."""
    return bool(service.get('dnat_to'))


def _listed(value):
    return value if isinstance(value, list) else [value]


def dnat_conflicts(inbound_services):
    """Why each port-forwarded service is refused: source or log cannot apply to a dnat rule set."""
    problems = []
    for svc in inbound_services:
        if not _dnat(svc):
            continue
        prefix = "firewall_inbound_services: service '%s' has dnat_to %s" % (svc['name'], json.dumps(svc['dnat_to']))
        if svc.get('source') is not None:
            problems.append('%s and source %s' % (prefix, json.dumps(svc['source'])))
        if svc.get('log'):
            problems.append('%s and log %s' % (prefix, json.dumps(svc['log'])))
    return problems


def _base_rules(cfg):
    """The fixed accept/drop rules, each with whether the variables want it."""
    name = cfg['name']
    inside, outside = cfg['inside_interface'], cfg['outside_interface']
    between = {'chain': 'forward', 'in_interface': inside, 'out_interface': outside, 'action': 'accept'}
    rules = [
        ({'name': name + '-in-established', 'chain': 'input', 'ct_state': ['established', 'related'],
          'action': 'accept', 'position': 10}, True),
        ({'name': name + '-in-invalid', 'chain': 'input', 'ct_state': ['invalid'], 'action': 'drop', 'position': 11},
         True),
        ({'name': name + '-in-loopback', 'chain': 'input', 'in_interface': 'lo', 'action': 'accept', 'position': 12},
         True),
        # Neighbour solicitations/advertisements (and MLD) are not tracked by
        # conntrack (ct state untracked); without them IPv6 stops working.
        ({'name': name + '-in-nd', 'chain': 'input', 'protocol': 'icmpv6', 'ct_state': ['untracked'],
          'action': 'accept', 'position': 13}, True),
        ({'name': name + '-in-noise', 'chain': 'input', 'destination': list(cfg['noise_destinations']),
          'action': 'drop', 'position': 20}, len(cfg['noise_destinations']) > 0),
        ({'name': name + '-fwd-established', 'chain': 'forward', 'ct_state': ['established', 'related'],
          'action': 'accept', 'position': 10}, True),
        ({'name': name + '-fwd-invalid', 'chain': 'forward', 'ct_state': ['invalid'], 'action': 'drop',
          'position': 11}, True),
        (dict(between, name=name + '-icmp-out', protocol='icmp', position=60), cfg['allow_icmp_out']),
        (dict(between, name=name + '-icmpv6-out', protocol='icmpv6', position=60), cfg['allow_icmp_out']),
        (dict(between, name=name + '-outbound', position=61), cfg['allow_outbound']),
    ]
    return [dict(rule, state='present' if wanted else 'absent') for rule, wanted in rules]


def _final_rules(cfg):
    """The log-and-drop rules at the end of the input and forward chains."""
    log = bool(cfg['log'])
    out = []
    for chain, suffix in (('input', '-in-drop'), ('forward', '-fwd-drop')):
        rule = {'name': cfg['name'] + suffix, 'chain': chain, 'action': 'drop', 'log': log,
                'position': FINAL_POSITION}
        if log:
            rule['log_prefix'] = cfg['log_prefix']
            if cfg['log_rate']:
                rule['log_rate'] = cfg['log_rate']
            if cfg['log_group'] is not None:
                rule['log_group'] = cfg['log_group']
        out.append(rule)
    return out


def _service_rule(cfg, svc, **rule):
    """An accept rule of a service, logged when the service (or log_accepted) says so."""
    log = bool(cfg['log_accepted'] if svc.get('log') is None else svc['log'])
    rule.update(protocol=svc.get('protocol') or 'tcp', port=svc['port'], action='accept', log=log)
    if svc.get('source') is not None:
        rule['source'] = svc['source']
    if log:
        rule['log_prefix'] = cfg['accept_log_prefix']
        if cfg['log_group'] is not None:
            rule['log_group'] = cfg['log_group']
    return rule


def _dnat_set(cfg, svc):
    out = {'name': '%s-dnat-%s' % (cfg['name'], svc['name']), 'in_interface': cfg['outside_interface'],
           'protocol': svc.get('protocol') or 'tcp', 'port': svc['port'], 'to': _listed(svc['dnat_to'])}
    if svc.get('destination'):
        out['destination'] = _listed(svc['destination'])
    if svc.get('balance') is not None:
        out['balance'] = svc['balance']
    return out


def _owned(name, kind, rule_name):
    """Whether a found rule set is one of the role's service sets (by its name prefix)."""
    if kind == 'firewall_rule':
        return rule_name.startswith(name + '-mgmt-') or rule_name.startswith(name + '-svc-')
    return kind == 'dnat' and rule_name.startswith(name + '-dnat-')


def _stale(cfg, found, listed):
    """{kind: [names]} of the role's service sets found in the table and not listed yet, in table order."""
    out = {'firewall_rule': [], 'dnat': []}
    for rule in found:
        kind, rule_name = rule.get('kind'), rule.get('name') or ''
        if _owned(cfg['name'], kind, rule_name) and rule_name not in listed[kind] and rule_name not in out[kind]:
            out[kind].append(rule_name)
    return out


BOOLS = ('allow_outbound', 'allow_icmp_out', 'log', 'log_accepted')
DEFAULTS = {'state': 'present', 'name': 'firewall', 'inside_interface': '', 'outside_interface': '',
            'management_services': [], 'inbound_services': [], 'allow_outbound': True, 'allow_icmp_out': True,
            'masquerade_sources': [], 'noise_destinations': [], 'log': True, 'log_prefix': 'firewall drop: ',
            'log_rate': '', 'log_group': None, 'log_accepted': False, 'accept_log_prefix': 'firewall accept: '}


def _normalised(cfg):
    """CFG with the role's defaults, its switches as booleans, an empty log_group as none."""
    unknown = sorted(set(cfg) - set(DEFAULTS))
    if unknown:
        raise ValueError('firewall_plan: unknown setting %s (the settings are %s)' % (unknown[0], ', '.join(sorted(DEFAULTS))))
    out = dict(DEFAULTS, **cfg)
    for key in BOOLS:
        out[key] = boolean(out[key], strict=False)
    if out['log_group'] in ('', None):
        out['log_group'] = None
    for key in ('management_services', 'inbound_services'):
        out[key] = [dict(svc, log=None if svc.get('log') is None else boolean(svc['log'], strict=False))
                    for svc in out[key]]
    return out


def firewall_plan(cfg, found=None):
    """The role's work from CFG (the role variables without the firewall_
    prefix) and FOUND (net_info's nftables rules of the namespace):

    firewall_rule: rule_sets of the one firewall_rule call (base, services,
      final rules; the sets to remove with state absent), in chain order;
    dnat: rule_sets of the one dnat call;
    masquerade: the masquerade call's options (name, state, ...);
    policy: the policy of the chains (drop when present, accept when absent);
    dnat_conflicts: why the services would be refused (empty when fine).
    """
    found = found or []
    cfg = _normalised(cfg)
    present = cfg['state'] == 'present'
    name = cfg['name']
    rules, dnats = [], []
    if present:
        rules.extend(rule for rule in _base_rules(cfg) if rule['position'] < 40)
        for svc in cfg['management_services']:
            rules.append(_service_rule(cfg, svc, name='%s-mgmt-%s' % (name, svc['name']), chain='input',
                                       in_interface=cfg['inside_interface'], position=40, state='present'))
        for svc in cfg['inbound_services']:
            if _dnat(svc):
                dnats.append(dict(_dnat_set(cfg, svc), state='present'))
                # The service may have been a plain accept on the last run.
                rules.append({'name': '%s-svc-%s' % (name, svc['name']), 'state': 'absent'})
                continue
            rule = _service_rule(cfg, svc, name='%s-svc-%s' % (name, svc['name']), chain='forward',
                                 in_interface=cfg['outside_interface'], out_interface=cfg['inside_interface'],
                                 position=50, state='present')
            if svc.get('destination') is not None:
                rule['destination'] = svc['destination']
            rules.append(rule)
            dnats.append({'name': '%s-dnat-%s' % (name, svc['name']), 'state': 'absent'})
        rules.extend(rule for rule in _base_rules(cfg) if rule['position'] >= 40)
        rules.extend(dict(rule, state='present') for rule in _final_rules(cfg))
    else:
        rules.extend({'name': rule['name'], 'state': 'absent'} for rule in _final_rules(cfg) + _base_rules(cfg))
    listed = {'firewall_rule': [r['name'] for r in rules], 'dnat': [d['name'] for d in dnats]}
    stale = _stale(cfg, found, listed)
    rules.extend({'name': rule_name, 'state': 'absent'} for rule_name in stale['firewall_rule'])
    dnats.extend({'name': rule_name, 'state': 'absent'} for rule_name in stale['dnat'])
    sources = list(cfg['masquerade_sources']) if present else []
    masquerade = {'name': name + '-snat', 'state': 'present' if sources else 'absent'}
    if sources:
        masquerade.update(out_interface=cfg['outside_interface'], source=sources)
    return {'firewall_rule': rules, 'dnat': dnats, 'masquerade': masquerade,
            'policy': 'drop' if present else 'accept', 'policy_chains': list(POLICY_CHAINS),
            'dnat_conflicts': dnat_conflicts(cfg['inbound_services']) if present else []}
