# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the firewall role's filter (its rule sets as the lists of one dnat and one firewall_rule call)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.filter import firewall as _MOD

plan = _MOD.firewall_plan

BASE = {'name': 'fw', 'inside_interface': 'inside', 'outside_interface': 'outside',
        'noise_destinations': ['255.255.255.255'], 'log_rate': '10/second'}


def by_name(sets):
    return dict((s['name'], s) for s in sets)


def test_present_lists_base_services_and_final_rules_once_each():
    out = plan(dict(BASE, management_services=[{'name': 'ssh', 'port': 22}],
                    inbound_services=[{'name': 'web', 'port': 80, 'dnat_to': ['192.168.1.10']},
                                      {'name': 'v6', 'port': 80, 'destination': ['2001:db8::10']}]))
    names = [s['name'] for s in out['firewall_rule']]
    assert len(names) == len(set(names))
    rules = by_name(out['firewall_rule'])
    assert rules['fw-mgmt-ssh'] == {'name': 'fw-mgmt-ssh', 'chain': 'input', 'in_interface': 'inside',
                                    'protocol': 'tcp', 'port': 22, 'action': 'accept', 'log': False,
                                    'position': 40, 'state': 'present'}
    assert rules['fw-svc-v6']['destination'] == ['2001:db8::10']
    assert rules['fw-svc-v6']['out_interface'] == 'inside' and rules['fw-svc-v6']['position'] == 50
    # a port-forwarded service: a dnat set, and no plain accept left from an earlier run
    assert rules['fw-svc-web'] == {'name': 'fw-svc-web', 'state': 'absent'}
    dnats = by_name(out['dnat'])
    assert dnats['fw-dnat-web'] == {'name': 'fw-dnat-web', 'in_interface': 'outside', 'protocol': 'tcp', 'port': 80,
                                    'to': ['192.168.1.10'], 'state': 'present'}
    assert dnats['fw-dnat-v6'] == {'name': 'fw-dnat-v6', 'state': 'absent'}
    assert rules['fw-in-drop'] == {'name': 'fw-in-drop', 'chain': 'input', 'action': 'drop', 'log': True,
                                   'log_prefix': 'firewall drop: ', 'log_rate': '10/second', 'position': 900,
                                   'state': 'present'}
    assert rules['fw-in-noise']['destination'] == ['255.255.255.255'] and rules['fw-in-noise']['state'] == 'present'
    assert out['policy'] == 'drop' and out['policy_chains'] == ['input', 'forward']
    assert out['masquerade'] == {'name': 'fw-snat', 'state': 'absent'}


def test_switches_turn_base_rules_absent_and_strings_count_as_booleans():
    out = by_name(plan(dict(BASE, noise_destinations=[], allow_outbound='false', allow_icmp_out=False,
                            log='no', management_services=[]))['firewall_rule'])
    for name in ('fw-in-noise', 'fw-outbound', 'fw-icmp-out', 'fw-icmpv6-out'):
        assert out[name]['state'] == 'absent'
    assert out['fw-fwd-drop'] == {'name': 'fw-fwd-drop', 'chain': 'forward', 'action': 'drop', 'log': False,
                                  'position': 900, 'state': 'present'}


def test_logged_service_gets_accept_prefix_and_group():
    out = by_name(plan(dict(BASE, log_group=7, log_accepted=True,
                            management_services=[{'name': 'ssh', 'port': 22, 'source': ['10.0.0.0/8']},
                                                 {'name': 'dns', 'protocol': 'udp', 'port': 53, 'log': 'no'}]))
                  ['firewall_rule'])
    assert out['fw-mgmt-ssh']['log'] is True and out['fw-mgmt-ssh']['log_prefix'] == 'firewall accept: '
    assert out['fw-mgmt-ssh']['log_group'] == 7 and out['fw-mgmt-ssh']['source'] == ['10.0.0.0/8']
    assert out['fw-mgmt-dns']['log'] is False and 'log_prefix' not in out['fw-mgmt-dns']
    assert out['fw-in-drop']['log_group'] == 7


