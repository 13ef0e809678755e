# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of _facts: route/rule facts, sorting, the RTM_GETNSID codec."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import socket
import sys

try:
    import ansible_collections.linuxnet.plumbing  # noqa: F401  pylint: disable=unused-import
except ImportError:  # plain pytest from the checkout: collections/ holds the link
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'collections'))

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import facts as _facts  # noqa: E402
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import netlink  # noqa: E402
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import ROUTE_FIELDS  # noqa: E402


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


def test_route_fact_is_the_shared_shape_plus_linkdown():
    msg = route({'RTA_TABLE': 100, 'RTA_GATEWAY': '10.0.0.2', 'RTA_OIF': 2, 'RTA_PRIORITY': 10}, table=252,
                flags=0x10)
    fact = _facts.route_fact(msg, NAMES)
    assert fact['family'] == 'ipv4'
    assert fact['table'] == 100
    assert fact['dest'] == 'default'
    assert fact['gateway'] == '10.0.0.2' and fact['dev'] == 'veth0' and fact['metric'] == 10
    assert fact['linkdown'] is True
    assert set(fact) == set(ROUTE_FIELDS) | {'linkdown'}


def test_route_fact_ipv6_device_route():
    msg = route({'RTA_DST': '2001:DB8:0:0::', 'RTA_OIF': 3}, family=socket.AF_INET6, dst_len=64, scope=253)
    fact = _facts.route_fact(msg, NAMES)
    assert (fact['family'], fact['dest'], fact['dev'], fact['linkdown']) == ('ipv6', '2001:db8::/64', 'veth1', False)


def test_route_fact_skips_cloned():
    assert _facts.route_fact(route({}, flags=0x200), NAMES) is None


def rule(attrs, **fields):
    base = dict(family=socket.AF_INET, dst_len=0, src_len=0, tos=0, table=0, action=1, flags=0)
    base.update(fields)
    return Msg(attrs, **base)


def test_rule_fact_is_the_shared_shape():
    fact = _facts.rule_fact(rule({'FRA_PRIORITY': 1000, 'FRA_SRC': '10.77.0.0', 'FRA_TABLE': 100,
                                  'FRA_FWMARK': 16, 'FRA_FWMASK': 0xFF}, src_len=24))
    assert fact['family'] == 'ipv4'
    assert fact['priority'] == 1000
    assert fact['src'] == '10.77.0.0/24'
    assert fact['table'] == 100 and fact['action'] == 'lookup'
    assert fact['fwmark'] == '0x10/0xff'


def test_sort_routes():
    routes = [
        {'family': 'ipv6', 'table': 254, 'dest': 'default', 'metric': 0},
        {'family': 'ipv4', 'table': 254, 'dest': '10.0.0.0/24', 'metric': 0},
        None,
        {'family': 'ipv4', 'table': 100, 'dest': '10.0.0.0/24', 'metric': 5},
        {'family': 'ipv4', 'table': 254, 'dest': 'default', 'metric': 0},
    ]
    out = _facts._sort_routes(routes)  # pylint: disable=protected-access
    assert [(r['family'], r['table'], r['dest']) for r in out] == [
        ('ipv4', 100, '10.0.0.0/24'), ('ipv4', 254, 'default'), ('ipv4', 254, '10.0.0.0/24'),
        ('ipv6', 254, 'default')]


def test_collectors_registry_is_the_hook():
    assert set(_facts.COLLECTORS) == {'links', 'addresses', 'routes', 'rules', 'sysctls', 'nftables'}
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
    return _nlmsg(netlink.RTM_NEWNSID, seq, struct.pack('=B3x', 0) + struct.pack('=HHi', 8, netlink.NETNSA_NSID, nsid))


def test_get_nsid_request_and_reply():
    import struct
    sock = FakeSocket([_nsid_reply(7, 3)])
    assert netlink.get_nsid(sock, 42, seq=7) == 3
    length, kind, flags, seq, dummy = struct.unpack_from('=IHHII', sock.sent[0])
    assert (length, kind, flags, seq) == (len(sock.sent[0]), netlink.RTM_GETNSID, 1, 7)
    assert struct.unpack_from('=HHI', sock.sent[0], 20) == (8, netlink.NETNSA_FD, 42)


def test_get_nsid_not_assigned_error_and_stale_replies():
    assert netlink.get_nsid(FakeSocket([_nsid_reply(1, -1)]), 5, seq=1) is None
    error = _nlmsg(netlink.NLMSG_ERROR, 2, b'\xea\xff\xff\xff' + b'\0' * 16)
    assert netlink.get_nsid(FakeSocket([error]), 5, seq=2) is None
    # a reply to an older request is skipped
    assert netlink.get_nsid(FakeSocket([_nsid_reply(1, 9) + _nsid_reply(3, 4)]), 5, seq=3) == 4
