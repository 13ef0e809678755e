# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lists of rule sets: element checks with paths, and one plan for the whole list (pure logic)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import dnat as _dnat
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import nftables as _nft
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import rule_sets as _rule_sets

SPEC = {
    'name': {'type': 'str'},
    'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
    'port': {'type': 'raw'},
    'to': {'type': 'list', 'elements': 'str'},
    'local': {'type': 'bool', 'default': False},
}


class FakeNft(_nft.Nft):
    """Nft without processes: the model is loaded from a JSON listing; check() counts its calls."""

    def __init__(self, doc=None):
        super(FakeNft, self).__init__('test', read=False)
        self.load(doc or {'nftables': []})
        self.checks = 0

    def check(self):
        self.checks += 1


def _plan(params):
    spec = _dnat.validate(params) if params['state'] == 'present' else None
    rules = [_nft.RuleSpec(r['chain'], r['expr'], r['family']) for r in _dnat.build_rules(spec)] if spec else []
    return _nft.RuleSetPlan(params['name'], rules, 0, params['state'])


def _error(elements):
    with pytest.raises(ValidationError) as err:
        _rule_sets.each_element(elements, SPEC, _plan)
    return err.value


def test_defaults_and_types_are_applied():
    params = _rule_sets.element_params(0, {'name': 'a', 'port': 80, 'to': ['10.0.0.2'], 'local': 'yes'}, SPEC)
    assert params == {'name': 'a', 'state': 'present', 'port': 80, 'to': ['10.0.0.2'], 'local': True}


@pytest.mark.parametrize('elements, path, value', [
    ([{'name': 'a', 'port': 80, 'to': ['10.0.0.2']}, {'name': 'b', 'port': 0, 'to': ['10.0.0.2']}],
     'rule_sets[1].port', 0),
    ([{'name': 'a', 'port': 80, 'to': ['10.0.0.2'], 'prot': 'tcp'}], 'rule_sets[0].prot', 'tcp'),
    ([{'name': 'a', 'port': 80, 'to': ['10.0.0.2'], 'state': 'gone'}], 'rule_sets[0].state', 'gone'),
    ([{'name': 'a', 'port': 80, 'to': ['10.0.0.2'], 'local': 'maybe'}], 'rule_sets[0].local', 'maybe'),
    ([{'port': 80, 'to': ['10.0.0.2']}], 'rule_sets[0].name', None),
    (['a'], 'rule_sets[0]', 'a'),
    ([{'name': 'a', 'port': 80, 'to': ['10.0.0.2']}, {'name': 'a', 'port': 81, 'to': ['10.0.0.3']}],
     'rule_sets[1].name', 'a'),
])
def test_errors_name_the_path_and_the_value(elements, path, value):
    err = _error(elements)
    assert err.option == path
    assert err.value == value
    assert ("option '%s'" % path) in str(err)


def _plans(*names):
    return [_plan(_rule_sets.element_params(i, {'name': n, 'port': 1000 + i, 'to': ['10.0.0.%d' % (i + 2)]}, SPEC))
            for i, n in enumerate(names)]


def test_a_list_is_one_transaction_checked_once():
    nft = FakeNft()
    tracker = DifferenceTracker()
    assert _nft.plan_rule_sets(tracker, nft, 'dnat', _plans('a', 'b', 'c'))[0] == []
    assert nft.checks == 1
    assert tracker.actions == ['add dnat rule set a (2 rules)', 'add dnat rule set b (2 rules)',
                               'add dnat rule set c (2 rules)']
    adds = [c for c in nft.transaction() if 'rule' in c.get('add', {})]
    assert len(adds) == 6
    assert sorted(tracker.after['rule_sets']) == ['a', 'b', 'c']


def test_verify_false_leaves_the_check_to_the_commit():
    nft = FakeNft()
    _nft.plan_rule_sets(DifferenceTracker(), nft, 'dnat', _plans('a'), verify=False)
    assert nft.checks == 0


def _applied(names):
    """A model holding NAMES as the kernel would (handles given)."""
    nft = FakeNft()
    _nft.plan_rule_sets(DifferenceTracker(), nft, 'dnat', _plans(*names))
    doc = nft.document()['nftables'][1:]
    items = [{'table': {'family': 'inet', 'name': 'linuxnet', 'handle': 1}}]
    handle = 10
    for cmd in doc:
        obj = cmd['add']
        if 'chain' in obj:
            items.append({'chain': dict(obj['chain'], handle=handle)})
        elif 'rule' in obj:
            items.append({'rule': dict(obj['rule'], handle=handle)})
        handle += 1
    return FakeNft({'nftables': items})


def test_unchanged_list_plans_nothing():
    nft = _applied(['a', 'b'])
    tracker = DifferenceTracker()
    dummy, planned = _nft.plan_rule_sets(tracker, nft, 'dnat', _plans('a', 'b'))
    assert not tracker.changed
    assert tracker.after['rule_sets'] == {}
    assert [len(planned[n]) for n in ('a', 'b')] == [2, 2]
    assert nft.checks == 0


def test_purge_removes_only_this_kinds_sets_not_listed():
    nft = _applied(['a', 'b', 'c'])
    tracker = DifferenceTracker()
    assert _nft.plan_rule_sets(tracker, nft, 'dnat', _plans('a', 'b', 'c')[1:], purge=False)[0] == []
    tracker = DifferenceTracker()
    assert _nft.plan_rule_sets(tracker, nft, 'dnat', _plans('a', 'b', 'c')[1:2], purge=True)[0] == ['a', 'c']
    assert tracker.actions == ['remove dnat rule set a (2 rules)', 'remove dnat rule set c (2 rules)']
    assert tracker.after['rule_sets'] == {'a': [], 'c': []}   # the diff shows only what changes
    assert _nft.plan_rule_sets(DifferenceTracker(), _applied(['a']), 'masquerade', [], purge=True)[0] == []


def test_a_name_of_another_kind_is_refused_with_its_path():
    nft = _applied(['a'])
    with pytest.raises(ValidationError) as err:
        _nft.plan_rule_sets(DifferenceTracker(), nft, 'masquerade',
                            [_nft.RuleSetPlan('x', []), _nft.RuleSetPlan('a', [_nft.RuleSpec('postrouting', [])])])
    assert err.value.option == 'rule_sets[1].name'


def test_set_results_read_back_per_set():
    nft = _applied(['a', 'b'])
    results = _rule_sets.set_results('dnat', _plans('a', 'b')[::-1], {}, nft, read_back=True)
    assert [r['name'] for r in results] == ['b', 'a']
    assert [len(r['rules']) for r in results] == [2, 2]
    assert [len(r['counters']) for r in results] == [2, 2]