def test_stale_service_sets_under_the_prefix_are_removed_others_kept():
    found = [{'kind': 'firewall_rule', 'name': 'fw-mgmt-old', 'chain': 'input'},
             {'kind': 'firewall_rule', 'name': 'fw-mgmt-old', 'chain': 'input'},
             {'kind': 'firewall_rule', 'name': 'fw-mgmt-ssh', 'chain': 'input'},
             {'kind': 'dnat', 'name': 'fw-dnat-gone', 'chain': 'prerouting'},
             {'kind': 'firewall_rule', 'name': 'natgw-return', 'chain': 'forward'},
             {'kind': 'firewall_rule', 'name': 'fw2-svc-web', 'chain': 'forward'},
             {'kind': 'masquerade', 'name': 'fw-dnat-x', 'chain': 'postrouting'}]
    out = plan(dict(BASE, management_services=[{'name': 'ssh', 'port': 22}]), found)
    absent = [s['name'] for s in out['firewall_rule'] if s['state'] == 'absent']
    assert 'fw-mgmt-old' in absent and absent.count('fw-mgmt-old') == 1
    assert 'fw-mgmt-ssh' not in absent and 'natgw-return' not in absent and 'fw2-svc-web' not in absent
    assert out['dnat'] == [{'name': 'fw-dnat-gone', 'state': 'absent'}]


def test_absent_removes_everything_of_the_role_and_resets_policy():
    found = [{'kind': 'firewall_rule', 'name': 'fw-svc-web'}, {'kind': 'dnat', 'name': 'fw-dnat-db'}]
    out = plan(dict(BASE, state='absent', masquerade_sources=['10.0.0.0/8']), found)
    assert all(s['state'] == 'absent' for s in out['firewall_rule'] + out['dnat'])
    names = [s['name'] for s in out['firewall_rule']]
    assert {'fw-in-drop', 'fw-fwd-drop', 'fw-in-established', 'fw-outbound', 'fw-svc-web'} <= set(names)
    assert len(names) == len(set(names))
    assert out['dnat'] == [{'name': 'fw-dnat-db', 'state': 'absent'}]
    assert out['masquerade'] == {'name': 'fw-snat', 'state': 'absent'}
    assert out['policy'] == 'accept' and out['dnat_conflicts'] == []


def test_masquerade_and_dnat_options():
    out = plan(dict(BASE, masquerade_sources=['192.168.1.0/24'],
                    inbound_services=[{'name': 'web', 'port': '8000-8010', 'destination': '192.0.2.1',
                                       'dnat_to': '192.168.1.10', 'balance': None}]))
    assert out['masquerade'] == {'name': 'fw-snat', 'state': 'present', 'out_interface': 'outside',
                                 'source': ['192.168.1.0/24']}
    assert out['dnat'][0]['destination'] == ['192.0.2.1'] and out['dnat'][0]['to'] == ['192.168.1.10']
    assert 'balance' not in out['dnat'][0]


def test_dnat_conflicts_name_service_and_value():
    out = plan(dict(BASE, inbound_services=[
        {'name': 'web', 'port': 80, 'dnat_to': ['192.168.1.10'], 'source': ['198.51.100.0/24'], 'log': True},
        {'name': 'ok', 'port': 81, 'dnat_to': [], 'source': ['198.51.100.0/24']}]))
    assert out['dnat_conflicts'] == [
        "firewall_inbound_services: service 'web' has dnat_to [\"192.168.1.10\"] and source [\"198.51.100.0/24\"]",
        "firewall_inbound_services: service 'web' has dnat_to [\"192.168.1.10\"] and log true"]


def test_unknown_setting_is_refused():
    with pytest.raises(ValueError, match='unknown setting colour'):
        plan(dict(BASE, colour='red'))
