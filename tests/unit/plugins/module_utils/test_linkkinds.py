# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the link module: options -> netlink attributes and back,
and which differences can be changed in place."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import errno

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan import links as lk
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import netlink
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError


def params(**kwargs):
    base = dict(name='lk0', kind=None, state='present', parent=None, mode=None, vlan_id=None, vni=None,
                remote=None, group=None, local=None, dstport=None, ttl=None, mtu=None, up=None, mac=None,
                master=None, recreate=False)
    base.update(kwargs)
    return base


# -- desired_spec -------------------------------------------------------------------


def test_no_kind_no_spec():
    assert lk.desired_spec(params(mtu=1400)) == {}


def test_macvlan_spec():
    assert lk.desired_spec(params(kind='macvlan', parent='eth0', mode='bridge')) == {'parent': 'eth0', 'mode': 'bridge'}


def test_vxlan_spec_defaults_port_and_canonicalises_addresses():
    spec = lk.desired_spec(params(kind='vxlan', vni=42, remote='2001:DB8:0::2', local='2001:db8::1'))
    assert spec == {'vni': 42, 'dstport': 4789, 'remote': '2001:db8::2', 'local': '2001:db8::1'}


def test_vxlan_group():
    spec = lk.desired_spec(params(kind='vxlan', vni=1, group='239.1.1.1', parent='eth0', dstport=8472))
    assert spec == {'vni': 1, 'dstport': 8472, 'group': '239.1.1.1', 'parent': 'eth0'}


def test_vlan_spec():
    assert lk.desired_spec(params(kind='vlan', parent='eth0', vlan_id=100)) == {'parent': 'eth0', 'vlan_id': 100}


def test_state_absent_needs_no_required_options():
    assert lk.desired_spec(params(kind='vxlan', state='absent')) == {'dstport': 4789}


@pytest.mark.parametrize('kwargs, option, text', [
    (dict(vni=5), 'vni', 'needs option kind'),
    (dict(kind='macvlan', parent='eth0', vni=5), 'vni', 'does not apply to kind macvlan'),
    (dict(kind='dummy', mode='bridge'), 'mode', 'does not apply to kind dummy'),
    (dict(kind='macvlan', parent='eth0', mode='802.3ad'), 'mode', 'not a macvlan mode'),
    (dict(kind='bond', mode='vepa'), 'mode', 'not a bond mode'),
    (dict(kind='macvlan'), 'parent', 'kind macvlan requires it'),
    (dict(kind='macvlan', parent='lk0'), 'parent', 'is the link itself'),
    (dict(kind='macvlan', parent='x' * 16), 'parent', '16 bytes long'),
    (dict(kind='vlan', parent='eth0'), 'vlan_id', 'kind vlan requires it'),
    (dict(kind='vlan', parent='eth0', vlan_id=4095), 'vlan_id', 'outside the range 1-4094'),
    (dict(kind='vxlan'), 'vni', 'kind vxlan requires it'),
    (dict(kind='vxlan', vni=1 << 24), 'vni', 'outside the range'),
    (dict(kind='vxlan', vni=1, dstport=0), 'dstport', 'outside the range'),
    (dict(kind='vxlan', vni=1, remote='239.0.0.1'), 'remote', 'not a unicast address'),
    (dict(kind='vxlan', vni=1, group='192.0.2.1'), 'group', 'not a multicast address'),
    (dict(kind='vxlan', vni=1, remote='192.0.2.1', group='239.0.0.1'), 'group', 'cannot be combined'),
    (dict(kind='vxlan', vni=1, remote='192.0.2.1', local='2001:db8::1'), 'local', 'IPv4 is required'),
    (dict(kind='vxlan', vni=1, local='nope'), 'local', 'not a valid IP address'),
])
def test_bad_specs(kwargs, option, text):
    with pytest.raises(ValidationError) as err:
        lk.desired_spec(params(**kwargs))
    assert err.value.option == option
    assert text in str(err.value)


@pytest.mark.parametrize('value, expected', [
    ('02:00:00:00:00:01', '02:00:00:00:00:01'),
    ('02-AB-00-00-00-01', '02:ab:00:00:00:01'),
    (None, None),
])
def test_check_mac(value, expected):
    assert lk.check_mac('mac', value) == expected


