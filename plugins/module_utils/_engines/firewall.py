# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_rule: options -> validated values -> nft JSON rule specs (pure logic).

Everything here is free of side effects so it can be unit tested; the module
hands the RuleSpec list to the shared owned-table layer (_nft.plan_rule_set).

One firewall rule becomes one nft rule per address family it needs (a rule
without addresses serves both families in the inet table). With ``log_rate``
the log gets a rule of its own in front of the verdict rule
(``match... limit rate N/unit counter log``, then ``match... counter verdict``),
because a limit in the verdict rule would also limit the verdict: packets over
the rate would skip an accept/drop.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.nftables import (
    RuleSpec,
    counter,
    limit,
    match_ct_state,
    match_daddr,
    match_iifname,
    match_l4,
    match_l4proto,
    match_oifname,
    match_saddr,
    parse_rate,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_ifname,
    parse_prefix,
)

CHAINS = ('input', 'forward', 'output')
ACTIONS = ('accept', 'drop', 'reject')
PROTOCOLS = ('tcp', 'udp', 'icmp', 'icmpv6', 'any')
CT_STATES = ('invalid', 'established', 'related', 'new', 'untracked')
LOG_PREFIX_MAX = 127   # NF_LOG_PREFIXLEN (128) includes the trailing NUL
POSITION_MAX = 999999
RULE_OPTIONS = ('action', 'protocol', 'source', 'destination', 'port', 'in_interface', 'out_interface',
                'ct_state', 'log', 'log_prefix', 'log_rate', 'log_group')
# nft knows these names itself; 'ipv6-icmp' would need /etc/protocols (netbase),
# which minimal systems and containers lack ("Could not resolve protocol name").
L4PROTO = {'tcp': 'tcp', 'udp': 'udp', 'icmp': 'icmp', 'icmpv6': 'icmpv6'}
FAMILY_LABEL = {'ip': 'IPv4', 'ip6': 'IPv6'}


# ---------------------------------------------------------------------------
# Option checks
# ---------------------------------------------------------------------------

# The firewall_rule module's options (the topology module validates its entries with them).
ARGUMENT_SPEC = dict(
    name=dict(type='str'),
    chain=dict(type='str', required=True, choices=['input', 'forward', 'output']),
    action=dict(type='str', choices=['accept', 'drop', 'reject']),
    protocol=dict(type='str', choices=['tcp', 'udp', 'icmp', 'icmpv6', 'any']),
    source=dict(type='list', elements='str'),
    destination=dict(type='list', elements='str'),
    port=dict(type='raw'),
    in_interface=dict(type='str'),
    out_interface=dict(type='str'),
    ct_state=dict(type='list', elements='str', choices=['new', 'established', 'related', 'invalid', 'untracked']),
    log=dict(type='bool'),
    log_prefix=dict(type='str'),
    log_rate=dict(type='str'),
    log_group=dict(type='int'),
    position=dict(type='int', default=100),
    policy=dict(type='str', choices=['accept', 'drop']),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
)


def _port_number(option, whole, text):
    text = str(text).strip()
    if not text.isdigit():
        raise ValidationError(option, whole, 'is not a port, a range LOW-HIGH or a list of those')
    port = int(text)
    if not 1 <= port <= 65535:
        raise ValidationError(option, whole, 'is outside the port range 1-65535')
    return port


def parse_ports(option, value):
    """80, '80', '8000-8010' or a list of those -> sorted merged [(lo, hi)], or None."""
    if value is None:
        return None
    if isinstance(value, list):
        items = value
    elif isinstance(value, str) and ',' in value:
        items = [v for v in value.split(',') if v.strip()]
    else:
        items = [value]
    if not items:
        raise ValidationError(option, value, 'is an empty list; omit the option to match any port')
    ranges = []
    for item in items:
        if isinstance(item, bool) or isinstance(item, (list, dict, float)):
            raise ValidationError(option, item, 'is not a port, a range LOW-HIGH or a list of those')
        text = str(item).strip()
        if '-' in text:
            low_text, dummy, high_text = text.partition('-')
            low = _port_number(option, item, low_text)
            high = _port_number(option, item, high_text)
            if low > high:
                raise ValidationError(option, item, 'is a reversed range; write the lower port first (%d-%d)'
                                      % (high, low))
        else:
            low = high = _port_number(option, item, text)
        ranges.append((low, high))
    ranges.sort()
    merged = [ranges[0]]
    for low, high in ranges[1:]:
        last_low, last_high = merged[-1]
        if low <= last_high + 1:
            merged[-1] = (last_low, max(last_high, high))
        else:
            merged.append((low, high))
    return merged


def ports_argument(ranges):
    """[(lo, hi)] -> what _nft.match_l4 takes: an int, a (lo, hi) tuple or a list."""
    values = [low if low == high else (low, high) for low, high in ranges]
    return values[0] if len(values) == 1 else values


