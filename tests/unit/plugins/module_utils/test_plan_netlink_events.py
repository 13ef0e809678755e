# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_plan/netlink_events: messages -> events, patterns, kinds. Messages are
small stand-ins with pyroute2's interface (msg['x'], msg.get_attr(NAME));
the kernel side is covered by the eda_netlink integration target."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan import netlink_events as ne


class Msg(dict):
    def __init__(self, fields, attrs=None):
        dict.__init__(self, fields)
        self.attrs = dict(attrs or {})
        self['attrs'] = list(self.attrs.items())

    def get_attr(self, name):
        return self.attrs.get(name)


class Info(object):
    def __init__(self, kind):
        self.kind = kind

    def get_attr(self, name):
        return self.kind if name == 'IFLA_INFO_KIND' else None


def link(event, index, name, flags=0x1 | 0x10000, mtu=1500, kind='veth'):
    return Msg(dict(event=event, index=index, flags=flags),
               dict(IFLA_IFNAME=name, IFLA_OPERSTATE='UP', IFLA_MTU=mtu, IFLA_ADDRESS='02:00:00:00:00:01',
                    IFLA_LINKINFO=Info(kind)))


def addr(event, index, address, prefixlen, family=socket.AF_INET):
    return Msg(dict(event=event, index=index, prefixlen=prefixlen, family=family), dict(IFA_ADDRESS=address))


def test_link_new_then_changed_then_deleted():
    view = ne.NamespaceView('ns1')
    new = view.event(link('RTM_NEWLINK', 5, 'eni0'))
    assert (new['kind'], new['action'], new['ifname'], new['index'], new['namespace']) == ('link', 'new', 'eni0', 5, 'ns1')
    assert new['admin_up'] and new['carrier'] and new['link_kind'] == 'veth' and new['mtu'] == 1500
    assert set(new) == set(ne.EVENT_KEYS)
    down = view.event(link('RTM_NEWLINK', 5, 'eni0', flags=0, mtu=1400))
    assert (down['action'], down['admin_up'], down['mtu']) == ('changed', False, 1400)
    gone = view.event(link('RTM_DELLINK', 5, 'eni0'))
    assert gone['action'] == 'deleted'
    assert view.event(link('RTM_NEWLINK', 5, 'eni0'))['action'] == 'new'


def test_addresses_are_tracked_per_interface():
    view = ne.NamespaceView(None)
    view.event(link('RTM_NEWLINK', 3, 'eth1'))
    first = view.event(addr('RTM_NEWADDR', 3, '10.0.0.1', 24))
    assert (first['ifname'], first['address'], first['family']) == ('eth1', '10.0.0.1/24', 'ipv4')
    second = view.event(addr('RTM_NEWADDR', 3, '2001:db8::1', 64, socket.AF_INET6))
    assert second['addresses'] == ['10.0.0.1/24', '2001:db8::1/64']
    removed = view.event(addr('RTM_DELADDR', 3, '10.0.0.1', 24))
    assert removed['action'] == 'deleted' and removed['addresses'] == ['2001:db8::1/64']
    assert view.event(link('RTM_NEWLINK', 3, 'eth1'))['addresses'] == ['2001:db8::1/64']


def test_messages_of_no_interest_give_no_event():
    assert ne.NamespaceView(None).event(Msg(dict(event='RTM_NEWNEIGH'))) is None


@pytest.mark.parametrize('patterns, reason', [
    ('eth*', 'is not a list'),
    (['eth['], "has an unclosed '['"),
    (['a/b'], "contains '/'"),
    (['a b'], "contains '/'"),
    ([''], 'is empty'),
    ([7], 'is not a string'),
    (['averyveryverylongname'], 'is longer than 15 bytes'),
])
def test_bad_patterns_name_the_option_and_the_value(patterns, reason):
    with pytest.raises(ne.PatternError) as err:
        ne.check_patterns('opt', patterns)
    assert str(err.value).startswith('opt: ')
    assert reason in str(err.value)
    assert repr(patterns if isinstance(patterns, str) else patterns[0]) in str(err.value)


def test_good_patterns_and_matching():
    assert ne.check_patterns('opt', ['eni*', 'veth[0-9]*', 'eth0']) == ['eni*', 'veth[0-9]*', 'eth0']
    assert ne.name_matches('eni3', ['veth*', 'eni*'])
    assert not ne.name_matches('eth0', ['veth*', 'eni*'])
    assert ne.name_matches('anything', [])
    assert not ne.name_matches(None, ['eni*'])


def test_kinds():
    assert ne.check_kinds('kinds', ['link', 'rule']) == ['link', 'rule']
    with pytest.raises(ne.PatternError, match="kinds: value 'links' is not one of"):
        ne.check_kinds('kinds', ['links'])
    with pytest.raises(ne.PatternError, match='is not a non-empty list'):
        ne.check_kinds('kinds', [])


def test_wanted_filters_kinds_and_names():
    event = ne.blank('link', 'new', None)
    event['ifname'] = 'eni0'
    assert ne.wanted(event, ['link'], ['eni*'])
    assert not ne.wanted(event, ['route'], [])
    assert not ne.wanted(event, ['link'], ['veth*'])
    rule = ne.blank('rule', 'new', None)
    assert ne.wanted(rule, ['rule'], []) and not ne.wanted(rule, ['rule'], ['eni*'])
    assert not ne.wanted(None, ne.KINDS, [])