@pytest.mark.parametrize('value', ['01:00:5e:00:00:01', '00:00:00:00:00:00', '02:00:00:00:00', 'zz:00:00:00:00:00'])
def test_check_mac_bad(value):
    with pytest.raises(ValidationError):
        lk.check_mac('mac', value)


# -- current_spec (reading) -------------------------------------------------------------


NAMES = {2: 'eth0', 5: 'veth1'}


def test_current_macvlan():
    link = dict(kind='macvlan', link_index=2, link_netnsid=None, info_data={'IFLA_MACVLAN_MODE': 'bridge'})
    assert lk.current_spec(link, NAMES) == {'parent': 'eth0', 'mode': 'bridge'}


def test_current_macvlan_numeric_mode_and_foreign_parent():
    link = dict(kind='macvlan', link_index=7, link_netnsid=0, info_data={'IFLA_MACVLAN_MODE': 8})
    spec = lk.current_spec(link, NAMES)
    assert spec['mode'] == 'passthru'
    assert 'another namespace' in spec['parent']


def test_current_vxlan_ipv4_unicast():
    link = dict(kind='vxlan', info_data={'IFLA_VXLAN_ID': 42, 'IFLA_VXLAN_GROUP': '192.0.2.2',
                                         'IFLA_VXLAN_LOCAL': '192.0.2.1', 'IFLA_VXLAN_PORT': 4789,
                                         'IFLA_VXLAN_LINK': 5})
    assert lk.current_spec(link, NAMES) == {'parent': 'veth1', 'vni': 42, 'dstport': 4789, 'remote': '192.0.2.2',
                                            'group': None, 'local': '192.0.2.1'}


def test_current_vxlan_ipv6_multicast():
    link = dict(kind='vxlan', info_data={'IFLA_VXLAN_ID': 1, 'IFLA_VXLAN_GROUP6': 'ff05:0:0::1',
                                         'IFLA_VXLAN_PORT': 8472})
    spec = lk.current_spec(link, NAMES)
    assert spec['group'] == 'ff05::1'
    assert spec['remote'] is None
    assert spec['local'] is None
    assert spec['parent'] is None


def test_current_vlan_and_bond():
    vlan = dict(kind='vlan', link_index=2, info_data={'IFLA_VLAN_ID': 100})
    assert lk.current_spec(vlan, NAMES) == {'parent': 'eth0', 'vlan_id': 100}
    bond = dict(kind='bond', info_data={'IFLA_BOND_MODE': 4})
    assert lk.current_spec(bond, NAMES) == {'mode': '802.3ad'}


def test_current_other_kinds_have_no_spec():
    assert lk.current_spec(dict(kind='veth', link_index=5, info_data={}), NAMES) == {}
    assert lk.current_spec(dict(kind=None), NAMES) == {}


def test_round_trip_desired_equals_current():
    desired = lk.desired_spec(params(kind='vxlan', vni=42, remote='192.0.2.2', local='192.0.2.1', parent='veth1'))
    link = dict(kind='vxlan', info_data={'IFLA_VXLAN_ID': 42, 'IFLA_VXLAN_GROUP': '192.0.2.2',
                                         'IFLA_VXLAN_LOCAL': '192.0.2.1', 'IFLA_VXLAN_PORT': 4789,
                                         'IFLA_VXLAN_LINK': 5})
    assert lk.compare_spec('vxlan', lk.current_spec(link, NAMES), desired) == ([], [])


# -- compare_spec -----------------------------------------------------------------------------


def test_compare_only_requested_keys():
    current = {'parent': 'eth0', 'mode': 'vepa'}
    assert lk.compare_spec('macvlan', current, {'parent': 'eth0'}) == ([], [])


def test_compare_macvlan_mode_is_mutable():
    assert lk.compare_spec('macvlan', {'parent': 'eth0', 'mode': 'vepa'}, {'parent': 'eth0', 'mode': 'bridge'}) == \
        ([('mode', 'vepa', 'bridge')], [])


def test_compare_macvlan_passthru_is_immutable():
    assert lk.compare_spec('macvlan', {'mode': 'bridge'}, {'mode': 'passthru'}) == ([], [('mode', 'bridge', 'passthru')])


