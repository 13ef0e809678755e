# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The route_metric role's per-host result, from what route_metric_select
planned, whether the runtime calls changed routes, and what
route_metric_persist edited.

Pure logic (no I/O); the filter linuxnet.plumbing.route_metric_result wraps it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def route_metric_moves(plan, old=False):
    """The ip_route `routes` elements of a plan: the default routes with the
    new metric (to add first), or with OLD the ones with the old metric (to
    remove after)."""
    return [dict(dest='default', family=move['family'], gateway=move['gateway'] or None, dev=move['dev'],
                 metric=move['old_metric'] if old else move['new_metric']) for move in plan or []]


def route_metric_result(selected, persisted=None, runtime_changed=False, families=None, runtime=True,
                        selector='', metric=None, management_note=''):
    """The fact route_metric_result (roles/route_metric/README.md)."""
    sel = selected or {}
    per = persisted or {}
    families = families or []
    changes, notes, moved = [], [], {}
    if not sel.get('found'):
        notes.append('no interface matches: %s' % sel.get('reason'))
    else:
        name = sel['interface']['name']
        for family in families:
            before = [route['metric'] for route in sel['routes'][family]]
            after = ([sel['metric']] if before else []) if runtime else before
            moved[family] = {'before': before, 'after': after}
            if not before:
                notes.append('%s has no %s default route in the main table' % (name, family))
        for move in sel['plan']:
            line = '%s %s default via %s metric %s -> %s' % (move['dev'], move['family'], move['gateway'] or '(none)',
                                                             move['old_metric'], move['new_metric'])
            if runtime:
                changes.append(line)
            else:
                notes.append(line + ' left (route_metric_runtime=false)')
        changes.extend(per.get('changes') or [])
        notes.extend(per.get('notes') or [])
    if management_note:
        notes.append(management_note)
    if (sel.get('management') or {}).get('note'):
        notes.append(sel['management']['note'])
    return {'changed': bool(runtime_changed or per.get('changed')),
            'check_mode': sel.get('check_mode'),
            'interface': sel['interface']['name'] if sel.get('found') else None,
            'selector': selector, 'metric': metric, 'runtime': moved,
            'backends': per.get('backends') or [],
            'files_changed': [item['path'] for item in per.get('files') or [] if item.get('changed')],
            'management': sel.get('management') or {},
            'changes': changes, 'notes': notes}
