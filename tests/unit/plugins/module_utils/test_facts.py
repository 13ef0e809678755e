# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of _facts: the route and rule normalisers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import socket
import sys

try:
    import ansible_collections.linuxnet.plumbing  # noqa: F401  pylint: disable=unused-import
except ImportError:  # plain pytest from the checkout: collections/ holds the link
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'collections'))

from ansible_collections.linuxnet.plumbing.plugins.module_utils import _facts  # noqa: E402


class Msg(dict):
    """A stand-in for a pyroute2 message: fields by key, NLAs by get_attr."""

    def __init__(self, attrs=None, **fields):
        super(Msg, self).__init__(**fields)
        self['attrs'] = list((attrs or {}).items())

    def get_attr(self, name):
        for key, value in self['attrs']:
            if key == name:
                return value
        return None


def route(attrs, **fields):
    base = dict(family=socket.AF_INET, dst_len=0, src_len=0, table=254, type=1, proto=4, scope=0, flags=0)
    base.update(fields)
    return Msg(attrs, **base)


NAMES = {2: 'veth0', 3: 'veth1'}


def test_default_route_in_numbered_table():
    msg = route({'RTA_TABLE': 100, 'RTA_GATEWAY': '10.0.0.2', 'RTA_OIF': 2, 'RTA_PRIORITY': 10}, table=252)
    fact = _facts.route_fact(msg, NAMES)
    assert fact == {
        'family': 4, 'table': 100, 'dst': 'default', 'type': 'unicast', 'proto': 'static', 'scope': 'global',
        'metric': 10, 'dev': 'veth0', 'gateway': '10.0.0.2', 'prefsrc': None, 'onlink': False, 'linkdown': False,
    }


def test_device_route_ipv6_and_flags():
    msg = route({'RTA_DST': '2001:DB8:0:0::', 'RTA_OIF': 3}, family=socket.AF_INET6, dst_len=64, scope=253,
                proto=2, flags=0x14)
    fact = _facts.route_fact(msg, NAMES)
    assert fact['family'] == 6
    assert fact['dst'] == '2001:db8::/64'
    assert fact['scope'] == 'link'
    assert fact['proto'] == 'kernel'
    assert fact['metric'] == 0
    assert fact['table'] == 254
    assert fact['onlink'] and fact['linkdown']
    assert fact['gateway'] is None


def test_blackhole_and_unknown_numbers():
    fact = _facts.route_fact(route({'RTA_DST': '192.0.2.0'}, dst_len=24, type=6, proto=99), NAMES)
    assert fact['type'] == 'blackhole'
    assert fact['proto'] == '99'
    assert fact['dev'] is None


def test_multipath():
    hops = [Msg({'RTA_GATEWAY': '10.0.0.2'}, oif=2, hops=0, flags=0),
            Msg({'RTA_GATEWAY': '10.0.1.2'}, oif=3, hops=2, flags=0x4)]
    fact = _facts.route_fact(route({'RTA_DST': '198.51.100.0', 'RTA_MULTIPATH': hops}, dst_len=24), NAMES)
    assert fact['nexthops'] == [
        {'gateway': '10.0.0.2', 'dev': 'veth0', 'weight': 1, 'onlink': False, 'linkdown': False},
        {'gateway': '10.0.1.2', 'dev': 'veth1', 'weight': 3, 'onlink': True, 'linkdown': False},
    ]


def test_multipath_plain_dict_hops():
    hops = [{'attrs': [('RTA_GATEWAY', '10.0.0.2')], 'oif': 2, 'hops': 0, 'flags': 0}]
    fact = _facts.route_fact(route({'RTA_MULTIPATH': hops}), NAMES)
    assert fact['nexthops'][0]['gateway'] == '10.0.0.2'


def rule(attrs, **fields):
    base = dict(family=socket.AF_INET, dst_len=0, src_len=0, tos=0, table=0, action=1, flags=0)
    base.update(fields)
    return Msg(attrs, **base)


