# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netlink_monitor lab's event printer, run as the lab runs it (JSON lines
on stdin), on events shaped as the netlink source prints them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

_PRINTER = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'playbooks', 'files', 'netlink_monitor_events.py')


def printed(*events):
    text = ''.join(json.dumps(event, sort_keys=True) + '\n' for event in events) + '\n'
    done = subprocess.run([sys.executable, _PRINTER], input=text, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def event(**values):
    keys = ('address', 'admin_up', 'dest', 'gateway', 'ifname', 'mtu', 'priority', 'state', 'table')
    base = dict((key, None) for key in keys)
    base.update(values)
    return base


def test_one_line_per_event_in_order_with_what_matters_for_its_kind():
    assert printed(
        event(t=0.603, kind='link', action='changed', ifname='mon0', mtu=1400, state='DOWN', admin_up=False),
        event(t=0.888, kind='link', action='changed', ifname='mon0', mtu=1400, state='UP', admin_up=True),
        event(t=1.295, kind='address', action='new', ifname='mon0', address='10.66.1.1/24'),
        event(t=1.295, kind='route', action='new', ifname='mon0', dest='10.66.1.0/24', table=254),
        event(t=2.5, kind='route', action='new', ifname='eni0', dest='0.0.0.0/0', gateway='10.77.0.1', table=100),
        event(t=2.6, kind='rule', action='new', priority=1000, table=100),
    ) == [
        '0.603s   link    changed mon0  mtu 1400 DOWN (admin down)',
        '0.888s   link    changed mon0  mtu 1400 UP',
        '1.295s   address new     mon0  10.66.1.1/24',
        '1.295s   route   new     mon0  10.66.1.0/24 table 254',
        '2.500s   route   new     eni0  0.0.0.0/0 via 10.77.0.1 table 100',
        '2.600s   rule    new     -     priority 1000 table 100',
    ]


def test_an_unknown_kind_shows_its_kind_action_and_interface_only():
    assert printed(event(t=1, kind='neighbour', action='new', ifname='mon0')) == ['1.000s   neighbour new     mon0']
