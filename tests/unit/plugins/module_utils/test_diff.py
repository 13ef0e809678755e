# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker, sorted_unique
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure


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


# -- verify: the kernel read again after a real run ---------------------------

def _tracker_with_action(ran):
    tracker = DifferenceTracker({'mtu': 1500}, {'mtu': 9000})
    tracker.add('set mtu 9000 on eth0', ran.append, 9000)
    return tracker


def test_verify_takes_the_reading_as_after():
    ran = []
    tracker = _tracker_with_action(ran)
    tracker.apply(check_mode=False)
    assert tracker.verify(lambda: {'mtu': 9000}) == {'mtu': 9000}
    assert tracker.result()['diff'] == {'before': {'mtu': 1500}, 'after': {'mtu': 9000}}
    assert ran == [9000]


def test_verify_fails_naming_the_action_and_both_values():
    tracker = _tracker_with_action([])
    tracker.apply(check_mode=False)
    with pytest.raises(ModuleFailure) as info:
        tracker.verify(lambda: {'mtu': 1500})
    assert info.value.msg == ('set mtu 9000 on eth0: done, but the kernel did not end up as planned: '
                              'mtu is 1500, planned 9000')
    assert info.value.kwargs == {'actions': ['set mtu 9000 on eth0'], 'planned': {'mtu': 9000},
                                 'actual': {'mtu': 1500}}


def test_verify_lists_what_a_list_lacks_and_what_it_has_unplanned():
    tracker = DifferenceTracker({'routes': []}, {'routes': ['10.1.0.0/16', '10.2.0.0/16']})
    tracker.add('add routes', lambda: None)
    tracker.apply(check_mode=False)
    with pytest.raises(ModuleFailure) as info:
        tracker.verify(lambda: {'routes': ['10.1.0.0/16', '10.3.0.0/16']})
    assert info.value.msg.endswith("routes lacks ['10.2.0.0/16'] and has ['10.3.0.0/16'] that was not planned")


def test_verify_reports_keys_only_one_side_has():
    tracker = DifferenceTracker({}, {'dev': 'eth0'})
    tracker.add('add', lambda: None)
    tracker.apply(check_mode=False)
    with pytest.raises(ModuleFailure) as info:
        tracker.verify(lambda: {'gateway': '192.0.2.1'})
    assert info.value.msg.endswith("dev is None, planned 'eth0', gateway is '192.0.2.1', planned None")


def test_verify_with_a_module_test_of_convergence():
    tracker = DifferenceTracker({}, {'dev': None})
    tracker.add('add', lambda: None)
    tracker.apply(check_mode=False)
    # the plan left dev to the kernel: the module's own test accepts what the kernel chose
    assert tracker.verify(lambda: {'dev': 'eth1'}, same=lambda planned, actual: True) == {'dev': 'eth1'}
    with pytest.raises(ModuleFailure):
        tracker.verify(lambda: {'dev': 'eth1'}, same=lambda planned, actual: False)


def test_verify_does_not_read_in_check_mode_or_without_actions():
    def unread():
        raise AssertionError('read without a real apply')

    tracker = _tracker_with_action([])
    tracker.apply(check_mode=True)
    assert tracker.verify(unread) == {'mtu': 9000}
    idle = DifferenceTracker({'mtu': 1500}, {'mtu': 1500})
    idle.apply(check_mode=False)
    assert idle.verify(unread) == {'mtu': 1500}


def test_verify_keeps_the_reading_apart_from_the_callers_object():
    reading = {'routes': ['10.1.0.0/16']}
    tracker = DifferenceTracker({'routes': []}, {'routes': ['10.1.0.0/16']})
    tracker.add('add', lambda: None)
    tracker.apply(check_mode=False)
    tracker.verify(lambda: reading)
    reading['routes'].append('changed later')
    assert tracker.after == {'routes': ['10.1.0.0/16']}


def test_verify_by_planning_accepts_what_the_kernel_filled_in():
    tracker = DifferenceTracker({}, {'dest': '10.1.0.0/16', 'dev': None})
    tracker.add('add route 10.1.0.0/16', lambda: None)
    tracker.apply(check_mode=False)
    reading = {'dest': '10.1.0.0/16', 'dev': 'eth1'}
    assert tracker.verify_by_planning(lambda: (reading, [])) == reading


def test_verify_by_planning_fails_when_planning_again_finds_work():
    tracker = DifferenceTracker({}, {'dest': '10.1.0.0/16', 'gateway': '192.0.2.1'})
    tracker.add('add route 10.1.0.0/16 via 192.0.2.1', lambda: None)
    tracker.apply(check_mode=False)
    with pytest.raises(ModuleFailure) as info:
        tracker.verify_by_planning(lambda: ({}, [('add', {'dest': '10.1.0.0/16'})]))
    assert info.value.msg.startswith('add route 10.1.0.0/16 via 192.0.2.1: done, but the kernel did not end up as planned: ')
    assert "dest is None, planned '10.1.0.0/16'" in info.value.msg


def _link_plan(kernel):
    """A plan that records on the tracker it is given, as veth, bridge and link do."""
    def plan(tracker):
        if tracker.compare('up', kernel['up'], True):
            tracker.add('bring veth0 up', kernel.update, up=True)
    return plan


def test_verify_by_replanning_takes_the_fresh_reading_as_after():
    kernel = {'up': False}
    tracker = DifferenceTracker()
    _link_plan(kernel)(tracker)
    tracker.apply(check_mode=False)
    assert tracker.verify_by_replanning(_link_plan(kernel)) == {'up': True}
    assert tracker.result()['diff'] == {'before': {'up': False}, 'after': {'up': True}}


def test_verify_by_replanning_names_the_action_and_difference_when_the_kernel_did_not_follow():
    kernel = {'up': False}
    tracker = DifferenceTracker()
    _link_plan(kernel)(tracker)
    tracker._actions = [('bring veth0 up', lambda: None, (), {})]   # the kernel ignores it
    tracker.apply(check_mode=False)
    with pytest.raises(ModuleFailure) as info:
        tracker.verify_by_replanning(_link_plan(kernel))
    assert info.value.msg == 'bring veth0 up: done, but the kernel did not end up as planned: up is False, planned True'


def test_verify_by_replanning_does_not_read_in_check_mode():
    tracker = DifferenceTracker()
    _link_plan({'up': False})(tracker)
    tracker.apply(check_mode=True)
    assert tracker.verify_by_replanning(lambda again: pytest.fail('read in check mode')) == {'up': True}
