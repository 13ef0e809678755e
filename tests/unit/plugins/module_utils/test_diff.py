# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker, sorted_unique


def test_no_actions_means_unchanged_even_with_comparisons():
    tracker = DifferenceTracker()
    assert not tracker.compare('mtu', 1500, 1500)
    res = tracker.result()
    assert res['changed'] is False
    assert res['actions'] == []
    assert res['diff'] == {'before': {'mtu': 1500}, 'after': {'mtu': 1500}}


def test_check_mode_predicts_and_does_not_run():
    ran = []
    tracker = DifferenceTracker()
    assert tracker.compare('up', False, True)
    tracker.add('bring up eth0', ran.append, 'up')
    tracker.apply(check_mode=True)
    assert ran == []
    assert tracker.changed
    assert tracker.actions == ['bring up eth0']
    tracker.apply(check_mode=False)
    assert ran == ['up']


def test_actions_run_in_order_with_arguments():
    ran = []
    tracker = DifferenceTracker()
    tracker.add('one', lambda a, b=None: ran.append((a, b)), 1, b=2)
    tracker.add('two', ran.append, 3)
    tracker.apply(check_mode=False)
    assert ran == [(1, 2), 3]


def test_diff_values_are_copies():
    current = ['10.0.0.1/24']
    tracker = DifferenceTracker()
    tracker.compare('addresses', current, current + ['10.0.0.2/24'])
    current.append('mutated')
    assert tracker.diff()['before']['addresses'] == ['10.0.0.1/24']


def test_result_extra_keys():
    tracker = DifferenceTracker(before={'state': 'absent'}, after={'state': 'present'})
    assert tracker.result(name='x')['name'] == 'x'
    assert tracker.diff()['before'] == {'state': 'absent'}


def test_sorted_unique():
    assert sorted_unique(['b', 'a', 'b']) == ['a', 'b']