def test_rule_with_source_and_table():
    fact = _facts.rule_fact(rule({'FRA_PRIORITY': 1000, 'FRA_SRC': '10.77.0.0', 'FRA_TABLE': 100}, src_len=24))
    assert fact == {
        'family': 4, 'priority': 1000, 'src': '10.77.0.0/24', 'dst': None, 'iif': None, 'oif': None,
        'fwmark': None, 'tos': 0, 'table': 100, 'goto': None, 'action': 'lookup', 'invert': False,
    }


def test_rule_fwmark_forms():
    full = _facts.rule_fact(rule({'FRA_FWMARK': 16, 'FRA_FWMASK': 0xFFFFFFFF, 'FRA_TABLE': 100}))
    masked = _facts.rule_fact(rule({'FRA_FWMARK': 16, 'FRA_FWMASK': 0xFF, 'FRA_TABLE': 100}))
    assert full['fwmark'] == '0x10'
    assert masked['fwmark'] == '0x10/0xff'


def test_rule_priority_zero_and_actions():
    local = _facts.rule_fact(rule({'FRA_TABLE': 255}, table=255))
    assert local['priority'] == 0 and local['table'] == 255
    black = _facts.rule_fact(rule({'FRA_PRIORITY': 5, 'FRA_IIFNAME': 'eth1'}, action=6, flags=0x2,
                                  family=socket.AF_INET6))
    assert black['action'] == 'blackhole'
    assert black['table'] is None
    assert black['invert'] is True
    assert black['iif'] == 'eth1'
    assert black['family'] == 6


def test_sort_routes():
    routes = [
        {'family': 6, 'table': 254, 'dst': 'default', 'metric': 0},
        {'family': 4, 'table': 254, 'dst': 'default', 'metric': 0},
        {'family': 4, 'table': 100, 'dst': '10.0.0.0/24', 'metric': 5},
        {'family': 4, 'table': 254, 'dst': '10.0.0.0/24', 'metric': 0},
    ]
    out = _facts._sort_routes(routes)  # pylint: disable=protected-access
    assert [(r['family'], r['table'], r['dst']) for r in out] == [
        (4, 100, '10.0.0.0/24'), (4, 254, '10.0.0.0/24'), (4, 254, 'default'), (6, 254, 'default')]


def test_collectors_registry_is_the_hook():
    assert set(_facts.COLLECTORS) == {'links', 'addresses', 'routes', 'rules', 'sysctls'}
    assert set(_facts.DEFAULT_GATHER) == {'namespaces', 'links', 'addresses', 'routes', 'rules'}


class FakeSocket(object):
    """Records the request and answers with prepared datagrams."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.sent = []

    def send(self, data):
        self.sent.append(data)

    def recv(self, size):
        return self.replies.pop(0)


def _nlmsg(kind, seq, payload):
    import struct
    return struct.pack('=IHHII', 16 + len(payload), kind, 0, seq, 0) + payload


def _nsid_reply(seq, nsid):
    import struct
    return _nlmsg(_facts.RTM_NEWNSID, seq, struct.pack('=B3x', 0) + struct.pack('=HHi', 8, _facts.NETNSA_NSID, nsid))


def test_get_nsid_request_and_reply():
    import struct
    sock = FakeSocket([_nsid_reply(7, 3)])
    assert _facts.get_nsid(sock, 42, seq=7) == 3
    length, kind, flags, seq, dummy = struct.unpack_from('=IHHII', sock.sent[0])
    assert (length, kind, flags, seq) == (len(sock.sent[0]), _facts.RTM_GETNSID, 1, 7)
    assert struct.unpack_from('=HHI', sock.sent[0], 20) == (8, _facts.NETNSA_FD, 42)


def test_get_nsid_not_assigned_error_and_stale_replies():
    assert _facts.get_nsid(FakeSocket([_nsid_reply(1, -1)]), 5, seq=1) is None
    error = _nlmsg(_facts.NLMSG_ERROR, 2, b'\xea\xff\xff\xff' + b'\0' * 16)
    assert _facts.get_nsid(FakeSocket([error]), 5, seq=2) is None
    # a reply to an older request is skipped
    assert _facts.get_nsid(FakeSocket([_nsid_reply(1, 9) + _nsid_reply(3, 4)]), 5, seq=3) == 4
