# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Link kinds for the ``link`` module: options, netlink attributes, support.

Pure: which option belongs to which kind, how the options map to pyroute2
keyword arguments and back from a netlink reading, which differences can be
changed in place. Asking the kernel whether it knows a kind is
``_system.netlink.kernel_supports()``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_ifname,
    check_range,
    parse_address,
)

KINDS = ('macvlan', 'vxlan', 'vlan', 'bond', 'dummy', 'sit')

MACVLAN_MODES = ('bridge', 'private', 'vepa', 'passthru', 'source')
MACVLAN_MODE_VALUES = {1: 'private', 2: 'vepa', 4: 'bridge', 8: 'passthru', 16: 'source'}

# Index = the kernel's numeric bonding mode.
BOND_MODES = ('balance-rr', 'active-backup', 'balance-xor', 'broadcast',
              '802.3ad', 'balance-tlb', 'balance-alb')

MODES = {'macvlan': MACVLAN_MODES, 'bond': BOND_MODES}

VXLAN_DEFAULT_PORT = 4789

# Which kind-specific option applies to which kinds.
KIND_OPTIONS = (
    ('parent', ('macvlan', 'vlan', 'vxlan')),
    ('mode', ('macvlan', 'bond')),
    ('vlan_id', ('vlan',)),
    ('vni', ('vxlan',)),
    ('remote', ('vxlan', 'sit')),
    ('group', ('vxlan',)),
    ('local', ('vxlan', 'sit')),
    ('dstport', ('vxlan',)),
    ('ttl', ('sit',)),
)

# Options a new link of the kind cannot be created without.
REQUIRED = {
    'macvlan': ('parent',),
    'vlan': ('parent', 'vlan_id'),
    'vxlan': ('vni',),
}

# Kind-specific attributes the kernel changes on a live link; every other
# kind-specific attribute needs the link to be deleted and created again.
MUTABLE = {
    'macvlan': ('mode',),
}

# The order in which kind-specific attributes appear in diffs and messages.
SPEC_KEYS = ('parent', 'mode', 'vlan_id', 'vni', 'remote', 'group', 'local', 'dstport', 'ttl')

MAC_RE = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2}){5}$')


def describe_kind(kind):
    """Human wording for a link kind as read from the kernel."""
    if kind is None:
        return 'a device without a link kind (a physical, loopback or unknown device)'
    return 'kind %s' % kind


def kinds_for(option):
    return dict(KIND_OPTIONS)[option]


# -- validation of the user's options ------------------------------------------


def check_mac(option, value):
    """A unicast Ethernet address -> canonical lower-case text."""
    if value is None:
        return None
    text = str(value).strip().lower().replace('-', ':')
    if not MAC_RE.match(text):
        raise ValidationError(option, value, 'is not a MAC address; write it as six hex octets like 02:00:00:00:00:01')
    octets = [int(x, 16) for x in text.split(':')]
    if octets[0] & 1:
        raise ValidationError(option, value, 'is a multicast MAC address; a link needs a unicast address')
    if not any(octets):
        raise ValidationError(option, value, 'is the all-zero MAC address')
    return text


def check_mtu(option, value):
    return check_range(option, value, 68, 65535)


def desired_spec(params):
    """The kind-specific part of the desired state, validated and normalised.

    ``params`` is the module's params dict. Returns a dict with only the
    attributes the user asked for (plus defaults such as the vxlan port);
    raises ValidationError for an option that does not fit the kind.
    """
    kind = params.get('kind')
    state = params.get('state') or 'present'
    for option, kinds in KIND_OPTIONS:
        value = params.get(option)
        if value is None:
            continue
        if kind is None:
            raise ValidationError(option, value, 'needs option kind (it applies to kind %s only)' % ' or '.join(kinds))
        if kind not in kinds:
            raise ValidationError(option, value, 'does not apply to kind %s (only to kind %s)' % (kind, ' or '.join(kinds)))
    if kind is None:
        return {}

    spec = {}
    if params.get('parent') is not None:
        spec['parent'] = check_ifname('parent', params['parent'])
        if spec['parent'] == params.get('name'):
            raise ValidationError('parent', params['parent'], 'is the link itself')
    if params.get('mode') is not None:
        if params['mode'] not in MODES[kind]:
            raise ValidationError('mode', params['mode'], 'is not a %s mode; choose one of %s' % (kind, ', '.join(MODES[kind])))
        spec['mode'] = params['mode']
    if kind == 'vlan' and params.get('vlan_id') is not None:
        spec['vlan_id'] = check_range('vlan_id', params['vlan_id'], 1, 4094)
    if kind == 'vxlan':
        _vxlan_spec(params, spec)
    if kind == 'sit':
        _sit_spec(params, spec)

    if state == 'present':
        for option in REQUIRED.get(kind, ()):
            if spec.get(option) is None:
                raise ValidationError(option, None, 'is not set, but kind %s requires it' % kind)
    return spec


