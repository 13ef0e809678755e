# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Policy-routing rules: netlink messages <-> canonical dicts, and planning.

A rule is identified by its address family, priority and selectors (from,
to, iif, oif, fwmark, and any selector this collection does not manage, such
as uidrange or tos: a rule carrying one of those never matches a rule asked
for here). What it does (action, table) is its value: a different table for
the same selectors and priority replaces the rule, new one first, so traffic
is never left without a rule.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import socket

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_ifname,
    check_range,
    parse_prefix,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import PROTO_NAMES

ACTIONS = {'lookup': 1, 'goto': 2, 'nop': 3, 'blackhole': 6, 'unreachable': 7, 'prohibit': 8}
ACTION_NAMES = dict((v, k) for k, v in ACTIONS.items())
MANAGED_ACTIONS = ('lookup', 'blackhole', 'unreachable', 'prohibit')
PRIORITY_MAX = 4294967295
MARK_MAX = 0xffffffff
FIB_RULE_INVERT = 0x2
DEFAULT_UNSET = 0xffffffff  # FRA_SUPPRESS_PREFIXLEN / FRA_SUPPRESS_IFGROUP "not set"
KERNEL_DEFAULT_PRIORITIES = (0, 32766, 32767)
MAIN_TABLE = 254

# Attributes that are neither selectors nor the rule's action.
_IGNORED_ATTRS = ('FRA_UNSPEC', 'FRA_PAD', 'FRA_PROTOCOL', 'FRA_PRIORITY', 'FRA_TABLE', 'FRA_SRC', 'FRA_DST',
                  'FRA_IIFNAME', 'FRA_OIFNAME', 'FRA_FWMARK', 'FRA_FWMASK')
SELECTORS = ('src', 'dst', 'iif', 'oif', 'fwmark')


def family_name(version):
    return 'ipv%d' % version


def format_fwmark(mark, mask):
    """Canonical text: '0x10' (full mask) or '0x10/0xff'; None when unset."""
    if not mark and not mask:
        return None
    if mask == MARK_MAX and mark:
        return '0x%x' % mark
    return '0x%x/0x%x' % (mark, mask)


def parse_fwmark(option, value):
    """'0x10', '16', '0x10/0xff' -> (mark, mask). A mask needs a mark."""
    if value is None:
        return None
    text = str(value).strip()
    mark_text, sep, mask_text = text.partition('/')
    if sep and not mark_text.strip():
        raise ValidationError(option, value, 'has a mask but no mark; write MARK/MASK, for example 0x10/0xff')
    try:
        mark = int(mark_text.strip(), 0)
        mask = int(mask_text.strip(), 0) if sep else MARK_MAX
    except ValueError:
        raise ValidationError(option, value, 'is not a firewall mark; write MARK or MARK/MASK as decimal or '
                              '0x hex numbers, for example 0x10 or 0x10/0xff')
    for number in (mark, mask):
        if not 0 <= number <= MARK_MAX:
            raise ValidationError(option, value, 'is outside the 32-bit range 0-0xffffffff')
    if mark == 0 and not sep:
        raise ValidationError(option, value, 'is mark 0 without a mask, which the kernel treats as no fwmark '
                              'selector at all; write 0/0xffffffff to match unmarked packets')
    if sep and mask == 0:
        raise ValidationError(option, value, 'has mask 0, which matches every packet; omit fwmark instead')
    return mark, mask


