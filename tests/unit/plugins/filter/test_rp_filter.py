# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the rp_filter role's filters (its result from one net_sysctl call)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.filter import rp_filter as _MOD

keys = _MOD.rp_filter_keys
result = _MOD.rp_filter_result
OWN = '/etc/sysctl.d/99-zz-linuxnet-rp-filter.conf'


def observed(before, after=None):
    after = after or {}
    return dict(('net.ipv4.conf.%s.rp_filter' % k, {'before': v, 'after': after.get(k, v)}) for k, v in before.items())


def sysctl(before, after=None, **extra):
    out = {'changed': bool(after), 'observed': observed(before, after), 'values': {}, 'unmatched': [],
           'skipped': []}
    for name, value in (after or {}).items():
        out['values']['net.ipv4.conf.%s.rp_filter' % name] = {'before': before[name], 'after': value}
    out.update(extra)
    return out


def test_keys_all_default_then_patterns_once():
    assert keys(['eth*', 'all', 'eth*', 'wan0']) == [
        'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter',
        'net.ipv4.conf.eth*.rp_filter', 'net.ipv4.conf.wan0.rp_filter']


def test_effective_value_is_max_of_all_and_interface():
    res = result(sysctl({'all': '0', 'default': '1', 'eth0': '1', 'lo': '0', 'eth0/100': '0'},
                        {'all': '2', 'default': '2', 'eth0': '2'}), 2, ['eth*'], persist=False, persist_file=OWN)
    assert res['all'] == {'before': 0, 'after': 2}
    assert res['default'] == {'before': 1, 'after': 2}
    assert res['interfaces']['lo'] == {'value_before': 0, 'value_after': 0, 'before': 0, 'after': 2}
    assert res['interfaces']['eth0.100'] == {'value_before': 0, 'value_after': 0, 'before': 0, 'after': 2}
    assert res['interfaces']['eth0']['after'] == 2
    assert res['changed'] is True
    assert res['changes'] == ['net.ipv4.conf.all.rp_filter 0 -> 2', 'net.ipv4.conf.default.rp_filter 1 -> 2',
                              'net.ipv4.conf.eth0.rp_filter 1 -> 2']
    assert res['persist_file'] is None and res['persisted'] == {}


def test_unmatched_in_pattern_order_and_skipped_names_noted():
    res = result(sysctl({'all': '2', 'default': '2'}, skipped=['net.ipv4.conf.wan0.rp_filter'],
                        unmatched=['net.ipv4.conf.eni*.rp_filter']),
                 2, ['eni*', 'wan0', 'eni*'], persist=False)
    assert res['unmatched'] == ['eni*', 'wan0']
    assert res['notes'] == ['pattern eni* matches no interface',
                            'pattern wan0 matches no interface (a name without wildcard: skipped, not persisted)']
    assert res['changed'] is False and res['changes'] == []


def test_named_namespace_notes_no_persistence():
    res = result(sysctl({'all': '2', 'default': '2'}), 2, ['*'], netns='ns1', persist=True, persist_file=OWN)
    assert res['notes'] == ['not persisted: namespace ns1 is not the root namespace']
    assert res['netns'] == 'ns1' and res['persist_file'] is None


def test_persisted_changes_follow_runtime_changes():
    persisted = {'net.ipv4.conf.*.rp_filter': {'before': None, 'after': '2'},
                 'net.ipv4.conf.all.rp_filter': {'before': '1', 'after': '2'},
                 'net.ipv4.conf.default.rp_filter': {'before': '2', 'after': '2'}}
    res = result(sysctl({'all': '1', 'default': '2'}, {'all': '2'}, persisted=persisted, boot_overrides=[]),
                 2, ['*'], persist_file=OWN)
    assert res['changes'] == ['net.ipv4.conf.all.rp_filter 1 -> 2',
                              OWN + ': net.ipv4.conf.*.rp_filter = 2 (was not set)',
                              OWN + ': net.ipv4.conf.all.rp_filter = 2 (was 1)']
    assert res['persist_file'] == OWN and res['persisted'] == persisted


def test_boot_overrides_once_per_line_with_fixed_and_reason():
    over = [
        {'key': 'net.ipv4.conf.*.rp_filter', 'file': '/etc/sysctl.d/10-strict.conf', 'line': 3,
         'assigned': 'net.ipv4.conf.eth1.rp_filter', 'value': '1', 'pinned': True},
        {'key': 'net.ipv4.conf.eth*.rp_filter', 'file': '/etc/sysctl.d/10-strict.conf', 'line': 3,
         'assigned': 'net.ipv4.conf.eth1.rp_filter', 'value': '1', 'pinned': True},
        {'key': 'net.ipv4.conf.*.rp_filter', 'file': OWN, 'line': 4,
         'assigned': 'net/ipv4/conf/eth0.100/rp_filter', 'value': '1', 'pinned': True},
        {'key': 'net.ipv4.conf.*.rp_filter', 'file': '/etc/sysctl.d/zz-late.conf', 'line': 1,
         'assigned': 'net.ipv4.conf.eth2.rp_filter', 'value': '0', 'pinned': False},
        {'key': 'net.ipv4.conf.*.rp_filter', 'file': '/etc/sysctl.d/10-strict.conf', 'line': 5,
         'assigned': 'net.ipv4.conf.gone0.rp_filter', 'value': '1', 'pinned': False},
    ]
    res = result(sysctl({'all': '2', 'default': '2'}, persisted={}, boot_overrides=over), 2, ['*', 'eth*'],
                 persist_file=OWN)
    assert [(o['file'], o['line'], o['fixed']) for o in res['boot_overrides']] == [
        ('/etc/sysctl.d/10-strict.conf', 3, True), (OWN, 4, True), ('/etc/sysctl.d/zz-late.conf', 1, False),
        ('/etc/sysctl.d/10-strict.conf', 5, False)]
    assert all('pinned' not in o for o in res['boot_overrides'])
    notes = res['notes']
    assert notes[0].endswith('the role pins the interface explicitly: net.ipv4.conf.eth1.rp_filter = 2 in %s, '
                             'which sorts after it' % OWN)
    assert 'an explicit key beats a glob' in notes[0]
    assert notes[1].endswith('an earlier pin with another mode; the role rewrites it: net.ipv4.conf.eth0/100.rp_filter = 2')
    assert 'a later file wins' in notes[2] and 'change it there' in notes[2]
    assert notes[3].endswith('not pinned: interface gone0 does not exist now (the role pins present interfaces only)')


def test_filter_names():
    assert _MOD.FilterModule().filters() == {'rp_filter_keys': keys, 'rp_filter_result': result}
