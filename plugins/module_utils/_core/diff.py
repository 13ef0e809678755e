# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One comparison drives changed, diff and check mode.

A module reads the current state, describes the desired state, and queues the
actions that turn one into the other. ``changed`` is "some action was queued",
``diff`` is the before/after state dicts, and check mode simply does not run
the queue, so a check run predicts exactly what a real run does.

After a real run, ``verify`` reads the state again: the module fails, naming
its actions and the difference, when the kernel did not end up as planned,
and the reading (not the plan) becomes ``after``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure


class DifferenceTracker(object):
    def __init__(self, before=None, after=None):
        self.before = copy.deepcopy(before) if before is not None else {}
        self.after = copy.deepcopy(after) if after is not None else {}
        self._actions = []
        self._applied = False

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
        self._applied = bool(self._actions)

    def verify(self, read_after, same=None):
        """After a real apply, compare the planned ``after`` with a fresh reading.

        read_after() returns the state in the shape of ``after``; same(planned,
        actual) says whether the kernel ended up as planned (default: equal;
        a module whose plan leaves details to the kernel passes its own test,
        such as "planning again finds nothing to do"). Raises ModuleFailure
        naming the actions and each differing key with both values; otherwise
        the reading becomes ``after`` and is returned. Without a real apply
        (check mode, nothing to do) ``after`` is the plan, which then is the
        state read before, and is returned as it is.
        """
        if not self._applied:
            return self.after
        actual = read_after()
        if not (same or _equal)(self.after, actual):
            raise ModuleFailure(
                '%s: done, but the kernel did not end up as planned: %s'
                % ('; '.join(self.actions), describe_difference(self.after, actual)),
                actions=self.actions, planned=self.after, actual=actual)
        self.after = copy.deepcopy(actual)
        return self.after

    def verify_by_planning(self, replan):
        """verify() for a module whose plan leaves details to the kernel (a
        route's dev, a rule's protocol): the kernel holds the plan when planning
        again from a fresh reading finds nothing to do. replan() -> (the state
        that plan reads, shaped like ``after``; its actions)."""
        pending = []

        def read_after():
            now, actions = replan()
            pending.extend(actions)
            return now

        return self.verify(read_after, same=lambda planned, actual: not pending)

    def verify_by_replanning(self, plan):
        """verify_by_planning() for a module whose plan records on a tracker:
        plan(tracker) reads the kernel afresh and compares and queues on the
        tracker it is given. Its fresh reading (``before``) becomes ``after``."""
        def replan():
            again = DifferenceTracker()
            plan(again)
            return again.before, again.actions

        return self.verify_by_planning(replan)

    def diff(self):
        return {'before': self.before, 'after': self.after}

    def result(self, **extra):
        res = dict(changed=self.changed, actions=self.actions, diff=self.diff())
        res.update(extra)
        return res


def _equal(planned, actual):
    return planned == actual


def describe_difference(planned, actual):
    """'KEY is ACTUAL, planned PLANNED' for each key that differs; lists by the items only one side has."""
    if not (isinstance(planned, dict) and isinstance(actual, dict)):
        return _describe_value('the state', planned, actual)
    texts = [_describe_value(key, planned.get(key), actual.get(key))
             for key in sorted(set(planned) | set(actual), key=str) if planned.get(key) != actual.get(key)]
    return ', '.join(texts) or 'no key differs, but the reading does not match the plan: %r' % (actual,)


def _describe_value(name, planned, actual):
    if isinstance(planned, list) and isinstance(actual, list):
        missing = [item for item in planned if item not in actual]
        extra = [item for item in actual if item not in planned]
        if missing or extra:
            return '%s lacks %r and has %r that was not planned' % (name, missing, extra)
    return '%s is %r, planned %r' % (name, actual, planned)


def sorted_unique(items):
    """A canonical list for diffs: duplicates dropped, stable order."""
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return sorted(seen, key=str)