def test_compare_immutable_vxlan():
    current = {'vni': 42, 'dstport': 4789, 'remote': '192.0.2.2', 'group': None, 'local': None, 'parent': None}
    mutable, immutable = lk.compare_spec('vxlan', current, {'vni': 43, 'dstport': 4789, 'remote': '192.0.2.3'})
    assert mutable == []
    assert immutable == [('vni', 42, 43), ('remote', '192.0.2.2', '192.0.2.3')]
    text = lk.describe_differences(immutable)
    assert text == "vni is 42, wanted 43, remote is '192.0.2.2', wanted '192.0.2.3'"


def test_compare_bond_mode_is_immutable():
    assert lk.compare_spec('bond', {'mode': 'balance-rr'}, {'mode': '802.3ad'}) == ([], [('mode', 'balance-rr', '802.3ad')])


def test_describe_unset():
    assert lk.describe_differences([('local', None, '192.0.2.1')]) == "local is unset, wanted '192.0.2.1'"


# -- create_kwargs / change_kwargs (pyroute2 keyword arguments) ---------------------------------


def test_create_macvlan():
    spec = {'parent': 'eth0', 'mode': 'bridge'}
    assert lk.create_kwargs('macvlan', 'mv0', spec, parent_index=2, mtu=1400) == dict(
        ifname='mv0', kind='macvlan', link=2, macvlan_mode='bridge', mtu=1400)


def test_create_macvlan_default_mode_and_mac():
    assert lk.create_kwargs('macvlan', 'mv0', {'parent': 'eth0'}, parent_index=2, mac='02:00:00:00:00:01') == dict(
        ifname='mv0', kind='macvlan', link=2, address='02:00:00:00:00:01')


def test_create_vxlan_ipv4():
    spec = {'vni': 42, 'dstport': 4789, 'remote': '192.0.2.2', 'local': '192.0.2.1', 'parent': 'eth0'}
    assert lk.create_kwargs('vxlan', 'vx0', spec, parent_index=2) == dict(
        ifname='vx0', kind='vxlan', vxlan_id=42, vxlan_port=4789, vxlan_link=2,
        vxlan_group='192.0.2.2', vxlan_local='192.0.2.1')


def test_create_vxlan_ipv6_group():
    spec = {'vni': 7, 'dstport': 4790, 'group': 'ff05::1', 'local': '2001:db8::1'}
    assert lk.create_kwargs('vxlan', 'vx6', spec) == dict(
        ifname='vx6', kind='vxlan', vxlan_id=7, vxlan_port=4790, vxlan_group6='ff05::1', vxlan_local6='2001:db8::1')


def test_create_vlan_bond_dummy():
    assert lk.create_kwargs('vlan', 'eth0.100', {'parent': 'eth0', 'vlan_id': 100}, parent_index=2) == dict(
        ifname='eth0.100', kind='vlan', link=2, vlan_id=100)
    assert lk.create_kwargs('bond', 'bond0', {'mode': 'active-backup'}) == dict(ifname='bond0', kind='bond', bond_mode=1)
    assert lk.create_kwargs('bond', 'bond0', {'mode': '802.3ad'})['bond_mode'] == 4
    assert lk.create_kwargs('bond', 'bond0', {}) == dict(ifname='bond0', kind='bond')
    assert lk.create_kwargs('dummy', 'dum0', {}) == dict(ifname='dum0', kind='dummy')


def test_change_kwargs():
    assert lk.change_kwargs('macvlan', 'mode', 'private') == dict(kind='macvlan', macvlan_mode='private')
    with pytest.raises(ValueError):
        lk.change_kwargs('vxlan', 'vni', 5)


def test_bond_modes_match_kernel_numbers():
    assert [lk.BOND_MODES.index(m) for m in ('balance-rr', 'active-backup', 'balance-xor', 'broadcast',
                                             '802.3ad', 'balance-tlb', 'balance-alb')] == list(range(7))


# -- _system.netlink.kernel_supports (decision on the kernel's answer; the socket is faked) -----------------------