def ports_text(ranges):
    return ', '.join(str(low) if low == high else '%d-%d' % (low, high) for low, high in ranges)


def parse_addresses(option, values):
    """A list of addresses/prefixes -> {'ip': [...], 'ip6': [...]} (collapsed, sorted), or None.

    A plain address means one host; a prefix with host bits is refused.
    """
    if values is None:
        return None
    if not values:
        raise ValidationError(option, values, 'is an empty list; omit the option to match any address')
    nets = {4: [], 6: []}
    for value in values:
        text = str(value).strip()
        if text.startswith('[') and text.endswith(']'):
            text = text[1:-1]
        net = parse_prefix(option, text)
        nets[net.version].append(net)
    result = {}
    for version, family in ((4, 'ip'), (6, 'ip6')):
        if nets[version]:
            collapsed = sorted(ipaddress.collapse_addresses(nets[version]))
            result[family] = [str(n.network_address) if n.prefixlen == n.max_prefixlen else str(n)
                              for n in collapsed]
    return result


def check_interface(option, value):
    """An interface name, or a name prefix ending in '*' (nftables wildcard)."""
    if value is None:
        return None
    text = str(value)
    if text.endswith('+'):
        raise ValidationError(option, value, "ends in '+' (iptables' wildcard); nftables spells it '%s*'" % text[:-1])
    base = text[:-1] if text.endswith('*') else text
    if '*' in base:
        raise ValidationError(option, value, "has '*' before the end; only a trailing '*' (a name prefix) is allowed")
    for char in text:
        if char in '"\'\\' or ord(char) < 32 or ord(char) == 127:
            raise ValidationError(option, value, 'contains %r, which interface names may not contain' % char)
    if text == '*':
        raise ValidationError(option, value, 'matches every interface; omit the option instead')
    check_ifname(option, text)
    return text


def check_log_prefix(value):
    if value is None:
        return None
    text = str(value)
    size = len(text.encode('utf-8'))
    if size > LOG_PREFIX_MAX:
        raise ValidationError('log_prefix', value, 'is %d bytes long; the kernel allows at most %d'
                              % (size, LOG_PREFIX_MAX))
    if not text:
        raise ValidationError('log_prefix', value, 'is empty; omit the option for no prefix')
    for char in text:
        if char in '"\'\\':
            raise ValidationError('log_prefix', value, 'contains %r; quotes and backslashes are not allowed' % char)
        if ord(char) < 32 or ord(char) == 127:
            raise ValidationError('log_prefix', value, 'contains the control character %r' % char)
    return text


def check_ct_state(values):
    if values is None:
        return None
    if not values:
        raise ValidationError('ct_state', values, 'is an empty list; omit the option to match any state')
    for value in values:
        if value not in CT_STATES:
            raise ValidationError('ct_state', value, 'is not a conntrack state; use %s' % ', '.join(CT_STATES))
    return [s for s in CT_STATES if s in values]


def check_position(value):
    if value is None:
        return None
    if not 0 <= int(value) <= POSITION_MAX:
        raise ValidationError('position', value, 'is outside 0-%d' % POSITION_MAX)
    return int(value)


def check_log_group(value):
    if value is None:
        return None
    if not 0 <= int(value) <= 65535:
        raise ValidationError('log_group', value, 'is outside the NFLOG group range 0-65535')
    return int(value)


# ---------------------------------------------------------------------------
# The desired rule
# ---------------------------------------------------------------------------

