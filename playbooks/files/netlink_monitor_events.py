# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netlink_monitor lab's printer: the event source's JSON lines (one event
each, read on stdin) as one short line per event, in the order they came.

    python3 netlink.py ... | python3 netlink_monitor_events.py

    0.603s   link    changed mon0  mtu 1400 DOWN (admin down)
    1.295s   address new     mon0  10.66.1.1/24
    1.295s   route   new     mon0  10.66.1.0/24 table 254

Each event has its seconds since the source started (t), its kind, action and
interface; then what matters for its kind. Pure standard library: the lab
runs it on the target as `python3 -c TEXT`, with the events on stdin.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import sys


def what(event):
    kind = event.get('kind')
    if kind == 'link':
        return 'mtu %s %s%s' % (event.get('mtu'), event.get('state'), '' if event.get('admin_up') else ' (admin down)')
    if kind == 'address':
        return event.get('address') or ''
    if kind == 'route':
        via = ' via %s' % event['gateway'] if event.get('gateway') else ''
        return '%s%s table %s' % (event.get('dest'), via, event.get('table'))
    if kind == 'rule':
        return 'priority %s table %s' % (event.get('priority'), event.get('table'))
    return ''


def line(event):
    seconds = '%.3fs' % (event.get('t') or 0)
    return ('%-8s %-7s %-7s %-5s %s' % (seconds, event.get('kind'), event.get('action'), event.get('ifname') or '-',
                                        what(event))).rstrip()


def main(lines):
    return [line(json.loads(text)) for text in lines if text.strip()]


if __name__ == '__main__':
    print('\n'.join(main(sys.stdin)))
