# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decisions of the interface_watch watcher, without I/O: its settings,
when a burst of notifications is over, which notification is news.

Used by the watcher on the managed host (roles/interface_watch/files/
interface_watch.py, copied there with this file) and, for the settings, by
the role itself through the interface_watch_config filter, so that a bad
value is refused before anything is installed, with the same words.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.netlink_events import (
    PatternError,
    check_patterns,
    name_matches,
)

DEFAULTS = dict(patterns=[], rp_filter_mode=2, policy_routes=True, restart_hook=[], netns='', report_only=False,
                resync_seconds=60.0, quiet_seconds=0.05, max_wait_seconds=0.25)
SERVICES = ('systemd', 'daemon')


class ConfigError(ValueError):
    """A bad setting; the message names the setting (with the caller's
    prefix, e.g. the role variable) and the value."""


def load_config(data, prefix=''):
    """The watcher's settings from data (keys of DEFAULTS), validated.

    prefix is put before each key in messages: 'interface_watch_' names the
    role variables, '' the keys of the watcher's JSON config file."""
    if not isinstance(data, dict):
        raise ConfigError('%sconfig: value %r is not a mapping' % (prefix, data))
    unknown = sorted(set(data) - set(DEFAULTS))
    if unknown:
        raise ConfigError('%s%s: unknown setting (value %r)' % (prefix, unknown[0], data[unknown[0]]))
    config = dict(DEFAULTS)
    config.update(data)
    try:
        check_patterns(prefix + 'patterns', config['patterns'])
    except PatternError as exc:
        raise ConfigError(str(exc))
    if not config['patterns']:
        raise ConfigError('%spatterns: value [] matches no interface; give at least one glob' % prefix)
    mode = config['rp_filter_mode']
    if isinstance(mode, bool) or mode not in (0, 1, 2):
        raise ConfigError('%srp_filter_mode: value %r is not 0 (off), 1 (strict) or 2 (loose)' % (prefix, mode))
    hook = config['restart_hook']
    if not isinstance(hook, list) or not all(isinstance(a, str) and a for a in hook):
        raise ConfigError('%srestart_hook: value %r is not an argument list (a list of non-empty strings; '
                          '[] for none)' % (prefix, hook))
    for key in ('policy_routes', 'report_only'):
        if not isinstance(config[key], bool):
            raise ConfigError('%s%s: value %r is not a boolean' % (prefix, key, config[key]))
    if not isinstance(config['netns'], str) or '/' in config['netns'] or config['netns'] in ('.', '..'):
        raise ConfigError('%snetns: value %r is not a namespace name' % (prefix, config['netns']))
    for key in ('resync_seconds', 'quiet_seconds', 'max_wait_seconds'):
        if isinstance(config[key], bool) or not isinstance(config[key], (int, float)) or config[key] <= 0:
            raise ConfigError('%s%s: value %r is not a positive number' % (prefix, key, config[key]))
    return config


class Burst(object):
    """Debounce: a burst ends after `quiet` seconds without a notification,
    or `max_wait` seconds after its first one, whichever comes first, so a
    steady stream cannot postpone the fixes beyond max_wait."""

    def __init__(self, quiet, max_wait):
        self.quiet = quiet
        self.max_wait = max_wait
        self.first = self.last = None
        self.new_links = []
        self.tables_touched = False

    def add(self, now, new_link=None, tables=False):
        if self.first is None:
            self.first = now
        self.last = now
        if new_link and new_link not in self.new_links:
            self.new_links.append(new_link)
        self.tables_touched = self.tables_touched or tables

    @property
    def open(self):
        return self.first is not None

    def deadline(self):
        return min(self.last + self.quiet, self.first + self.max_wait) if self.open else None

    def due(self, now):
        return self.open and now >= self.deadline()


def classify(event, patterns, seen):
    """What a notification asks of the watcher: (the name of a matching link
    not seen before, or None; whether the policy tables may need a look).
    seen: the (index, name) of matching links met so far, kept up to date,
    so that a link going up or changing its MTU is not new again, but a
    rename into a pattern is."""
    if event is None:
        return None, False
    if event['kind'] != 'link':
        return None, event['kind'] in ('route', 'rule')
    key = (event['index'], event['ifname'])
    if event['action'] == 'deleted':
        seen.discard(key)
        return None, False
    if not name_matches(event['ifname'], patterns) or key in seen:
        return None, False
    seen.add(key)
    return event['ifname'], True