class FirewallRule(object):
    """Validated options of one firewall rule (see desired_rule)."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def as_dict(self):
        return dict(self.__dict__)


def _given(params, key):
    return params.get(key) is not None


def desired_rule(params):
    """Validate the options of a rule (name given, state present).

    Returns a FirewallRule; raises ValidationError naming the option and value.
    """
    chain = params['chain']
    if chain not in CHAINS:
        raise ValidationError('chain', chain, 'is not a filter chain; use %s' % ', '.join(CHAINS))
    action = params.get('action')
    if action is None:
        raise ValidationError('action', action, 'is required for a rule (accept, drop or reject)')
    if action not in ACTIONS:
        raise ValidationError('action', action, 'is not an action; use %s' % ', '.join(ACTIONS))
    protocol = params.get('protocol') or 'any'
    if protocol not in PROTOCOLS:
        raise ValidationError('protocol', protocol, 'is not a protocol; use %s' % ', '.join(PROTOCOLS))

    ports = parse_ports('port', params.get('port'))
    if ports is not None and protocol not in ('tcp', 'udp'):
        raise ValidationError('port', params.get('port'), 'needs protocol tcp or udp (protocol is %s)' % protocol)

    in_interface = check_interface('in_interface', params.get('in_interface'))
    out_interface = check_interface('out_interface', params.get('out_interface'))
    if in_interface is not None and chain == 'output':
        raise ValidationError('in_interface', in_interface, 'cannot match in the output chain (locally generated '
                                                            'packets have no input interface); use out_interface')
    if out_interface is not None and chain == 'input':
        raise ValidationError('out_interface', out_interface, 'cannot match in the input chain (packets for this '
                                                              'host have no output interface); use in_interface')

    source = parse_addresses('source', params.get('source'))
    destination = parse_addresses('destination', params.get('destination'))
    families = _families(protocol, source, destination, params)

    ct_state = check_ct_state(params.get('ct_state'))
    log_prefix = check_log_prefix(params.get('log_prefix'))
    log_rate = parse_rate('log_rate', params['log_rate']) if _given(params, 'log_rate') else None
    log_group = check_log_group(params.get('log_group'))
    log = params.get('log')
    implied = [k for k in ('log_prefix', 'log_rate', 'log_group') if _given(params, k)]
    if log is None:
        log = bool(implied)
    elif not log and implied:
        raise ValidationError(implied[0], params[implied[0]], 'is set but log is false')

    position = check_position(params.get('position'))
    return FirewallRule(chain=chain, action=action, protocol=protocol, ports=ports, in_interface=in_interface,
                        out_interface=out_interface, source=source, destination=destination, families=families,
                        ct_state=ct_state, log=log, log_prefix=log_prefix, log_rate=log_rate, log_group=log_group,
                        position=position if position is not None else 100)


def _families(protocol, source, destination, params):
    """The address families the rule needs: [None] (both, one rule) or some of ['ip', 'ip6']."""
    allowed = {'icmp': ['ip'], 'icmpv6': ['ip6']}.get(protocol, ['ip', 'ip6'])
    for option, nets in (('source', source), ('destination', destination)):
        if nets is None:
            continue
        for family in nets:
            if family not in allowed:
                raise ValidationError(option, params.get(option), 'has %s addresses (%s), which protocol %s never '
                                                                  'matches' % (FAMILY_LABEL[family],
                                                                               ', '.join(nets[family]), protocol))
    if source is not None and destination is not None and set(source) != set(destination):
        raise ValidationError('destination', params.get('destination'),
                              'has only %s addresses while source has %s; a rule cannot match a source and a '
                              'destination of different address families'
                              % (' and '.join(FAMILY_LABEL[f] for f in sorted(destination)),
                                 ' and '.join(FAMILY_LABEL[f] for f in sorted(source))))
    given = source if source is not None else destination
    if given is None:
        return [None]
    return [f for f in ('ip', 'ip6') if f in given]


def log_statement(prefix=None, group=None):
    """{'log': {...}} with the prefix and NFLOG group (None: the kernel log)."""
    obj = {}
    if prefix:
        obj['prefix'] = prefix
    if group is not None:
        obj['group'] = group
    return {'log': obj or None}


def verdict_statement(action, protocol):
    """accept / drop; reject answers tcp with a reset, anything else with port unreachable."""
    if action == 'reject':
        if protocol == 'tcp':
            return {'reject': {'type': 'tcp reset'}}
        return {'reject': {'type': 'icmpx', 'expr': 'port-unreachable'}}
    return {action: None}


def match_expressions(rule, family):
    exprs = []
    if rule.in_interface:
        exprs.append(match_iifname(rule.in_interface))
    if rule.out_interface:
        exprs.append(match_oifname(rule.out_interface))
    if rule.source is not None:
        exprs.append(match_saddr(rule.source[family], family))
    if rule.destination is not None:
        exprs.append(match_daddr(rule.destination[family], family))
    if rule.protocol in ('tcp', 'udp') and rule.ports is not None:
        exprs.extend(match_l4(rule.protocol, ports_argument(rule.ports)))
    elif rule.protocol != 'any':
        exprs.append(match_l4proto(L4PROTO[rule.protocol]))
    if rule.ct_state:
        exprs.append(match_ct_state(rule.ct_state))
    return exprs


def rule_specs(rule):
    """FirewallRule -> [RuleSpec]: per family, [log rule,] verdict rule."""
    specs = []
    for family in rule.families:
        match = match_expressions(rule, family)
        final = [counter()]
        if rule.log and rule.log_rate is not None:
            rate, per = rule.log_rate
            specs.append(RuleSpec(rule.chain, match + [limit(rate, per), counter(),
                                                       log_statement(rule.log_prefix, rule.log_group)], family))
        elif rule.log:
            final.append(log_statement(rule.log_prefix, rule.log_group))
        final.append(verdict_statement(rule.action, rule.protocol))
        specs.append(RuleSpec(rule.chain, match + final, family))
    return specs


def rule_options_given(params):
    """Options that only make sense with a rule (used when name is missing)."""
    return [k for k in RULE_OPTIONS if params.get(k) is not None]
