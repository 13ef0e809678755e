# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rule normalisation, validation and planning (pure logic, no kernel)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.rt_tables import RtTables
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.rules import (
    check_delete_unambiguous,
    default_priority,
    describe,
    desired_rule,
    format_fwmark,
    parse_fwmark,
    plan_absent,
    plan_present,
    rule_from_msg,
    rule_request,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

TABLES = RtTables([(1000, 'isp2')])


def msg(attrs=(), **fields):
    base = dict(family=socket.AF_INET, dst_len=0, src_len=0, tos=0, table=254, action=1, flags=0)
    base.update(fields)
    base['attrs'] = list(attrs)
    return base


def rule(**over):
    base = {'family': 'ipv4', 'priority': 1000, 'action': 'lookup', 'table': 100, 'src': None, 'dst': None,
            'iif': None, 'oif': None, 'fwmark': None, 'proto': 'unspec'}
    base.update(over)
    return base


def params(**over):
    base = dict(priority=None, src=None, dst=None, iif=None, oif=None, fwmark=None, table=None, action=None,
                family=None, state='present')
    base.update(over)
    return base


def defaults():
    return [rule(priority=0, table=255, proto='kernel'), rule(priority=32766, table=254, proto='kernel'),
            rule(priority=32767, table=253, proto='kernel')]


# -- fwmark -------------------------------------------------------------------

@pytest.mark.parametrize('text, parsed, canonical', [
    ('0x10', (16, 0xffffffff), '0x10'),
    ('16', (16, 0xffffffff), '0x10'),
    ('0x10/0xff', (16, 255), '0x10/0xff'),
    ('0X10/0XFF', (16, 255), '0x10/0xff'),
    (' 16 / 255 ', (16, 255), '0x10/0xff'),
    ('0/0xffffffff', (0, 0xffffffff), '0x0/0xffffffff'),
])
def test_fwmark_forms(text, parsed, canonical):
    assert parse_fwmark('fwmark', text) == parsed
    assert format_fwmark(*parsed) == canonical
    assert parse_fwmark('fwmark', canonical) == parsed


@pytest.mark.parametrize('text, words', [
    ('/0xff', 'mask but no mark'),
    ('0xzz', 'not a firewall mark'),
    ('0x100000000', '32-bit range'),
    ('0', 'mark 0 without a mask'),
    ('0x10/0', 'mask 0'),
])
def test_fwmark_errors(text, words):
    with pytest.raises(ValidationError) as err:
        parse_fwmark('fwmark', text)
    assert err.value.option == 'fwmark'
    assert err.value.value == text
    assert words in str(err.value)


def test_fwmark_unset():
    assert format_fwmark(0, 0) is None
    assert parse_fwmark('fwmark', None) is None


# -- reading ----------------------------------------------------------------

def test_rule_from_msg_fwmark_table_above_255():
    got = rule_from_msg(msg([('FRA_TABLE', 1000), ('FRA_SUPPRESS_PREFIXLEN', 0xffffffff), ('FRA_PROTOCOL', 0),
                             ('FRA_PRIORITY', 100), ('FRA_FWMARK', 16), ('FRA_FWMASK', 255)], table=252))
    assert got == rule(priority=100, table=1000, fwmark='0x10/0xff')


def test_rule_from_msg_local_rule_has_priority_zero():
    got = rule_from_msg(msg([('FRA_TABLE', 255), ('FRA_SUPPRESS_PREFIXLEN', 0xffffffff), ('FRA_PROTOCOL', 2)],
                            table=255))
    assert (got['priority'], got['table'], got['proto']) == (0, 255, 'kernel')
    assert 'other' not in got


def test_rule_from_msg_selectors_and_ipv6():
    got = rule_from_msg(msg([('FRA_TABLE', 254), ('FRA_PRIORITY', 5), ('FRA_SRC', '2001:DB8::'),
                             ('FRA_DST', '2001:db8:1::'), ('FRA_IIFNAME', 'eth0'), ('FRA_OIFNAME', 'eth1')],
                            family=socket.AF_INET6, src_len=32, dst_len=48))
    assert got == rule(family='ipv6', priority=5, table=254, src='2001:db8::/32', dst='2001:db8:1::/48',
                       iif='eth0', oif='eth1')


def test_rule_from_msg_non_lookup_action_has_no_table():
    got = rule_from_msg(msg([('FRA_TABLE', 0), ('FRA_PRIORITY', 7)], table=0, action=8))
    assert (got['action'], got['table']) == ('prohibit', None)


def test_rule_from_msg_unmanaged_selectors_are_kept_as_other():
    got = rule_from_msg(msg([('FRA_TABLE', 100), ('FRA_PRIORITY', 7), ('FRA_IP_PROTO', 6),
                             ('FRA_UID_RANGE', {'start': 1000, 'end': 1000}),
                             ('FRA_SUPPRESS_PREFIXLEN', 0)], tos=16, flags=2, table=100))
    assert got['other'] == {'tos': 16, 'not': True, 'ip_proto': 6, 'uid_range': {'start': 1000, 'end': 1000},
                            'suppress_prefixlen': 0}


# -- the desired rule -----------------------------------------------------------

def test_desired_defaults():
    assert desired_rule(params(priority=1000, fwmark='0x10/0xff', table='isp2'), TABLES) == {
        'family': 'ipv4', 'priority': 1000, 'action': 'lookup', 'table': 1000, 'src': None, 'dst': None,
        'iif': None, 'oif': None, 'fwmark': '0x10/0xff'}
    got = desired_rule(params(src='192.0.2.9'), TABLES)
    assert (got['priority'], got['table'], got['src']) == (None, 254, '192.0.2.9/32')
    assert desired_rule(params(family='ipv6', action='blackhole'), TABLES)['family'] == 'ipv6'
    assert desired_rule(params(dst='2001:db8::/32'), TABLES)['family'] == 'ipv6'
    assert desired_rule(params(src='0.0.0.0/0'), TABLES)['src'] is None


def test_desired_absent_leaves_action_and_table_open():
    got = desired_rule(params(priority=5, fwmark='1', state='absent'), TABLES)
    assert (got['action'], got['table']) == (None, None)


@pytest.mark.parametrize('over, option, words', [
    (dict(fwmark='/0xff'), 'fwmark', 'mask but no mark'),
    (dict(priority=4294967296), 'priority', 'outside'),
    (dict(priority=-1), 'priority', 'outside'),
    (dict(table='nope'), 'table', 'not a routing table'),
    (dict(table=100, action='blackhole'), 'table', "action 'blackhole'"),
    (dict(src='10.0.0.0/8', dst='2001:db8::/32'), 'dst', 'IPv6 value where IPv4'),
    (dict(family='ipv6', src='10.0.0.0/8'), 'src', 'IPv4 value where IPv6'),
    (dict(src='10.0.0.1/8'), 'src', 'host bits'),
    (dict(iif='x' * 16), 'iif', '15 bytes'),
    (dict(oif='a/b'), 'oif', "'/'"),
])
def test_bad_input(over, option, words):
    with pytest.raises(ValidationError) as err:
        desired_rule(params(**over), TABLES)
    assert err.value.option == option
    assert words in str(err.value)


# -- planning -------------------------------------------------------------------

def test_plan_add_then_nothing():
    want = desired_rule(params(priority=1000, fwmark='0x10', table=100), TABLES)
    before, after, ops = plan_present(want, defaults())
    assert before == {}
    assert after == rule(fwmark='0x10')
    assert ops == [('add', after)]
    have = rule(fwmark='0x10')
    assert plan_present(want, defaults() + [have]) == (have, have, [])


def test_plan_other_table_adds_first_then_deletes():
    old = rule(fwmark='0x10', table=200)
    want = desired_rule(params(priority=1000, fwmark='0x10', table=100), TABLES)
    before, after, ops = plan_present(want, defaults() + [old])
    assert before == old
    assert [(op, r['table']) for op, r in ops] == [('add', 100), ('delete', 200)]


def test_plan_rule_with_more_selectors_is_another_rule():
    narrower = rule(fwmark='0x10', src='10.0.0.0/8')
    other_sel = dict(rule(fwmark='0x10'), other={'uid_range': {'start': 1, 'end': 1}})
    want = desired_rule(params(priority=1000, fwmark='0x10', src='10.0.0.0/8', iif='eth0', table=100), TABLES)
    dummy, dummy2, ops = plan_present(want, defaults() + [narrower, other_sel])
    assert [op for op, dummy in ops] == ['add']


def test_plan_refuses_what_the_kernel_would_call_a_duplicate():
    narrower = rule(priority=1020, fwmark='0x40', src='10.8.0.0/16')
    want = desired_rule(params(priority=1020, fwmark='0x40', table=100), TABLES)
    with pytest.raises(ValidationError) as err:
        plan_present(want, defaults() + [narrower])
    assert err.value.option == 'priority' and err.value.value == 1020
    # The broader rule would be added by the kernel, but deleting it later would take the narrower one.
    assert 'when deleting it later, remove' in str(err.value) and 'fwmark 0x40' in str(err.value)


def test_plan_without_priority_matches_any_and_picks_kernel_default():
    want = desired_rule(params(src='10.55.0.0/16', table=100), TABLES)
    existing = rule(priority=4242, src='10.55.0.0/16')
    assert plan_present(want, defaults() + [existing])[2] == []
    dummy, after, ops = plan_present(want, defaults() + [rule(priority=1000, fwmark='0x1')])
    assert after['priority'] == 999
    dummy, after, ops = plan_present(want, defaults())
    assert after['priority'] == 32765


def test_default_priority():
    assert default_priority(defaults(), 'ipv4') == 32765
    assert default_priority(defaults(), 'ipv6') == 0
    assert default_priority([rule(priority=0)], 'ipv4') == 0


def test_plan_absent_exact_only():
    exact = rule(priority=1010, fwmark='0x30')
    broader_src = rule(priority=1010, fwmark='0x30', src='10.7.0.0/16')
    other_table = rule(priority=1010, fwmark='0x30', table=101)
    other_prio = rule(priority=1011, fwmark='0x30')
    rules = defaults() + [exact, broader_src, other_table, other_prio]
    want = desired_rule(params(priority=1010, fwmark='0x30', table=100, state='absent'), TABLES)
    assert plan_absent(want, rules) == (exact, {}, [('delete', exact)])
    any_table = desired_rule(params(priority=1010, fwmark='0x30', state='absent'), TABLES)
    before, dummy, ops = plan_absent(any_table, rules)
    assert [r for dummy, r in ops] == [exact, other_table]
    assert before['other_rules'] == [other_table]
    any_prio = desired_rule(params(fwmark='0x30', table=100, state='absent'), TABLES)
    assert [r for dummy, r in plan_absent(any_prio, rules)[2]] == [exact, other_prio]


def test_plan_absent_refuses_an_ambiguous_delete():
    narrower_first = rule(priority=1020, fwmark='0x40', src='10.8.0.0/16')
    target = rule(priority=1020, fwmark='0x40')
    with pytest.raises(ValidationError):
        check_delete_unambiguous(target, defaults() + [narrower_first, target])
    check_delete_unambiguous(target, defaults() + [target, narrower_first])


def test_rule_request_and_describe():
    r = rule(src='192.0.2.0/24', dst='2001:db8::/32', iif='eth0', oif='eth1', fwmark='0x10/0xff', table=1000)
    assert rule_request(r) == dict(family=socket.AF_INET, priority=1000, action=1, table=1000, src='192.0.2.0',
                                   src_len=24, dst='2001:db8::', dst_len=32, iifname='eth0', oifname='eth1',
                                   fwmark=16, fwmask=255)
    assert rule_request(rule(action='blackhole', table=None, fwmark='0x7')) == dict(
        family=socket.AF_INET, priority=1000, action=6, fwmark=7, fwmask=0xffffffff)
    assert describe(r) == '1000: from 192.0.2.0/24 to 2001:db8::/32 fwmark 0x10/0xff iif eth0 oif eth1 lookup 1000'
    assert describe(rule(family='ipv6', action='unreachable', table=None)) == '(IPv6) 1000: from all unreachable'
