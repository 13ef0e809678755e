# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_plan/interface_watch: the watcher's settings, the burst debounce, which
notification is news. The running watcher is covered by the
role_interface_watch integration target and the netlink_monitor lab."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan import interface_watch as iw


def test_defaults_fill_in():
    config = iw.load_config(dict(patterns=['eni*']))
    assert config['rp_filter_mode'] == 2 and config['policy_routes'] and config['restart_hook'] == []


@pytest.mark.parametrize('data, message', [
    (dict(patterns=['eni[']), "interface_watch_patterns: pattern 'eni[' has an unclosed '['"),
    (dict(patterns=[]), 'interface_watch_patterns: value [] matches no interface'),
    (dict(patterns=['eni*'], rp_filter_mode=5), 'interface_watch_rp_filter_mode: value 5 is not 0'),
    (dict(patterns=['eni*'], rp_filter_mode=True), 'interface_watch_rp_filter_mode: value True'),
    (dict(patterns=['eni*'], restart_hook='crictl rmp x'),
     "interface_watch_restart_hook: value 'crictl rmp x' is not an argument list"),
    (dict(patterns=['eni*'], restart_hook=['crictl', '']), "interface_watch_restart_hook: value ['crictl', '']"),
    (dict(patterns=['eni*'], netns='a/b'), "interface_watch_netns: value 'a/b'"),
    (dict(patterns=['eni*'], report_only='yes'), "interface_watch_report_only: value 'yes' is not a boolean"),
    (dict(patterns=['eni*'], resync_seconds=0), 'interface_watch_resync_seconds: value 0'),
    (dict(patterns=['eni*'], colour='red'), "interface_watch_colour: unknown setting (value 'red')"),
])
def test_bad_settings_name_the_variable_and_the_value(data, message):
    with pytest.raises(iw.ConfigError) as err:
        iw.load_config(data, prefix='interface_watch_')
    assert message in str(err.value)


def test_burst_ends_after_quiet_or_max_wait():
    burst = iw.Burst(quiet=0.05, max_wait=0.25)
    assert not burst.open and burst.deadline() is None
    burst.add(10.0, 'eni0', True)
    assert burst.deadline() == pytest.approx(10.05)
    assert not burst.due(10.04) and burst.due(10.05)
    for step in range(1, 10):  # a steady stream: never quiet
        burst.add(10.0 + step * 0.04)
    assert burst.deadline() == pytest.approx(10.25)
    burst.add(10.4, 'eni1')
    burst.add(10.41, 'eni0')
    assert burst.new_links == ['eni0', 'eni1'] and burst.tables_touched


def event(kind, action, ifname=None, index=None):
    return dict(kind=kind, action=action, ifname=ifname, index=index)


def test_classify_news():
    seen = set()
    assert iw.classify(event('link', 'new', 'eni0', 4), ['eni*'], seen) == ('eni0', True)
    # up, MTU: the same link again is not news
    assert iw.classify(event('link', 'changed', 'eni0', 4), ['eni*'], seen) == (None, False)
    # renamed into a pattern: news
    assert iw.classify(event('link', 'changed', 'eni9', 4), ['eni*'], seen) == ('eni9', True)
    assert iw.classify(event('link', 'new', 'eth1', 5), ['eni*'], seen) == (None, False)
    assert iw.classify(event('route', 'new'), ['eni*'], seen) == (None, True)
    assert iw.classify(event('rule', 'deleted'), ['eni*'], seen) == (None, True)
    assert iw.classify(event('address', 'new', 'eni0', 4), ['eni*'], seen) == (None, False)
    assert iw.classify(None, ['eni*'], seen) == (None, False)
    # deleted and made again with the same index and name: news again
    iw.classify(event('link', 'deleted', 'eni9', 4), ['eni*'], seen)
    assert iw.classify(event('link', 'new', 'eni9', 4), ['eni*'], seen) == ('eni9', True)
