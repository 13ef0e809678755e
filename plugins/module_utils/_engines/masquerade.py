# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Masquerade rule sets: options, validation and the rules (shared by the
masquerade module and the topology module's ``masquerade`` entries)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError, parse_prefix
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import nftables as _nft

KIND = 'masquerade'

ARGUMENT_SPEC = dict(
    name=dict(type='str', required=True),
    out_interface=dict(type='str'),
    source=dict(type='list', elements='str', default=[]),
    exclude=dict(type='list', elements='str', default=[]),
    forwarding=dict(type='bool', default=False),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
)


def _prefixes(option, values):
    nets = []
    for value in values or []:
        net = parse_prefix(option, value)
        if net not in nets:
            nets.append(net)
    return sorted(nets, key=lambda n: (n.version, n.network_address, n.prefixlen))


def _by_family(nets, version):
    return [str(n) for n in nets if n.version == version]


def build_rules(out_interface, sources, excludes):
    """The desired RuleSpecs (sources/excludes are sorted ip_network lists)."""
    families = []
    if sources:
        families = [v for v in (4, 6) if _by_family(sources, v)]
    elif excludes:
        families = [4, 6]
    rules = []
    if not families:
        expr = [_nft.match_oifname(out_interface), _nft.counter(), _nft.masquerade()]
        return [_nft.RuleSpec('postrouting', expr)]
    for version in families:
        fam = 'ip' if version == 4 else 'ip6'
        expr = []
        if out_interface:
            expr.append(_nft.match_oifname(out_interface))
        src = _by_family(sources, version)
        if src:
            expr.append(_nft.match_saddr(src, fam))
        excl = _by_family(excludes, version)
        if excl:
            expr.append(_nft.match_daddr(excl, fam, negate=True))
        expr += [_nft.counter(), _nft.masquerade()]
        rules.append(_nft.RuleSpec('postrouting', expr, family=fam))
    return rules


def _validate(params):
    name = _nft.check_name(KIND, params['name'], 1, 0)
    out_interface = _nft.check_ifname_pattern('out_interface', params['out_interface'])
    sources = _prefixes('source', params['source'])
    excludes = _prefixes('exclude', params['exclude'])
    if params['state'] == 'present':
        if not out_interface and not sources:
            raise ValidationError('out_interface', out_interface,
                                  'is required when source is empty: give out_interface and/or source')
        if sources:
            versions = set(n.version for n in sources)
            for net in excludes:
                if net.version not in versions:
                    raise ValidationError('exclude', str(net), 'is an IPv%d prefix but source has no IPv%d prefix'
                                          % (net.version, net.version))
    return name, out_interface, sources, excludes


def validate(params):
    """-> (name, [RuleSpec]) for the module's options; no rules for state=absent."""
    name, out_interface, sources, excludes = _validate(params)
    rules = build_rules(out_interface, sources, excludes) if params['state'] == 'present' else []
    return name, rules