class FakeNetlinkError(Exception):
    def __init__(self, code):
        super(FakeNetlinkError, self).__init__(code, 'fake')
        self.code = code


class FakeIPRoute(object):
    answer = None

    def link(self, *_args, **_kwargs):
        if self.answer is not None:
            raise FakeNetlinkError(self.answer)

    def close(self):
        pass


@contextlib.contextmanager
def _no_namespace_change():
    yield


@pytest.fixture
def faked_kernel(monkeypatch):
    monkeypatch.setattr(netlink, 'IPRoute', FakeIPRoute)
    monkeypatch.setattr(netlink, 'NetlinkError', FakeNetlinkError)
    monkeypatch.setattr(netlink, 'private_netns', _no_namespace_change)
    monkeypatch.setattr(netlink, '_SUPPORT_CACHE', {})
    return monkeypatch


@pytest.mark.parametrize('answer, supported', [
    (None, True),
    (errno.EINVAL, True),
    (errno.EOPNOTSUPP, False),
])
def test_kernel_supports_decision(faked_kernel, answer, supported):
    faked_kernel.setattr(FakeIPRoute, 'answer', answer)
    result = netlink.kernel_supports('vlan')
    assert result[0] is supported
    # cached per run: a second call does not ask again
    faked_kernel.setattr(netlink, 'IPRoute', lambda: pytest.fail('asked twice'))
    assert netlink.kernel_supports('vlan') == result


def test_kernel_supports_without_namespaces(faked_kernel):
    @contextlib.contextmanager
    def refuse():
        raise OSError(errno.EPERM, 'Operation not permitted')
        yield  # pylint: disable=unreachable
    faked_kernel.setattr(netlink, 'private_netns', refuse)
    supported, detail = netlink.kernel_supports('vlan')
    assert supported is None
    assert 'Operation not permitted' in detail


def test_unsupported_message():
    text = lk.unsupported_message('vlan', 'because')
    assert 'this kernel does not support link kind vlan' in text
    assert '8021q' in text


# -- sit (6in4) -----------------------------------------------------------------------


def test_sit_spec_ipv4_ends_and_ttl():
    spec = lk.desired_spec(params(kind='sit', local='192.0.2.10', remote='203.0.113.1', ttl=64))
    assert spec == {'local': '192.0.2.10', 'remote': '203.0.113.1', 'ttl': 64}


@pytest.mark.parametrize('kwargs, option, text', [
    (dict(remote='2001:db8::1'), 'remote', 'IPv4 is required'),
    (dict(local='224.0.0.1'), 'local', 'not a unicast IPv4 address'),
    (dict(ttl=256), 'ttl', 'outside the range'),
])
def test_sit_bad_specs(kwargs, option, text):
    with pytest.raises(ValidationError) as exc:
        lk.desired_spec(params(kind='sit', **kwargs))
    assert exc.value.option == option
    assert text in str(exc.value)


def test_ttl_is_for_sit_only():
    with pytest.raises(ValidationError) as exc:
        lk.desired_spec(params(kind='vxlan', vni=1, ttl=5))
    assert exc.value.option == 'ttl'


def test_sit_round_trip():
    desired = lk.desired_spec(params(kind='sit', local='192.0.2.10', remote='203.0.113.1', ttl=64))
    kwargs = lk.create_kwargs('sit', 'he0', desired)
    assert kwargs == dict(ifname='he0', kind='sit', sit_local='192.0.2.10', sit_remote='203.0.113.1', sit_ttl=64)
    reading = {'kind': 'sit', 'info_data': {'IFLA_SIT_LOCAL': '192.0.2.10', 'IFLA_SIT_REMOTE': '203.0.113.1',
                                            'IFLA_SIT_TTL': 64}}
    current = lk.current_spec(reading, {})
    assert lk.compare_spec('sit', current, desired) == ([], [])


def test_sit_any_remote_reads_as_unset():
    reading = {'kind': 'sit', 'info_data': {'IFLA_SIT_LOCAL': '0.0.0.0', 'IFLA_SIT_REMOTE': '0.0.0.0', 'IFLA_SIT_TTL': 0}}
    assert lk.current_spec(reading, {}) == {'local': None, 'remote': None, 'ttl': 0}