def rule_from_msg(msg):
    """One RTM_NEWRULE message (pyroute2 fibmsg) -> canonical dict."""
    version = 4 if msg['family'] == socket.AF_INET else 6
    attrs = dict(msg['attrs'])
    action = ACTION_NAMES.get(msg['action'], str(msg['action']))
    table = attrs.get('FRA_TABLE', msg['table'])
    src = attrs.get('FRA_SRC')
    dst = attrs.get('FRA_DST')
    other = {}
    if msg['tos']:
        other['tos'] = msg['tos']
    if msg['flags'] & FIB_RULE_INVERT:
        other['not'] = True
    for name, value in msg['attrs']:
        if name in _IGNORED_ATTRS:
            continue
        if name in ('FRA_SUPPRESS_PREFIXLEN', 'FRA_SUPPRESS_IFGROUP') and value == DEFAULT_UNSET:
            continue
        other[name[4:].lower() if name.startswith('FRA_') else name] = _plain(value)
    rule = {
        'family': family_name(version),
        'priority': attrs.get('FRA_PRIORITY', 0),
        'action': action,
        'table': table if action == 'lookup' else None,
        'src': '%s/%d' % (_compressed(src), msg['src_len']) if msg['src_len'] else None,
        'dst': '%s/%d' % (_compressed(dst), msg['dst_len']) if msg['dst_len'] else None,
        'iif': attrs.get('FRA_IIFNAME'),
        'oif': attrs.get('FRA_OIFNAME'),
        'fwmark': format_fwmark(attrs.get('FRA_FWMARK', 0), attrs.get('FRA_FWMASK', 0)),
        'proto': PROTO_NAMES.get(attrs.get('FRA_PROTOCOL', 0), str(attrs.get('FRA_PROTOCOL'))),
    }
    if other:
        rule['other'] = other
    return rule


def _compressed(address):
    return ipaddress.ip_address(address).compressed


def _plain(value):
    """pyroute2 nla values (dicts with nested attrs) -> something JSON-friendly."""
    if isinstance(value, dict):
        return dict((k, _plain(v)) for k, v in value.items() if k not in ('header', 'attrs'))
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _family_of(params):
    """The rule's family: `family`, else that of src or dst, else IPv4."""
    if params.get('family'):
        return 6 if params['family'] == 'ipv6' else 4
    for option in ('src', 'dst'):
        if params.get(option):
            return parse_prefix(option, params[option]).version
    return 4


def desired_rule(params, tables):
    """Validate the options; return the canonical rule asked for.

    For state=absent, action and table may be None (any).
    """
    present = params.get('state', 'present') == 'present'
    version = _family_of(params)
    priority = check_range('priority', params.get('priority'), 0, PRIORITY_MAX)
    action = params.get('action')
    if present and action is None:
        action = 'lookup'
    table = params.get('table')
    if table is not None and action not in (None, 'lookup'):
        raise ValidationError('table', table, "cannot be used with action '%s' (only lookup uses a table)" % action)
    table = tables.lookup('table', table) if table is not None else None
    if present and action == 'lookup' and table is None:
        table = MAIN_TABLE
    nets = {}
    for option in ('src', 'dst'):
        if params.get(option):
            nets[option] = parse_prefix(option, params[option], version)
    for option in ('iif', 'oif'):
        check_ifname(option, params.get(option))
    mark = parse_fwmark('fwmark', params.get('fwmark'))
    return {
        'family': family_name(version),
        'priority': priority,
        'action': action,
        'table': table,
        'src': str(nets['src']) if 'src' in nets and nets['src'].prefixlen else None,
        'dst': str(nets['dst']) if 'dst' in nets and nets['dst'].prefixlen else None,
        'iif': params.get('iif'),
        'oif': params.get('oif'),
        'fwmark': format_fwmark(*mark) if mark else None,
    }


def selectors(rule):
    return (rule['family'],) + tuple(rule[k] for k in SELECTORS) + (tuple(sorted((rule.get('other') or {}).items())),)


def _same_selectors(current, desired):
    return not current.get('other') and selectors(current)[:-1] == selectors(desired)[:-1]


def _same_action(current, desired):
    return ((desired['action'] is None or current['action'] == desired['action'])
            and (desired['table'] is None or current['table'] == desired['table']))


def default_priority(rules, family):
    """What a rule without priority gets: one below the lowest non-zero priority in use."""
    used = [r['priority'] for r in rules if r['family'] == family and r['priority'] > 0]
    return min(used) - 1 if used else 0


def _matches_delete_request(request, rule):
    """Would the kernel's rule lookup for deleting REQUEST stop at RULE?
    (Unset fields in a delete request are wildcards.)"""
    if rule['family'] != request['family'] or rule['priority'] != request['priority']:
        return False
    if rule['action'] != request['action']:
        return False
    if request['table'] and rule['table'] != request['table']:
        return False
    for key in SELECTORS:
        if request[key] is not None and rule[key] != request[key]:
            return False
    return True