def _vxlan_spec(params, spec):
    if params.get('vni') is not None:
        spec['vni'] = check_range('vni', params['vni'], 0, 16777215)
    spec['dstport'] = VXLAN_DEFAULT_PORT
    if params.get('dstport') is not None:
        spec['dstport'] = check_range('dstport', params['dstport'], 1, 65535)
    if params.get('remote') is not None and params.get('group') is not None:
        raise ValidationError('group', params['group'], 'cannot be combined with option remote (a vxlan has one or the other)')
    family = None
    for option in ('remote', 'group', 'local'):
        if params.get(option) is None:
            continue
        addr = parse_address(option, params[option], family)
        family = addr.version
        if option == 'remote' and (addr.is_multicast or addr.is_unspecified):
            raise ValidationError(option, params[option], 'is not a unicast address; use option group for a multicast group')
        if option == 'group' and not addr.is_multicast:
            raise ValidationError(option, params[option], 'is not a multicast address; use option remote for a unicast peer')
        if option == 'local' and (addr.is_multicast or addr.is_unspecified):
            raise ValidationError(option, params[option], 'is not a unicast address')
        spec[option] = addr.compressed


def _sit_spec(params, spec):
    """A 6in4 tunnel: IPv4 ends only; ttl 0 means inherit the inner hop limit."""
    for option in ('local', 'remote'):
        if params.get(option) is None:
            continue
        addr = parse_address(option, params[option], 4)
        if addr.is_multicast or addr.is_unspecified:
            raise ValidationError(option, params[option], 'is not a unicast IPv4 address (a sit tunnel end)')
        spec[option] = addr.compressed
    if params.get('ttl') is not None:
        spec['ttl'] = check_range('ttl', params['ttl'], 0, 255)


# -- reading the kernel's view ---------------------------------------------------


def _mode_name(kind, value):
    if value is None:
        return None
    if kind == 'macvlan':
        if isinstance(value, int):
            return MACVLAN_MODE_VALUES.get(value, str(value))
        return value
    if kind == 'bond':
        if isinstance(value, int) and 0 <= value < len(BOND_MODES):
            return BOND_MODES[value]
        return str(value)
    return value


def _parent_name(index, names, netnsid=None):
    if not index:
        return None
    if netnsid is not None:
        # The parent lives in another namespace; its index means nothing here.
        return '(ifindex %s in another namespace, netnsid %s)' % (index, netnsid)
    return names.get(index, '(ifindex %s)' % index)


def current_spec(link, names):
    """The kind-specific attributes of a link reading (see Netlink.links()).

    ``names`` maps ifindex -> name in the link's namespace.
    """
    kind = link.get('kind')
    data = link.get('info_data') or {}
    spec = {}
    if kind in ('macvlan', 'vlan'):
        spec['parent'] = _parent_name(link.get('link_index'), names, link.get('link_netnsid'))
    if kind == 'macvlan':
        spec['mode'] = _mode_name(kind, data.get('IFLA_MACVLAN_MODE'))
    elif kind == 'bond':
        spec['mode'] = _mode_name(kind, data.get('IFLA_BOND_MODE'))
    elif kind == 'vlan':
        spec['vlan_id'] = data.get('IFLA_VLAN_ID')
    elif kind == 'vxlan':
        spec['parent'] = _parent_name(data.get('IFLA_VXLAN_LINK'), names)
        spec['vni'] = data.get('IFLA_VXLAN_ID')
        spec['dstport'] = data.get('IFLA_VXLAN_PORT')
        peer = data.get('IFLA_VXLAN_GROUP') or data.get('IFLA_VXLAN_GROUP6')
        spec['remote'] = spec['group'] = None
        if peer:
            addr = ipaddress.ip_address(peer)
            spec['group' if addr.is_multicast else 'remote'] = addr.compressed
        local = data.get('IFLA_VXLAN_LOCAL') or data.get('IFLA_VXLAN_LOCAL6')
        spec['local'] = ipaddress.ip_address(local).compressed if local else None
    elif kind == 'sit':
        for option in ('local', 'remote'):
            value = data.get('IFLA_SIT_' + option.upper())
            spec[option] = None if value in (None, '0.0.0.0') else value
        spec['ttl'] = data.get('IFLA_SIT_TTL')
    return spec


