# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One comparison drives changed, diff and check mode.

A module reads the current state, describes the desired state, and queues the
actions that turn one into the other. ``changed`` is "some action was queued",
``diff`` is the before/after state dicts, and check mode simply does not run
the queue, so a check run predicts exactly what a real run does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy


class DifferenceTracker(object):
    def __init__(self, before=None, after=None):
        self.before = copy.deepcopy(before) if before is not None else {}
        self.after = copy.deepcopy(after) if after is not None else {}
        self._actions = []

    def compare(self, key, current, desired):
        """Record one attribute; True when it must change."""
        self.before[key] = copy.deepcopy(current)
        self.after[key] = copy.deepcopy(desired)
        return current != desired

    def add(self, description, func, *args, **kwargs):
        """Queue one change; description is what the user sees in `actions`."""
        self._actions.append((description, func, args, kwargs))

    @property
    def changed(self):
        return bool(self._actions)

    @property
    def actions(self):
        return [a[0] for a in self._actions]

    def apply(self, check_mode):
        if check_mode:
            return
        for dummy, func, args, kwargs in self._actions:
            func(*args, **kwargs)

    def diff(self):
        return {'before': self.before, 'after': self.after}

    def result(self, **extra):
        res = dict(changed=self.changed, actions=self.actions, diff=self.diff())
        res.update(extra)
        return res


def sorted_unique(items):
    """A canonical list for diffs: duplicates dropped, stable order."""
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return sorted(seen, key=str)
