# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure-logic tests of _addresses.plan_addresses against a fake Netlink."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import ipaddress

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.addresses import (
    desired_addresses,
    plan_addresses,
    settled,
    sort_addresses,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError


class FakeNetlinkError(Exception):
    def __init__(self, code, msg=''):
        super(FakeNetlinkError, self).__init__(code, msg)
        self.code = code


class FakeNetlink(object):
    """Addresses of interfaces keyed by index; mimics IPv4 primary/secondary flushing."""

    def __init__(self, addresses=None, names=None, promote_secondaries=False):
        self.addrs = dict((k, list(v)) for k, v in (addresses or {}).items())
        self.names = names or {}
        self.promote = promote_secondaries
        self.calls = []

    def link(self, name):
        for index, ifname in self.names.items():
            if ifname == name:
                return {'index': index, 'name': name}
        return None

    def addresses(self, index=None):
        out = []
        for idx, items in self.addrs.items():
            if index is None or idx == index:
                for text in items:
                    out.append({'index': idx, 'address': text,
                                'family': ipaddress.ip_interface(text).version, 'scope': 'global'})
        return out

    def add_address(self, index, iface):
        text = '%s/%d' % (iface.ip.compressed, iface.network.prefixlen)
        self.calls.append(('add', index, text))
        items = self.addrs.setdefault(index, [])
        if text in items:
            raise FakeNetlinkError(errno.EEXIST, 'File exists')
        items.append(text)

    def delete_address(self, index, iface, missing_ok=False):
        text = '%s/%d' % (iface.ip.compressed, iface.network.prefixlen)
        self.calls.append(('del', index, text))
        items = self.addrs.get(index, [])
        if text not in items:
            if missing_ok:  # as the real client: EADDRNOTAVAIL is then no error
                return
            raise FakeNetlinkError(errno.EADDRNOTAVAIL, 'Cannot assign requested address')
        primary = self._primary(items, iface)
        items.remove(text)
        if iface.version == 4 and primary == text and not self.promote:
            # The kernel drops the secondaries of a removed primary.
            for other in list(items):
                o = ipaddress.ip_interface(other)
                if o.version == 4 and o.network == iface.network:
                    items.remove(other)

    @staticmethod
    def _primary(items, iface):
        for text in items:
            o = ipaddress.ip_interface(text)
            if o.version == 4 and o.network == iface.network:
                return text
        return None


def plan(nl, index, desired, **kwargs):
    tracker = DifferenceTracker()
    result = plan_addresses(tracker, nl, index, 'eth0', desired, **kwargs)
    return tracker, result


def test_desired_addresses_canonical_and_sorted():
    assert desired_addresses(['2001:DB8::1/64', '192.0.2.1/24', '2001:db8::1/64', '10.0.0.1/8']) == [
        '10.0.0.1/8', '192.0.2.1/24', '2001:db8::1/64']


def test_desired_addresses_numeric_order():
    assert sort_addresses(['10.0.0.10/24', '10.0.0.9/24', '9.0.0.1/8']) == ['9.0.0.1/8', '10.0.0.9/24', '10.0.0.10/24']


@pytest.mark.parametrize('value', ['10.0.0.300/24', '10.0.0.1', 'not-an-address/24', '2001:db8::1/129', '10.0.0.1/33'])
def test_desired_addresses_bad_value_names_option(value):
    with pytest.raises(ValidationError) as exc:
        desired_addresses([value], 'peer_address')
    assert exc.value.option == 'peer_address'
    assert value in str(exc.value)


def test_desired_addresses_same_ipv6_two_lengths():
    with pytest.raises(ValidationError) as exc:
        desired_addresses(['2001:db8::1/64', '2001:DB8::1/48'])
    assert exc.value.option == 'address'


def test_same_ipv4_two_lengths_allowed():
    assert desired_addresses(['10.0.0.1/24', '10.0.0.1/16']) == ['10.0.0.1/16', '10.0.0.1/24']


def test_additive_adds_missing_only():
    nl = FakeNetlink({1: ['192.0.2.1/24', 'fe80::1/64']})
    tracker, res = plan(nl, 1, ['192.0.2.1/24', '2001:DB8::1/64'])
    assert res['add'] == ['2001:db8::1/64']
    assert res['remove'] == []
    assert tracker.actions == ['add address 2001:db8::1/64 to eth0']
    assert tracker.diff() == {'before': {'addresses': ['192.0.2.1/24', 'fe80::1/64']},
                              'after': {'addresses': ['192.0.2.1/24', '2001:db8::1/64', 'fe80::1/64']}}
    tracker.apply(check_mode=True)
    assert nl.calls == []
    tracker.apply(check_mode=False)
    assert nl.calls == [('add', 1, '2001:db8::1/64')]


def test_idempotent():
    nl = FakeNetlink({1: ['192.0.2.1/24', '2001:db8::1/64']})
    tracker, res = plan(nl, 1, ['2001:DB8::1/64', '192.0.2.1/24'])
    assert not tracker.changed
    assert res['before'] == res['after']


def test_exclusive_keeps_ipv6_link_local():
    nl = FakeNetlink({1: ['192.0.2.1/24', '198.51.100.1/24', 'fe80::1/64', '2001:db8::9/64']})
    tracker, res = plan(nl, 1, ['192.0.2.1/24'], exclusive=True)
    assert res['remove'] == ['198.51.100.1/24', '2001:db8::9/64']
    assert res['after'] == ['192.0.2.1/24', 'fe80::1/64']
    tracker.apply(check_mode=False)
    assert sort_addresses(nl.addrs[1]) == res['after']


def test_exclusive_listed_link_local_is_managed():
    nl = FakeNetlink({1: ['fe80::1/64']})
    tracker, res = plan(nl, 1, ['fe80::2/64'], exclusive=True)
    assert res['remove'] == []
    assert res['after'] == ['fe80::1/64', 'fe80::2/64']
    assert tracker.changed


def test_exclusive_empty_list_flushes_but_link_local():
    nl = FakeNetlink({1: ['192.0.2.1/24', 'fe80::1/64']})
    dummy, res = plan(nl, 1, [], exclusive=True)
    assert res['after'] == ['fe80::1/64']


def test_ipv6_other_prefix_length_is_replaced_even_when_additive():
    nl = FakeNetlink({1: ['2001:db8::1/64']})
    tracker, res = plan(nl, 1, ['2001:db8::1/48'])
    assert res['remove'] == ['2001:db8::1/64']
    assert res['add'] == ['2001:db8::1/48']
    assert tracker.actions == ['remove address 2001:db8::1/64 from eth0', 'add address 2001:db8::1/48 to eth0']
    tracker.apply(check_mode=False)
    assert nl.addrs[1] == ['2001:db8::1/48']


def test_ipv4_other_prefix_length_coexists_when_additive():
    nl = FakeNetlink({1: ['10.0.0.1/24']})
    dummy, res = plan(nl, 1, ['10.0.0.1/16'])
    assert res['remove'] == []
    assert res['after'] == ['10.0.0.1/16', '10.0.0.1/24']


def test_absent_removes_listed_present_only():
    nl = FakeNetlink({1: ['192.0.2.1/24', '2001:db8::1/64']})
    tracker, res = plan(nl, 1, ['2001:DB8::1/64', '203.0.113.1/24'], state='absent')
    assert res['remove'] == ['2001:db8::1/64']
    assert res['add'] == []
    tracker.apply(check_mode=False)
    assert nl.addrs[1] == ['192.0.2.1/24']


def test_absent_other_prefix_length_is_not_removed():
    nl = FakeNetlink({1: ['192.0.2.1/24']})
    tracker, dummy = plan(nl, 1, ['192.0.2.1/25'], state='absent')
    assert not tracker.changed


def test_removing_primary_restores_secondaries_meant_to_stay():
    nl = FakeNetlink({1: ['10.0.0.1/24', '10.0.0.2/24', '10.0.0.3/24']})
    tracker, res = plan(nl, 1, ['10.0.0.2/24', '10.0.0.3/24'], exclusive=True)
    assert res['remove'] == ['10.0.0.1/24']
    tracker.apply(check_mode=False)
    assert sort_addresses(nl.addrs[1]) == ['10.0.0.2/24', '10.0.0.3/24']


def test_removing_already_dropped_secondary_is_tolerated():
    nl = FakeNetlink({1: ['10.0.0.1/24', '10.0.0.2/24', '10.0.0.3/24']})
    tracker, res = plan(nl, 1, ['10.0.0.3/24'], exclusive=True)
    assert res['remove'] == ['10.0.0.1/24', '10.0.0.2/24']
    tracker.apply(check_mode=False)
    assert nl.addrs[1] == ['10.0.0.3/24']


def test_other_netlink_errors_propagate():
    class Broken(FakeNetlink):
        def delete_address(self, index, iface, missing_ok=False):
            raise FakeNetlinkError(errno.EPERM, 'Operation not permitted')
    nl = Broken({1: ['10.0.0.1/24']})
    tracker, dummy = plan(nl, 1, [], exclusive=True)
    with pytest.raises(FakeNetlinkError):
        tracker.apply(check_mode=False)


def test_interface_created_later_is_looked_up_by_name():
    nl = FakeNetlink({}, names={})
    tracker, res = plan(nl, None, ['192.0.2.1/24'], key='peer_addresses')
    assert res['before'] == []
    assert tracker.diff() == {'before': {'peer_addresses': []}, 'after': {'peer_addresses': ['192.0.2.1/24']}}
    nl.names[7] = 'eth0'  # an earlier queued action created it
    tracker.apply(check_mode=False)
    assert nl.calls == [('add', 7, '192.0.2.1/24')]


def test_interface_missing_at_apply_time():
    nl = FakeNetlink({}, names={})
    tracker, dummy = plan(nl, None, ['192.0.2.1/24'])
    with pytest.raises(ModuleFailure) as exc:
        tracker.apply(check_mode=False)
    assert 'interface eth0 disappeared' in str(exc.value)


def test_settled_leaves_out_only_the_link_local_addresses_the_plan_lacks():
    reading = ['10.0.0.1/24', '2001:db8::1/64', 'fe80::1/64']
    assert settled(reading, ['10.0.0.1/24', '2001:db8::1/64']) == ['10.0.0.1/24', '2001:db8::1/64']
    assert settled(reading, reading) == reading
    assert settled(['10.0.0.9/24'], []) == ['10.0.0.9/24']