# -- comparing and acting -----------------------------------------------------------


def compare_spec(kind, current, desired):
    """Differences between a current and a desired kind spec.

    Only attributes present in ``desired`` are compared (an option the user
    left out is not managed). Returns (mutable, immutable): two lists of
    (attribute, current value, desired value).
    """
    mutable, immutable = [], []
    for key in SPEC_KEYS:
        if key not in desired:
            continue
        have, want = current.get(key), desired[key]
        if have == want:
            continue
        in_place = key in MUTABLE.get(kind, ())
        if kind == 'macvlan' and key == 'mode' and 'passthru' in (have, want):
            in_place = False  # the kernel refuses to switch into or out of passthru
        (mutable if in_place else immutable).append((key, have, want))
    return mutable, immutable


def describe_differences(diffs):
    return ', '.join('%s is %s, wanted %s' % (key, _show(have), _show(want)) for key, have, want in diffs)


def _show(value):
    return 'unset' if value is None else repr(value) if isinstance(value, str) else str(value)


def create_kwargs(kind, name, spec, parent_index=None, mtu=None, mac=None):
    """Keyword arguments for ``IPRoute.link('add', ...)`` (pyroute2 0.7 and 0.9)."""
    kwargs = dict(ifname=name, kind=kind)
    if mtu is not None:
        kwargs['mtu'] = mtu
    if mac is not None:
        kwargs['address'] = mac
    if kind in ('macvlan', 'vlan'):
        kwargs['link'] = parent_index
    if kind == 'macvlan' and spec.get('mode') is not None:
        kwargs['macvlan_mode'] = spec['mode']
    elif kind == 'bond' and spec.get('mode') is not None:
        kwargs['bond_mode'] = BOND_MODES.index(spec['mode'])
    elif kind == 'vlan':
        kwargs['vlan_id'] = spec['vlan_id']
    elif kind == 'vxlan':
        kwargs['vxlan_id'] = spec['vni']
        kwargs['vxlan_port'] = spec.get('dstport', VXLAN_DEFAULT_PORT)
        if parent_index is not None:
            kwargs['vxlan_link'] = parent_index
        for option, attr in (('remote', 'vxlan_group'), ('group', 'vxlan_group'), ('local', 'vxlan_local')):
            value = spec.get(option)
            if value is not None:
                six = ipaddress.ip_address(value).version == 6
                kwargs[attr + ('6' if six else '')] = value
    elif kind == 'sit':
        for option in ('local', 'remote', 'ttl'):
            if spec.get(option) is not None:
                kwargs['sit_' + option] = spec[option]
    return kwargs


def change_kwargs(kind, key, value):
    """Keyword arguments for ``IPRoute.link('set', index=..., ...)`` that
    change one mutable kind-specific attribute."""
    if kind == 'macvlan' and key == 'mode':
        return dict(kind='macvlan', macvlan_mode=value)
    raise ValueError('attribute %s of kind %s cannot be changed in place' % (key, kind))


def unsupported_message(kind, detail):
    return ('cannot be used: this kernel does not support link kind %s (%s; load its kernel module, '
            'for example "modprobe %s", or use a kernel built with it)' % (kind, detail, 'bonding' if kind == 'bond' else '8021q' if kind == 'vlan' else kind))