def check_delete_unambiguous(target, rules):
    """Refuse to delete TARGET when the kernel would remove an earlier,
    broader-or-equal rule instead (see _matches_delete_request)."""
    for rule in rules:
        if rule is target:
            return
        if _matches_delete_request(target, rule):
            raise ValidationError(
                'priority', target['priority'],
                'holds another rule (%s) before %s that the kernel would remove instead; '
                'give the rules distinct priorities' % (describe(rule), describe(target)))


def check_add_possible(new, rules):
    """Refuse a rule that an existing rule of the same priority matches with
    the new rule's unset selectors taken as wildcards: the kernel refuses an
    exact duplicate (EEXIST), and for a broader rule a later delete request
    (which matches the same way) would remove the existing rule instead.
    Said before changing anything."""
    for rule in rules:
        if _matches_delete_request(new, rule):
            raise ValidationError(
                'priority', new['priority'],
                'already holds the rule %s; the kernel would refuse %s as a duplicate or, when deleting it later, '
                'remove %s instead (a request matches only the selectors it sets); use another priority'
                % (describe(rule), describe(new), describe(rule)))


def plan_present(desired, rules):
    """-> (before, after, ops) with ops ('add'|'delete', rule)."""
    same = [r for r in rules if _same_selectors(r, desired)
            and (desired['priority'] is None or r['priority'] == desired['priority'])]
    exact = [r for r in same if _same_action(r, desired)]
    if exact:
        return dict(exact[0]), dict(exact[0]), []
    after = dict(desired)
    if after['priority'] is None:
        after['priority'] = same[0]['priority'] if same else default_priority(rules, desired['family'])
    after['proto'] = 'unspec'  # what a rule added over netlink without FRA_PROTOCOL reports
    check_add_possible(after, rules)
    ops = [('add', after)]
    before = {}
    if same:
        # Same selectors and priority, other action/table: the new rule is
        # added first (it lands after the old one), then the old one goes.
        old = same[0]
        check_delete_unambiguous(old, rules)
        ops.append(('delete', old))
        before = dict(old)
    return before, after, ops


def plan_absent(desired, rules):
    """Delete exactly the rules with these selectors (priority, action and
    table narrow the match when given)."""
    victims = [r for r in rules if _same_selectors(r, desired) and _same_action(r, desired)
               and (desired['priority'] is None or r['priority'] == desired['priority'])]
    for victim in victims:
        check_delete_unambiguous(victim, [r for r in rules if r is victim or not any(r is v for v in victims)])
    before = dict(victims[0]) if victims else {}
    if len(victims) > 1:
        before['other_rules'] = victims[1:]
    return before, {}, [('delete', r) for r in victims]


def describe(rule):
    """An `ip rule`-like line."""
    parts = ['%s:' % rule['priority']]
    if rule['family'] == 'ipv6':
        parts.insert(0, '(IPv6)')
    parts.append('from %s' % (rule['src'] or 'all'))
    if rule['dst']:
        parts.append('to %s' % rule['dst'])
    if rule['fwmark']:
        parts.append('fwmark %s' % rule['fwmark'])
    if rule['iif']:
        parts.append('iif %s' % rule['iif'])
    if rule['oif']:
        parts.append('oif %s' % rule['oif'])
    if rule['action'] == 'lookup':
        parts.append('lookup %s' % rule['table'])
    else:
        parts.append(str(rule['action']))
    return ' '.join(parts)


def rule_request(rule):
    """kwargs for ipr.rule('add'|'del', ...) naming exactly this rule."""
    kwargs = dict(family=socket.AF_INET if rule['family'] == 'ipv4' else socket.AF_INET6,
                  priority=rule['priority'], action=ACTIONS[rule['action']])
    if rule['action'] == 'lookup':
        kwargs['table'] = rule['table']
    for key in ('src', 'dst'):
        if rule[key]:
            net = ipaddress.ip_network(rule[key])
            kwargs[key] = str(net.network_address)
            kwargs[key + '_len'] = net.prefixlen
    if rule['iif']:
        kwargs['iifname'] = rule['iif']
    if rule['oif']:
        kwargs['oifname'] = rule['oif']
    if rule['fwmark']:
        mark, dummy, mask = rule['fwmark'].partition('/')
        kwargs['fwmark'] = int(mark, 16)
        kwargs['fwmask'] = int(mask, 16) if mask else MARK_MAX
    return kwargs
