#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: net_sysctl
short_description: Set C(net.*) sysctls inside a network namespace, with interface globs and optional persistence
description:
  - Sets network sysctls (keys under C(net.)) by writing C(/proc/sys/net/...) inside the namespace given by O(netns).
    No C(sysctl) command is run.
  - A shell pattern in the interface position (V(net.ipv4.conf.*.rp_filter)) applies the value to every matching
    entry of the directory present now, including V(all) and V(default) (as C(sysctl -w) and systemd-sysctl do).
  - Values are compared normalised (runs of spaces and tabs collapsed, decimal numbers by value), so
    V(32768 60999) matches the kernel's C(32768<TAB>60999).
  - All runtime writes of one task form a unit. When the kernel refuses a value for one key, the keys already
    written by this task are restored to their previous values, the persistence file is not touched, and the task
    fails with the kernel's error.
  - With O(persist=true) the key (in the form given, so a glob covers interfaces created later) is also written to
    O(persist_file), which sysctl.d(5) reads at boot, for the root namespace only.
version_added: 0.1.0
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
options:
  name:
    description:
      - One sysctl key, or a list of keys that all get O(value).
      - Every key must start with V(net.). A key that does not exist in the namespace is refused, except a glob
        that matches no interface (reported in RV(unmatched)).
      - A dot inside an interface name is written as C(/) in the dotted form (V(net.ipv4.conf.eth0/100.rp_filter)
        for interface C(eth0.100)), as C(sysctl -a) prints it. V(net.ipv4.conf.eth0.100.rp_filter) and the slash
        form V(net/ipv4/conf/eth0.100/rp_filter) are accepted too.
      - Wildcards (C(*), C(?), C([...])) are only allowed in the interface position of
        C(net.ipv4.conf), C(net.ipv4.neigh), C(net.ipv6.conf), C(net.ipv6.neigh) and C(net.mpls.conf).
        The literal keys with V(all) and V(default) work as usual.
    type: list
    elements: str
    required: true
    aliases: [key]
  value:
    description:
      - The value to set. A number, a string, a boolean (written as V(1)/V(0)) or a list (written space
        separated, for example V([32768, 60999]) for C(net.ipv4.ip_local_port_range)).
      - Required when O(state=present).
    type: raw
  state:
    description:
      - V(present) sets the runtime value (and, with O(persist=true), the line in O(persist_file)).
      - V(absent) removes the key's line from O(persist_file) and leaves the runtime value as it is
        (a sysctl cannot be absent). O(netns) cannot be used with V(absent).
    type: str
    choices: [present, absent]
    default: present
  persist:
    description:
      - Also write C(KEY = VALUE) to O(persist_file) so the setting survives a reboot.
      - The line uses the key as given, so V(net.ipv4.conf.*.rp_filter) persists the glob and covers interfaces
        created later (systemd-sysctl applies per-interface settings as interfaces appear).
      - The file is edited surgically. Only the lines for this key are added, rewritten or removed; every other
        line stays as it is. A line that already has the value is left verbatim.
      - Only for the root namespace (the namespace of PID 1); refused together with O(netns), because boot-time
        sysctl files configure the host's namespace only.
    type: bool
    default: false
  runtime:
    description:
      - Set the runtime value (in C(/proc/sys)) when O(state=present).
      - V(false) only edits O(persist_file) (requires O(persist=true)), so the setting takes effect at the next boot
        or C(sysctl --system). The keys are still checked against the running kernel.
    type: bool
    default: true
  persist_file:
    description:
      - The sysctl.d file that O(persist=true) and O(state=absent) edit. Created (mode 0644, missing directories
        0755, whatever the umask) when missing; an existing file keeps its mode and owner. Written atomically.
      - The default sorts after distribution defaults such as systemd's C(50-default.conf), which sets
        C(net.ipv4.conf.*.rp_filter) itself; the files are applied in file-name order and the last assignment
        wins. Note that systemd-sysctl lets an explicit key (C(net.ipv4.conf.eth0.rp_filter)) override a glob in
        any file, and that C(/etc/sysctl.conf) (C(99-sysctl.conf)) is read after this file.
      - When the file is in an C(etc/sysctl.d) directory (C(/etc/sysctl.d), or C(ROOT/etc/sysctl.d) below another
        root), O(persist=true) also reads the other sysctl.d files of that root as systemd-sysctl does at boot and
        reports in RV(boot_overrides) the lines that would override this task's keys. A file elsewhere is not read
        at boot from that place, so no such scan is done for it (RV(boot_overrides) is empty).
    type: path
    default: /etc/sysctl.d/99-linuxnet.conf
  missing:
    description:
      - What to do with a key without wildcard that does not exist in the namespace (an interface that is not
        there now, for example).
      - V(fail) refuses it, before anything changes.
      - V(skip) leaves it out, at runtime and in O(persist_file) (a line for a key the kernel does not have makes
        C(sysctl -p) fail), and lists it in RV(skipped).
    type: str
    choices: [fail, skip]
    default: fail
    version_added: 0.1.0
  observe:
    description:
      - Keys (globs allowed, as in O(name)) that are only read, before and after the run, and returned in
        RV(observed), so that one call both sets some keys and reports related ones (for example every
        interface's C(rp_filter) while only some are set). A key that does not exist is left out.
    type: list
    elements: str
    default: []
    version_added: 0.1.0
  pin_overrides:
    description:
      - With O(persist=true), also write to O(persist_file) the explicit key of each line of RV(boot_overrides)
        that the file can beat at boot, with O(value) - an explicit key of an interface that exists now, set in a
        file that sorts before O(persist_file) or in O(persist_file) itself (an earlier pin with another value).
        systemd-sysctl lets an explicit key beat a glob whatever the file order, so only an explicit line sorting
        after the other one restores O(value).
      - Lines of files that sort after O(persist_file), and keys of interfaces that do not exist now, are only
        reported. Each line of RV(boot_overrides) says in C(pinned) which it was.
    type: bool
    default: false
    version_added: 0.1.0
notes:
  - Writing some keys changes others as a side effect (V(net.ipv4.conf.all.forwarding) sets every interface's
    C(forwarding) and C(net.ipv4.ip_forward)); RV(values) reports what the kernel reads back after the run.
  - Check mode validates that every key exists and is writable, but cannot know whether the kernel accepts a value.
seealso:
  - module: linuxnet.plumbing.net_info
'''

EXAMPLES = r'''
- name: Turn on IPv4 forwarding in the router namespace
  linuxnet.plumbing.net_sysctl:
    name: net.ipv4.ip_forward
    value: 1
    netns: router

- name: Turn on IPv6 forwarding on every interface of the router namespace
  linuxnet.plumbing.net_sysctl:
    name: net.ipv6.conf.all.forwarding
    value: 1
    netns: router

- name: Loose reverse-path filtering on every interface, now and after reboot (root namespace)
  linuxnet.plumbing.net_sysctl:
    name: net.ipv4.conf.*.rp_filter
    value: 2
    persist: true

- name: Skip routes over links without carrier, so a route through a dead link fails over
  linuxnet.plumbing.net_sysctl:
    name:
      - net.ipv4.conf.all.ignore_routes_with_linkdown
      - net.ipv6.conf.all.ignore_routes_with_linkdown
    value: 1
    netns: ns1

- name: A VLAN interface's key (interface eth0.100)
  linuxnet.plumbing.net_sysctl:
    name: net.ipv4.conf.eth0/100.rp_filter
    value: 2

- name: Stage a setting for the next boot only, leaving the running value alone
  linuxnet.plumbing.net_sysctl:
    name: net.ipv4.conf.*.accept_redirects
    value: 0
    persist: true
    runtime: false

- name: Loose rp_filter now and at boot, pinning interfaces whose explicit lines elsewhere would win, reporting all
  linuxnet.plumbing.net_sysctl:
    name: [net.ipv4.conf.all.rp_filter, net.ipv4.conf.default.rp_filter, net.ipv4.conf.eth*.rp_filter,
           net.ipv4.conf.wan0.rp_filter]
    value: 2
    missing: skip
    observe: [net.ipv4.conf.*.rp_filter]
    persist: true
    pin_overrides: true
    persist_file: /etc/sysctl.d/99-zz-linuxnet-rp-filter.conf

- name: Drop the persisted line again (the runtime value stays)
  linuxnet.plumbing.net_sysctl:
    name: net.ipv4.conf.*.rp_filter
    state: absent
'''

RETURN = r'''
values:
  description:
    - Per concrete key (globs expanded, canonical dotted form), the value before the run and after it
      (read back from the kernel after a real run; the desired value in check mode).
    - Empty for O(state=absent) and O(runtime=false).
    - In templates write C(result['values']); C(result.values) is the dictionary's own method.
  returned: always
  type: dict
  sample:
    net.ipv4.conf.all.rp_filter: {before: "0", after: "2"}
    net.ipv4.conf.veth0.rp_filter: {before: "1", after: "2"}
unmatched:
  description: Names whose interface pattern matched no entry in the namespace (nothing was set for them).
  returned: always
  type: list
  elements: str
  sample: ["net.ipv4.conf.eni*.rp_filter"]
persisted:
  description: For O(persist=true) or O(state=absent), per key as written in the file, the value the file gave it
    before and after (V(null) when the file has no line for it).
  returned: when O(persist=true) or O(state=absent)
  type: dict
  sample:
    net.ipv4.conf.*.rp_filter: {before: null, after: "2"}
persist_file:
  description: The file that was (or would be) edited.
  returned: when O(persist=true) or O(state=absent)
  type: str
  sample: /etc/sysctl.d/99-linuxnet.conf
boot_overrides:
  description:
    - For O(persist=true), the lines of the other sysctl.d files that would give a persisted key another value at
      boot, as systemd-sysctl merges C(ROOT/etc/sysctl.d), C(ROOT/run/sysctl.d), C(ROOT/usr/local/lib/sysctl.d),
      C(ROOT/usr/lib/sysctl.d) and C(ROOT/lib/sysctl.d) (a file name in an earlier directory masks the same name in
      the later ones; all files are applied in file-name order; the last assignment of a key wins; an explicit key
      set in any file beats a glob). O(persist_file) counts with its new content (in check mode, the predicted one).
    - For an explicit key, the assignment in a file sorting after O(persist_file) that wins with another value.
      For a glob, each explicit key it matches whose winning assignment (in any file, O(persist_file) included)
      has another value, and the same pattern assigned another value in a later file. A different glob that overlaps
      the pattern is not looked at.
    - Empty when nothing overrides, and when O(persist_file) is not in an C(etc/sysctl.d) directory (not scanned).
    - C(key) is this task's key in the form written to the file, C(file) and C(line) (from 1) locate the other
      assignment, C(assigned) is its key as written there (without a leading C(-)), C(value) its value, normalised.
  returned: when O(persist=true) and O(state=present)
  type: list
  elements: dict
  sample:
    - key: net.ipv4.conf.*.rp_filter
      file: /etc/sysctl.d/10-strict.conf
      line: 3
      assigned: net.ipv4.conf.eth1.rp_filter
      value: "1"
skipped:
  description: With O(missing=skip), the names of O(name) without wildcard whose key does not exist (nothing was set
    or persisted for them), as given.
  returned: always
  type: list
  elements: str
  sample: ["net.ipv4.conf.wan0.rp_filter"]
observed:
  description:
    - Per concrete key of O(observe) (canonical dotted form), the value before and after the run (read back after a
      real run that changed something; predicted in check mode).
  returned: always
  type: dict
  sample:
    net.ipv4.conf.lo.rp_filter: {before: "0", after: "0"}
pinned:
  description: With O(pin_overrides=true), the explicit keys written to O(persist_file) to beat the lines of
    RV(boot_overrides) at boot, in persist form.
  returned: when O(persist=true) and O(state=present)
  type: list
  elements: str
  sample: ["net.ipv4.conf.eth1.rp_filter"]
actions:
  description: One line per change made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
  sample: ["set net.ipv4.conf.veth0.rp_filter = 2 (was 1)"]
diff:
  description: The state before and after, as dictionaries (C(values) per key, C(persisted) per file line).
  returned: always
  type: dict
  sample:
    before: {values: {net.ipv4.ip_forward: "0"}}
    after: {values: {net.ipv4.ip_forward: "1"}}
'''

import os

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import (
    ModuleFailure,
    new_module,
    run_module,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.files import write_file
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import entered
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import sysctl as _sysctl


def _validate(module):
    params = module.params
    netns = params['netns']
    keys = []
    for text in params['name']:
        key = _sysctl.parse_key('name', text)
        if key not in keys:
            keys.append(key)
    if not keys:
        raise ValidationError('name', params['name'], 'is empty; give at least one net.* key')
    value = None
    if params['state'] == 'present':
        value = _sysctl.value_text('value', params['value'])
    touches_file = params['persist'] or params['state'] == 'absent'
    if params['state'] == 'present' and not params['runtime'] and not params['persist']:
        raise ValidationError('runtime', False, 'leaves nothing to do without persist: true')
    if touches_file:
        option = 'persist' if params['state'] == 'present' else 'state'
        shown = params['persist'] if option == 'persist' else params['state']
        if netns:
            raise ValidationError(option, shown, "cannot be used with netns '%s': %s is read at boot for the root "
                                  "namespace only; set the value in the namespace at run time instead"
                                  % (netns, params['persist_file']))
        if not _sysctl.in_initial_netns():
            raise ValidationError(option, shown, 'cannot be used here: this module runs outside the root network '
                                  'namespace, and %s configures the root namespace only' % params['persist_file'])
        path = params['persist_file']
        if not path or not os.path.isabs(path) or path.endswith('/'):
            raise ValidationError('persist_file', path, 'is not an absolute file path')
        if os.path.isdir(path):
            raise ValidationError('persist_file', path, 'is a directory; name a file such as /etc/sysctl.d/99-linuxnet.conf')
    if params['pin_overrides'] and not (params['persist'] and params['state'] == 'present'):
        raise ValidationError('pin_overrides', True, 'needs persist: true and state: present (it pins keys in '
                              'persist_file)')
    return keys, value, touches_file


def _observed_keys(module):
    return [_sysctl.parse_key('observe', text) for text in module.params['observe']]


def _skip_missing(netns, keys):
    """missing=skip: the keys without wildcard that do not exist in the
    namespace are left out -> (kept keys, skipped names as given)."""
    kept, skipped = [], []
    with entered(netns):
        for key in keys:
            if key.is_glob or _sysctl.expand('name', key, must_exist=False, netns=netns):
                kept.append(key)
            else:
                skipped.append(key.text)
    return kept, skipped


def _read_observed(netns, keys):
    """{dotted: value} of every existing key OBSERVE names (globs expanded)."""
    found = {}
    with entered(netns):
        for key in keys:
            for item in _sysctl.expand('observe', key, must_exist=False, netns=netns):
                found[item.dotted] = _sysctl.read_value(item)
    return found


def _observed_after(netns, observe, before, values, reread):
    """The observed keys after the run: read back after a real change, else
    the predicted value of a key this task sets (check mode) or unchanged."""
    if reread:
        after = _read_observed(netns, observe)
        return dict((k, {'before': v, 'after': after.get(k, v)}) for k, v in before.items())
    return dict((k, {'before': v, 'after': values[k]['after'] if k in values else v}) for k, v in before.items())


def _pin_overrides(persist_file, lines, overrides, value):
    """The explicit keys of OVERRIDES that an explicit line in PERSIST_FILE
    beats at boot (an interface present now, set in a file sorting no later
    than PERSIST_FILE), marked on each override -> (new lines, pinned keys).

    Explicit beats glob in any file, and among explicit lines the later file
    wins: a file sorting after PERSIST_FILE cannot be beaten from it, and a
    line for an absent interface would make sysctl -p fail."""
    own = os.path.basename(persist_file)
    pinned = []
    for item in overrides:
        try:
            key = _sysctl.SysctlKey(_sysctl.split_key(item['assigned']))
        except ValueError:
            key = None
        item['pinned'] = bool(key is not None and not key.is_glob and key.interface is not None
                              and os.path.basename(item['file']) <= own and os.path.isfile(key.path))
        if item['pinned'] and key not in pinned:
            pinned.append(key)
    for key in pinned:
        lines = _sysctl.render_persist(lines, key, value)
    return lines, pinned


def _read_runtime(netns, keys):
    """Expand and read every key inside the namespace -> (ordered concrete
    keys, {dotted: value}, unmatched names). Raises ValidationError."""
    concrete = []
    unmatched = []
    before = {}
    with entered(netns):
        for key in keys:
            found = _sysctl.expand('name', key, must_exist=True, netns=netns)
            if not found:
                unmatched.append(key.text)
            for item in found:
                if item in concrete:
                    continue
                if _sysctl.is_read_only(item):
                    raise ValidationError('name', key.text, 'names %s, which is read-only' % item.dotted)
                concrete.append(item)
                before[item.dotted] = _sysctl.read_value(item)
    return concrete, before, unmatched


def _write_file(path, lines):
    # an existing file keeps the mode and owner its administrator gave it
    write_file(path, ''.join(line + '\n' for line in lines), keep_existing_mode=True)


def body(module):
    params = module.params
    netns = params['netns']
    keys, value, touches_file = _validate(module)
    observe = _observed_keys(module)
    skipped = []
    if params['missing'] == 'skip' and params['state'] == 'present':
        keys, skipped = _skip_missing(netns, keys)
    observed_before = _read_observed(netns, observe) if observe else {}
    tracker = DifferenceTracker()
    values = {}
    unmatched = []
    concrete = []
    journal = []  # (key, previous value) for every runtime write done

    def write(key, new, previous):
        with entered(netns):
            try:
                _sysctl.write_value(key, new)
            except (IOError, OSError) as exc:
                raise _WriteFailed(key, new, exc)
        journal.append((key, previous))

    if params['state'] == 'present':
        concrete, before, unmatched = _read_runtime(netns, keys)
        if not params['runtime']:
            concrete, before = [], {}
        after = {}
        for key in concrete:
            current = before[key.dotted]
            if _sysctl.same_value(current, value):
                after[key.dotted] = current
                continue
            after[key.dotted] = value
            where = " in namespace '%s'" % netns if netns else ''
            tracker.add('set %s = %s (was %s)%s' % (key.dotted, value, current, where), write, key, value, current)
        tracker.compare('values', before, after)
        values = dict((k, {'before': before[k], 'after': after[k]}) for k in before)

    persisted = None
    overrides = None
    pinned = []
    if touches_file:
        path = params['persist_file']
        lines = _sysctl.read_lines(path)
        new_lines = lines
        for key in keys:
            new_lines = _sysctl.render_persist(new_lines, key, value)
        if params['state'] == 'present':
            # The file's new content (predicted in check mode) in the boot order.
            overrides = _sysctl.boot_overrides(path, new_lines, keys, value)
            if params['pin_overrides']:
                new_lines, pinned = _pin_overrides(path, new_lines, overrides, value)
        persisted = {}
        for key in keys + pinned:
            persisted[key.persist_form] = {'before': _sysctl.persisted_value(lines, key),
                                           'after': _sysctl.persisted_value(new_lines, key)}
        tracker.compare('persisted', dict((k, v['before']) for k, v in persisted.items()),
                        dict((k, v['after']) for k, v in persisted.items()))
        if new_lines != lines:
            tracker.add('%s %s' % ('update' if os.path.exists(path) else 'create', path), _write_file, path, new_lines)

    try:
        tracker.apply(module.check_mode)
    except _WriteFailed as failure:
        raise ModuleFailure(_refusal_message(failure, journal, _rollback(netns, journal)), option='value',
                            value=params['value'], key=failure.key.dotted, errno=failure.exc.errno,
                            restored=[k.dotted for k, dummy in journal])
    except Exception:
        errors = _rollback(netns, journal)
        if errors:
            module.warn('restoring the keys already written failed: %s' % '; '.join(errors))
        raise

    def read_after():
        now = {}
        if 'values' in tracker.after:
            with entered(netns):
                now['values'] = dict((key.dotted, _sysctl.read_value(key)) for key in concrete)
        if 'persisted' in tracker.after:
            lines = _sysctl.read_lines(params['persist_file'])
            now['persisted'] = dict((key.persist_form, _sysctl.persisted_value(lines, key)) for key in keys + pinned)
        return now

    after = tracker.verify(read_after, same=_as_planned)
    for dotted, now in after.get('values', {}).items():
        values[dotted]['after'] = now

    extra = dict(values=values, unmatched=unmatched, skipped=skipped,
                 observed=_observed_after(netns, observe, observed_before, values,
                                          reread=not module.check_mode and tracker.changed))
    if overrides is not None:
        extra['pinned'] = [key.persist_form for key in pinned]
    if touches_file:
        extra.update(persisted=persisted, persist_file=params['persist_file'])
    if overrides is not None:
        extra['boot_overrides'] = overrides
    return tracker.result(**extra)


def _as_planned(planned, actual):
    """The kernel reads values back in its own spelling ('01' is '1', tabs are spaces)."""
    if set(planned) != set(actual) or planned.get('persisted') != actual.get('persisted'):
        return False
    runtime, now = planned.get('values', {}), actual.get('values', {})
    return set(runtime) == set(now) and all(_sysctl.same_value(now[k], v) for k, v in runtime.items())


def _refusal_message(failure, journal, rollback_errors):
    text = failure.exc.strerror or str(failure.exc)
    msg = ("option 'value': value %r was refused by the kernel for %s: %s (errno %s)"
           % (failure.value, failure.key.dotted, text, failure.exc.errno))
    if rollback_errors:
        return msg + '; restoring the keys already written failed: %s' % '; '.join(rollback_errors)
    if journal:
        return msg + '; the %d key(s) already written were restored, nothing was changed' % len(journal)
    return msg + '; nothing was changed'


def _rollback(netns, journal):
    """Restore the keys written so far, newest first -> list of errors."""
    errors = []
    for key, previous in reversed(journal):
        try:
            with entered(netns):
                _sysctl.write_value(key, previous)
        except (IOError, OSError) as exc:
            errors.append('%s: %s' % (key.dotted, exc))
    return errors


class _WriteFailed(Exception):
    def __init__(self, key, value, exc):
        super(_WriteFailed, self).__init__(str(exc))
        self.key = key
        self.value = value
        self.exc = exc


def main():
    module = new_module(
        argument_spec=dict(
            name=dict(type='list', elements='str', required=True, aliases=['key']),
            value=dict(type='raw'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            persist=dict(type='bool', default=False),
            runtime=dict(type='bool', default=True),
            persist_file=dict(type='path', default=_sysctl.DEFAULT_PERSIST_FILE),
            missing=dict(type='str', choices=['fail', 'skip'], default='fail'),
            observe=dict(type='list', elements='str', default=[]),
            pin_overrides=dict(type='bool', default=False),
        ),
        needs_pyroute2=False,
    )
    run_module(module, body)


if __name__ == '__main__':
    main()
