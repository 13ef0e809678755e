# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rp_filter role's per-host result, from the one net_sysctl call that
set (and persisted, and pinned) the keys and observed every interface.

Pure logic (no I/O); the filter linuxnet.plumbing.rp_filter_result wraps it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

ALL = 'net.ipv4.conf.all.rp_filter'
DEFAULT = 'net.ipv4.conf.default.rp_filter'
_PATTERN = re.compile(r'^net\.ipv4\.conf\.(.*)\.rp_filter$')


def rp_filter_keys(patterns):
    """The keys the role sets: all, default and one per pattern, as given (a
    glob stays a glob in the persisted file)."""
    keys = []
    for key in [ALL, DEFAULT] + ['net.ipv4.conf.%s.rp_filter' % p for p in patterns]:
        if key not in keys:
            keys.append(key)
    return keys


def _pattern(key):
    return _PATTERN.sub(r'\1', key)


def _override_interface(assigned):
    """The interface of an assigned net.ipv4.conf.IFACE.rp_filter key (dotted
    or slash form), '' for any other key."""
    if '/' in assigned and (assigned.find('/') < assigned.find('.') or '.' not in assigned):
        parts = assigned.strip('/').split('/')
        if len(parts) == 5 and parts[:3] == ['net', 'ipv4', 'conf'] and parts[4] == 'rp_filter':
            return parts[3]
        return ''
    parts = assigned.split('.')
    if len(parts) >= 5 and parts[:3] == ['net', 'ipv4', 'conf'] and parts[-1] == 'rp_filter':
        return '.'.join(parts[3:-1]).replace('/', '.')
    return ''


def _boot(overrides, mode, persist_file):
    """Boot-time overrides once per file line, each marked fixed (the module
    pinned it) or not, and one note per line saying which and why."""
    own = os.path.basename(persist_file)
    seen, found, notes = [], [], []
    for item in overrides:
        if (item['file'], item['line']) in seen:
            continue
        seen.append((item['file'], item['line']))
        fixed = bool(item.get('pinned'))
        entry = dict((k, v) for k, v in item.items() if k != 'pinned')
        entry['fixed'] = fixed
        found.append(entry)
        iface = _override_interface(item['assigned'])
        pin = 'net.ipv4.conf.%s.rp_filter' % iface.replace('.', '/')
        later = os.path.basename(item['file']) > own
        what = ("%s line %s sets %s = %s; systemd-sysctl applies it at boot over the role's %s = %s (%s)"
                % (item['file'], item['line'], item['assigned'], item['value'], item['key'], mode,
                   'a later file wins' if later else 'an explicit key beats a glob, whatever the file order'))
        if fixed and item['file'] == persist_file:
            how = 'an earlier pin with another mode; the role rewrites it: %s = %s' % (pin, mode)
        elif fixed:
            how = 'the role pins the interface explicitly: %s = %s in %s, which sorts after it' % (pin, mode, persist_file)
        elif later:
            how = 'not pinned: that file sorts after %s, so its line wins whatever the role writes; change it there' % persist_file
        else:
            how = 'not pinned: interface %s does not exist now (the role pins present interfaces only)' % iface
        notes.append(what + '; ' + how)
    return found, notes


def rp_filter_result(sysctl, mode, patterns, netns='', persist=True, persist_file=''):
    """The fact rp_filter_result (roles/rp_filter/README.md) from SYSCTL, the
    result of net_sysctl with observe=net.ipv4.conf.*.rp_filter, missing=skip
    and, when persisting, pin_overrides."""
    mode = int(mode)
    observed = sysctl.get('observed') or {}
    before = dict((k, v['before']) for k, v in observed.items())
    after = dict((k, v['after']) for k, v in observed.items())
    interfaces = {}
    for key in sorted(before):
        name = key.split('.')[3]
        if name in ('all', 'default'):
            continue
        interfaces[name.replace('/', '.')] = {
            'value_before': int(before[key]), 'value_after': int(after[key]),
            'before': max(int(before[ALL]), int(before[key])), 'after': max(int(after[ALL]), int(after[key]))}
    values = sysctl.get('values') or {}
    changes = ['%s %s -> %s' % (k, v['before'], v['after']) for k, v in sorted(values.items())
               if v['before'] != v['after']]
    persisted = sysctl.get('persisted') or {}
    for key, value in sorted(persisted.items()):
        if value['before'] != value['after']:
            changes.append('%s: %s = %s (was %s)' % (persist_file, key, value['after'],
                                                     value['before'] if value['before'] is not None else 'not set'))
    absent = [_pattern(k) for k in sysctl.get('skipped') or []]
    missing = absent + [_pattern(k) for k in sysctl.get('unmatched') or []]
    unmatched = []
    for pattern in patterns:
        if pattern in missing and pattern not in unmatched:
            unmatched.append(pattern)
    notes = ['pattern %s matches no interface%s' % (p, ' (a name without wildcard: skipped, not persisted)'
                                                    if p in absent else '') for p in unmatched]
    if persist and netns:
        notes.append('not persisted: namespace %s is not the root namespace' % netns)
    overrides, boot_notes = _boot(sysctl.get('boot_overrides') or [], mode, persist_file)
    notes.extend(boot_notes)
    return {'netns': netns, 'mode': mode, 'patterns': patterns, 'changed': bool(sysctl.get('changed')),
            'all': {'before': int(before[ALL]), 'after': int(after[ALL])},
            'default': {'before': int(before[DEFAULT]), 'after': int(after[DEFAULT])},
            'interfaces': interfaces, 'unmatched': unmatched,
            'persist_file': persist_file if 'persisted' in sysctl else None,
            'persisted': persisted, 'boot_overrides': overrides, 'changes': changes, 'notes': notes}
