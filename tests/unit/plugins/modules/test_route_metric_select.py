# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""route_metric_select (the route_metric role's helper): validation, plan, management safety."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.modules import route_metric_select as rms


def route(dest, dev, gateway, metric, family='ipv4'):
    return {'family': family, 'dest': dest, 'table': 254, 'metric': metric, 'type': 'unicast', 'scope': 'global',
            'proto': 'static', 'gateway': gateway, 'dev': dev, 'src': None, 'onlink': False, 'nexthops': None}


DEFAULTS = [route('default', 'eth1', '10.0.2.2', 100), route('default', 'eth2', '192.0.2.1', 200)]
MAIN = DEFAULTS + [route('10.0.2.0/24', 'eth1', None, 0), route('192.0.2.0/24', 'eth2', None, 0)]


def params(**kw):
    base = dict(interface=None, mac=None, gateway='10.0.2.2', families=['ipv4', 'ipv6'], metric=1000,
                management_address='')
    base.update(kw)
    return base


@pytest.mark.parametrize('kw, option, text', [
    (dict(metric=4294967296), 'route_metric_value', 'outside the range'),
    (dict(metric=-1), 'route_metric_value', 'outside the range'),
    (dict(metric='ten'), 'route_metric_value', 'whole number'),
    (dict(gateway='fd00::2', families=['ipv4']), 'route_metric_gateway', 'IPv6 address'),
    (dict(gateway='10.0.2.300'), 'route_metric_gateway', 'not a valid IP address'),
    (dict(interface='eth1'), 'route_metric_interface/route_metric_mac/route_metric_gateway', 'exactly one'),
    (dict(gateway=None), 'route_metric_interface/route_metric_mac/route_metric_gateway', 'exactly one'),
    (dict(gateway=None, mac='52:54:00'), 'route_metric_mac', 'not a MAC address'),
    (dict(gateway=None, interface='a-very-long-name0'), 'route_metric_interface', '15 bytes'),
    (dict(management_address='nope'), 'route_metric_management_address', 'not a valid IP address'),
])
def test_validate_rejects(kw, option, text):
    with pytest.raises(ValidationError) as err:
        rms.validate(params(**kw))
    assert err.value.option == option
    assert text in str(err.value)


def test_validate_accepts():
    assert rms.validate(params()) == ('gateway', '10.0.2.2', 1000, ['ipv4', 'ipv6'])
    assert rms.validate(params(gateway=None, mac='52-54-00-AA-BB-CC', metric='7'))[1:3] == ('52:54:00:aa:bb:cc', 7)


def test_plan_moves_only_the_interface_routes():
    assert rms.plan_family('ipv4', DEFAULTS, 'eth1', 1000) == [
        {'family': 'ipv4', 'gateway': '10.0.2.2', 'dev': 'eth1', 'old_metric': 100, 'new_metric': 1000}]
    assert rms.plan_family('ipv4', DEFAULTS, 'eth1', 100) == []
    assert rms.plan_family('ipv4', DEFAULTS, 'eth3', 5) == []


def test_plan_refuses_taking_another_routes_identity_and_ambiguous_gateways():
    with pytest.raises(ModuleFailure, match='already has metric 200'):
        rms.plan_family('ipv4', DEFAULTS, 'eth1', 200)
    two = DEFAULTS + [route('default', 'eth1', '10.0.2.3', 150)]
    with pytest.raises(ModuleFailure, match='several gateways'):
        rms.plan_family('ipv4', two, 'eth1', 1000)


def test_plan_with_the_new_route_already_there():
    both = DEFAULTS + [route('default', 'eth1', '10.0.2.2', 1000)]
    assert [m['old_metric'] for m in rms.plan_family('ipv4', both, 'eth1', 1000)] == [100]


def test_management_on_a_connected_subnet_is_safe():
    moves = rms.plan_family('ipv4', DEFAULTS, 'eth1', 1000)
    report = rms.management_check('10.0.2.2', 254, MAIN, moves)
    assert report['before']['dest'] == '10.0.2.0/24' and report['after']['dev'] == 'eth1'


def test_management_through_the_changed_default_route_is_refused():
    moves = rms.plan_family('ipv4', DEFAULTS, 'eth1', 1000)
    with pytest.raises(ModuleFailure, match='refusing the change') as err:
        rms.management_check('203.0.113.9', 254, MAIN, moves)
    assert err.value.kwargs['management']['after']['dev'] == 'eth2'


def test_management_that_keeps_its_path_or_uses_another_table_is_allowed():
    moves = rms.plan_family('ipv4', DEFAULTS, 'eth1', 150)   # eth1 still wins
    assert rms.management_check('203.0.113.9', 254, MAIN, moves)['after']['metric'] == 150
    report = rms.management_check('203.0.113.9', 2, MAIN, rms.plan_family('ipv4', DEFAULTS, 'eth1', 1000))
    assert 'table 2' in report['note']


def test_move_adds_every_new_route_before_removing_an_old_one():
    v6 = [route('default', 'eth1', 'fd00::2', 100, 'ipv6')]
    main = {'ipv4': MAIN, 'ipv6': v6}
    moves = rms.plan_family('ipv4', DEFAULTS, 'eth1', 1000) + rms.plan_family('ipv6', v6, 'eth1', 1000)
    ops = rms.move_ops(main, moves, 1000)
    assert [(op, r['family'], r['metric']) for op, r in ops] == [
        ('add', 'ipv4', 1000), ('add', 'ipv6', 1000), ('delete', 'ipv4', 100), ('delete', 'ipv6', 100)]
    # the new route is the old one with the new metric (gateway, dev, src, onlink kept)
    assert ops[0][1] == dict(DEFAULTS[0], metric=1000)


def test_move_adds_the_new_route_once_and_not_when_it_is_there():
    two_old = DEFAULTS + [route('default', 'eth1', '10.0.2.2', 300)]
    moves = rms.plan_family('ipv4', two_old, 'eth1', 1000)
    assert [op for op, r in rms.move_ops({'ipv4': two_old}, moves, 1000)] == ['add', 'delete', 'delete']
    held = DEFAULTS + [route('default', 'eth1', '10.0.2.2', 1000)]
    moves = rms.plan_family('ipv4', held, 'eth1', 1000)
    assert [(op, r['metric']) for op, r in rms.move_ops({'ipv4': held}, moves, 1000)] == [('delete', 100)]


def test_defaults_of_one_interface_is_the_diff_shape():
    held = MAIN + [route('default', 'eth1', '10.0.2.2', 1000)]
    assert rms.defaults_of({'ipv4': held, 'ipv6': []}, 'eth1') == {
        'ipv4': [{'gateway': '10.0.2.2', 'metric': 100}, {'gateway': '10.0.2.2', 'metric': 1000}], 'ipv6': []}
    moved = rms.after_plan(held, rms.plan_family('ipv4', [r for r in held if r['dest'] == 'default'], 'eth1', 1000))
    assert rms.defaults_of({'ipv4': moved}, 'eth1') == {'ipv4': [{'gateway': '10.0.2.2', 'metric': 1000}]}
