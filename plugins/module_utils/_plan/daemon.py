# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure decisions of linuxnet.plumbing.netns_daemon: the options checked and
normalised, and what a run must do to the daemon.

Nothing here reads the system, so check mode and a real run reach the same
decision from the same reading.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

ACTIONS = ('none', 'start', 'restart', 'stop')
PLACEHOLDER = '%s'


def _absolute(option, value):
    if not isinstance(value, str) or not value or not posixpath.isabs(value) or value.endswith('/') or '\0' in value:
        raise ValidationError(option, value, 'is not an absolute path (it must start with /, name a file and hold no '
                                             'NUL)')
    if '..' in value.split('/'):
        raise ValidationError(option, value, "contains '..'; give the path without it")
    return posixpath.normpath(value)


def parse_mode(option, value, default):
    """An octal mode as YAML gives it: '0644' (text, read as octal) or 420 (a number, taken as it is)."""
    if value is None:
        return default
    if isinstance(value, bool):
        raise ValidationError(option, value, 'is not a file mode; write it as a quoted octal string such as "0644"')
    if isinstance(value, int):
        mode = value
    else:
        text = str(value).strip()
        try:
            mode = int(text, 8)
        except ValueError:
            raise ValidationError(option, value, 'is not an octal file mode such as "0644"')
    if mode < 0 or mode > 0o7777:
        raise ValidationError(option, value, 'is not a file mode (0000 to 7777 octal)')
    return mode


def _command(params):
    command = params.get('command')
    if command is None:
        command = []
    if params['state'] == 'started' and not command:
        raise ValidationError('command', command, 'is empty; state started needs the argv of the daemon '
                                                  '(for example [/usr/sbin/dnsmasq, --conf-file=/etc/x.conf])')
    for index, arg in enumerate(command):
        if not isinstance(arg, str) or '\0' in arg:
            raise ValidationError('command[%d]' % index, arg, 'is not a string without NUL')
    if command and not command[0]:
        raise ValidationError('command[0]', command[0], 'is empty; give the program to run')
    return list(command)


def _files(params):
    files = []
    seen = set()
    for index, item in enumerate(params.get('files') or []):
        where = 'files[%d]' % index
        path = _absolute(where + '.path', item.get('path'))
        if path in seen:
            raise ValidationError(where + '.path', path, 'is listed twice')
        seen.add(path)
        content = item.get('content')
        if content is None:
            content = ''
        validate = item.get('validate')
        if validate is not None:
            if not validate or not all(isinstance(a, str) for a in validate):
                raise ValidationError(where + '.validate', validate, 'is not a non-empty list of strings (argv)')
            if not any(PLACEHOLDER in arg for arg in validate):
                raise ValidationError(where + '.validate', validate, "has no element with %s, the place of the "
                                      "temporary file to check (for example [dnsmasq, --test, --conf-file=%%s])"
                                      % PLACEHOLDER)
            validate = list(validate)
        files.append({'index': index, 'path': path, 'content': content,
                      'mode': parse_mode(where + '.mode', item.get('mode'), 0o644), 'validate': validate})
    return files


def _directories(params):
    directories = []
    for index, item in enumerate(params.get('directories') or []):
        where = 'directories[%d]' % index
        path = _absolute(where + '.path', item.get('path'))
        if path not in [d['path'] for d in directories]:
            directories.append({'path': path, 'mode': parse_mode(where + '.mode', item.get('mode'), 0o755)})
    return directories


def check_options(params):
    """The options as one normalised spec; ValidationError (option, value) on the first bad one."""
    name = params.get('name')
    if not name or not str(name).strip():
        raise ValidationError('name', name, 'is empty')
    ready = params.get('ready_timeout')
    if ready is None or ready <= 0 or ready > 600:
        raise ValidationError('ready_timeout', ready, 'must be more than 0 and at most 600 seconds')
    log = params.get('log')
    if log is not None:
        log = _absolute('log', log)
    spec = {
        'name': str(name),
        'state': params['state'],
        'command': _command(params),
        'pidfile': _absolute('pidfile', params.get('pidfile')),
        'daemonizes': bool(params.get('daemonizes')),
        'log': log,
        'files': _files(params),
        'directories': _directories(params),
        'restart': bool(params.get('restart')),
        'ready_timeout': float(ready),
        'package': params.get('package'),
    }
    if spec['pidfile'] in [f['path'] for f in spec['files']]:
        raise ValidationError('pidfile', spec['pidfile'], 'is also listed in files; the pid file belongs to the daemon')
    return spec


def validator_argv(validate, path):
    """The validate argv with every %s replaced by the temporary file."""
    return [arg.replace(PLACEHOLDER, path) for arg in validate]


def decide(state, running, files_changed, restart):
    """The action on the daemon: none, start, restart or stop."""
    if state == 'started':
        if not running:
            return 'start'
        if files_changed or restart:
            return 'restart'
        return 'none'
    return 'stop' if running else 'none'


def removable_directories(directories, listing, removed_paths):
    """state=absent: the directories (deepest first) that are empty once
    REMOVED_PATHS are gone. listing(path) -> entry names, or None when the
    directory does not exist. A directory another instance still uses stays."""
    gone = set(removed_paths)
    result = []
    for directory in sorted(directories, key=lambda d: d['path'].count('/'), reverse=True):
        path = directory['path']
        names = listing(path)
        if names is None:
            continue
        if all(posixpath.join(path, n) in gone for n in names):
            result.append(path)
            gone.add(path)
    return result
