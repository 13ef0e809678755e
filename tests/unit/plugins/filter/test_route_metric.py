# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the route_metric role's filters (route lists of its moves, its per-host result)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.filter import route_metric as _MOD

moves = _MOD.route_metric_moves
result = _MOD.route_metric_result

PLAN = [{'family': 'ipv4', 'gateway': '10.0.2.2', 'dev': 'eth0', 'old_metric': 100, 'new_metric': 1000},
        {'family': 'ipv6', 'gateway': '', 'dev': 'eth0', 'old_metric': 1024, 'new_metric': 1000}]


def selected(found=True, plan=None, **extra):
    out = {'found': found, 'check_mode': False, 'management': {'address': '', 'checked': False}}
    if found:
        out.update(interface={'name': 'eth0', 'index': 2, 'mac': '52:54:00:00:00:01'}, metric=1000,
                   plan=PLAN if plan is None else plan,
                   routes={'ipv4': [{'gateway': '10.0.2.2', 'metric': 100}], 'ipv6': [{'gateway': None, 'metric': 1024}]})
    else:
        out['reason'] = "no interface has the gateway '10.0.2.2' on a directly connected subnet"
    out.update(extra)
    return out


def test_moves_new_then_old_metric_device_route_without_gateway():
    assert moves(PLAN) == [{'dest': 'default', 'family': 'ipv4', 'gateway': '10.0.2.2', 'dev': 'eth0', 'metric': 1000},
                           {'dest': 'default', 'family': 'ipv6', 'gateway': None, 'dev': 'eth0', 'metric': 1000}]
    assert [m['metric'] for m in moves(PLAN, old=True)] == [100, 1024]
    assert moves(None) == []


def test_result_runtime_and_persisted_changes():
    per = {'changed': True, 'backends': ['netplan'], 'changes': ['netplan: eth0 metric 1000'], 'notes': ['n1'],
           'files': [{'path': '/etc/netplan/a.yaml', 'changed': True}, {'path': '/etc/netplan/b.yaml', 'changed': False}]}
    res = result(selected(), per, runtime_changed=True, families=['ipv4', 'ipv6'], selector='10.0.2.2', metric=1000)
    assert res['changed'] is True and res['interface'] == 'eth0'
    assert res['runtime'] == {'ipv4': {'before': [100], 'after': [1000]}, 'ipv6': {'before': [1024], 'after': [1000]}}
    assert res['changes'] == ['eth0 ipv4 default via 10.0.2.2 metric 100 -> 1000',
                              'eth0 ipv6 default via (none) metric 1024 -> 1000', 'netplan: eth0 metric 1000']
    assert res['notes'] == ['n1'] and res['backends'] == ['netplan']
    assert res['files_changed'] == ['/etc/netplan/a.yaml']


def test_result_runtime_off_leaves_moves_as_notes():
    res = result(selected(), {}, families=['ipv4'], runtime=False, metric=1000)
    assert res['changed'] is False and res['changes'] == []
    assert res['runtime'] == {'ipv4': {'before': [100], 'after': [100]}}
    assert res['notes'][0] == 'eth0 ipv4 default via 10.0.2.2 metric 100 -> 1000 left (route_metric_runtime=false)'


def test_result_family_without_default_route_and_management_notes():
    sel = selected(plan=[], management={'address': '10.9.0.1', 'checked': True, 'note': 'mgmt from table 7'})
    sel['routes']['ipv6'] = []
    res = result(sel, None, families=['ipv4', 'ipv6'], management_note='connection note')
    assert res['runtime']['ipv6'] == {'before': [], 'after': []}
    assert res['notes'] == ['eth0 has no ipv6 default route in the main table', 'connection note', 'mgmt from table 7']
    assert res['changed'] is False


def test_result_no_interface():
    res = result(selected(found=False), {}, families=['ipv4'], selector='10.0.2.2')
    assert res['interface'] is None and res['runtime'] == {} and res['changes'] == []
    assert res['notes'] == ["no interface matches: no interface has the gateway '10.0.2.2' on a directly connected subnet"]


def test_filter_names():
    assert _MOD.FilterModule().filters() == {'route_metric_moves': moves, 'route_metric_result': result}
