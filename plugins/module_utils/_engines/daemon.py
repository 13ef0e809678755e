# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A daemon in a network namespace, reconciled in one call (netns_daemon).

Order: every check first (options, namespace, program, each changed file
through its validator), then the reading (files, the running process), the
decision (_plan.daemon.decide), and only in a real run the changes. Check
mode stops after the decision, so it reports what a real run does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure, NamespaceError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan import daemon as _plan
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import daemon as _proc
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.files import ensure_directory, write_file
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import netns_exists, netns_path, open_netns_fd

# A daemon the module detaches itself has no exit status the module can wait
# for; one that dies this soon after exec (a port in use, a bad argument) is
# reported as a failed start instead of a success.
SETTLE = 0.25


def _text(data):
    return None if data is None else data.decode('utf-8', 'replace')


def _open_netns(netns):
    try:
        return open_netns_fd(netns)
    except NamespaceError as exc:
        raise ValidationError('netns', netns, 'cannot be used: %s (create it first, for example with '
                              'linuxnet.plumbing.netns)' % exc if os.path.exists(netns_path(netns))
                              else 'does not exist (no namespace at %s); create it first, for example with '
                              'linuxnet.plumbing.netns' % netns_path(netns))


def _missing_program(spec):
    program = spec['command'][0]
    hint = ('install %s (apt-get install %s)' % (spec['package'], spec['package']) if spec['package']
            else 'install the package that provides it, or give its absolute path')
    return ValidationError('command[0]', program, 'is not an executable program here (%s)' % hint)


class NetnsDaemon(object):
    def __init__(self, spec, netns, check_mode):
        self.spec = spec
        self.netns = netns
        self.check_mode = check_mode
        self.fd = None
        self.identity = None
        self.executable = None

    def _where(self):
        return "namespace '%s'" % self.netns if self.netns else 'the current namespace'

    def _label(self):
        return 'netns_daemon %s' % self.spec['name']

    # ------------------------------------------------------------ reading

    def _running(self):
        command = self.spec['command']
        if command:
            return _proc.running_pid(self.spec['pidfile'], command, self.identity)
        if self.identity is None:
            return None
        # stopped/absent without a command: a live process of the namespace named by the pid file
        pid = _proc.read_pid(self.spec['pidfile'])
        if pid is not None and _proc.alive(pid) and _proc.process_netns(pid) == self.identity:
            return pid
        return None

    def _read_files(self):
        current = {}
        for item in self.spec['files']:
            current[item['path']] = _proc.file_state(item['path'])
        return current

    def _check_contents(self, changed):
        """Every changed file with a validator is checked now, before anything is written."""
        for item in changed:
            if not item['validate']:
                continue
            rc, output = _proc.validate_content(lambda tmp, v=item['validate']: _plan.validator_argv(v, tmp),
                                                item['content'].encode('utf-8'), os.path.basename(item['path']),
                                                self.fd)
            if rc != 0:
                raise ModuleFailure(
                    "option 'files[%d].content' (for %s) was refused by its validator %s (exit status %s): %s; "
                    "nothing was written or restarted"
                    % (item['index'], item['path'], ' '.join(item['validate']), rc if rc is not None else 'timeout',
                       output or '(no output)'),
                    option='files[%d].content' % item['index'], path=item['path'], validator_output=output)

    # ------------------------------------------------------------ the run

    def run(self):
        spec = self.spec
        if spec['state'] != 'started' and self.netns and not netns_exists(self.netns):
            # The namespace is gone but its daemon may not be: a process keeps
            # its namespace alive after the name is removed. Stopping it must
            # still work (a teardown run twice), so it is found by its command.
            return self._reconcile()
        self.fd = _open_netns(self.netns)
        try:
            self.identity = _proc.netns_identity(self.fd)
            if spec['state'] == 'started':
                self.executable = _proc.find_executable(spec['command'][0])
                if self.executable is None:
                    raise _missing_program(spec)
            return self._reconcile()
        finally:
            os.close(self.fd)

    def _reconcile(self):
        spec = self.spec
        pid = self._running()
        current = self._read_files()
        before_files = dict((p, _text(c)) for p, (c, m) in current.items())
        tracker = DifferenceTracker()
        tracker.before.update(running=pid is not None, pid=pid, files=before_files)
        files_changed = []
        new_dirs = []
        removed = []
        if spec['state'] == 'started':
            changed_items = [item for item in spec['files']
                             if current[item['path']] != (item['content'].encode('utf-8'), item['mode'])]
            self._check_contents(changed_items)
            files_changed = [item['path'] for item in changed_items]
            new_dirs = [d for d in spec['directories'] if not os.path.isdir(d['path'])]
            for directory in new_dirs:
                tracker.add('create directory %s' % directory['path'], ensure_directory, directory['path'],
                            directory['mode'])
            for item in changed_items:
                tracker.add('write %s' % item['path'], write_file, item['path'], item['content'], mode=item['mode'])
            after_files = dict((item['path'], item['content']) for item in spec['files'])
        elif spec['state'] == 'absent':
            files_changed = [item['path'] for item in spec['files'] if current[item['path']][0] is not None]
            after_files = dict((p, None) for p in before_files)
        else:
            after_files = dict(before_files)
        action = _plan.decide(spec['state'], pid is not None, bool(files_changed), spec['restart'])
        if action in ('stop', 'restart'):
            tracker.add('stop pid %d' % pid, self._stop, pid)
        if action in ('start', 'restart'):
            tracker.add('start %s in %s' % (' '.join(spec['command']), self._where()), self._start)
        pidfile_exists = os.path.lexists(spec['pidfile'])
        if spec['state'] == 'absent':
            removed = list(files_changed)
            if pidfile_exists:
                removed.append(spec['pidfile'])
            for path in removed:
                tracker.add('remove %s' % path, _proc.remove_file, path)
            for path in _plan.removable_directories(spec['directories'], _proc.list_directory, removed):
                tracker.add('remove empty directory %s' % path, os.rmdir, path)
        elif spec['state'] == 'stopped' and action == 'stop' and pidfile_exists:
            tracker.add('remove %s' % spec['pidfile'], _proc.remove_file, spec['pidfile'])

        running_after = spec['state'] == 'started'
        tracker.after.update(running=running_after, pid=pid if action == 'none' and running_after else None,
                             files=after_files)
        tracker.apply(self.check_mode)
        if not self.check_mode and running_after:
            new_pid = self._running()
            if new_pid is None:
                raise ModuleFailure('%s: the daemon is not running after the run (pid file %s)'
                                    % (self._label(), spec['pidfile']))
            tracker.after['pid'] = new_pid
        return tracker.result(action=action, pid=tracker.after['pid'], files_changed=files_changed,
                              running=running_after)

    # ------------------------------------------------------------ changes

    def _stop(self, pid):
        if not _proc.stop(pid):
            raise ModuleFailure('%s: pid %d did not exit after SIGTERM and SIGKILL' % (self._label(), pid))
        if self.spec['state'] == 'started':
            _proc.remove_file(self.spec['pidfile'])

    def _failed_start(self, what, output=None):
        parts = ['%s: %s in %s %s' % (self._label(), ' '.join(self.spec['command']), self._where(), what)]
        if output:
            parts.append('its output: %s' % output)
        tail = _proc.log_tail(self.spec['log'])
        if tail:
            parts.append('the end of %s: %s' % (self.spec['log'], tail))
        elif not self.spec['daemonizes'] and not self.spec['log']:
            parts.append('(set log to keep its output)')
        return ModuleFailure('; '.join(parts), command=self.spec['command'], log=self.spec['log'])

    def _start(self):
        spec = self.spec
        _proc.remove_file(spec['pidfile'])  # stale by now: never let it name someone else
        started = time.time()
        if spec['daemonizes']:
            rc, output = _proc.run_in_netns(spec['command'], self.fd, spec['ready_timeout'],
                                            executable=self.executable)
            if rc is None:
                raise self._failed_start('did not return within %s s; with daemonizes=true the command must fork '
                                         'into the background itself (it was killed)' % spec['ready_timeout'], output)
            if rc != 0:
                raise self._failed_start('failed with exit status %d' % rc, output)
            left = max(spec['ready_timeout'] - (time.time() - started), 0.1)
            if _proc.wait_until(self._running, left) is None:
                raise self._failed_start('exited with status 0, but after %s s the pid file %s names no live process '
                                         'running this command in the namespace' % (spec['ready_timeout'],
                                                                                    spec['pidfile']), output)
            return
        if spec['log']:
            ensure_directory(os.path.dirname(spec['log']))
        pid, reason = _proc.spawn_detached(spec['command'], self.executable, self.fd, spec['log'])
        if pid is None:
            raise self._failed_start('could not be started: %s' % reason)
        write_file(spec['pidfile'], '%d\n' % pid)
        if _proc.wait_until(self._running, spec['ready_timeout']) is None or \
                _proc.wait_until(lambda: not _proc.alive(pid), SETTLE):
            _proc.remove_file(spec['pidfile'])
            raise self._failed_start('exited right after its start (pid %d)' % pid)


def netns_daemon(params, check_mode):
    spec = _plan.check_options(params)
    return NetnsDaemon(spec, params.get('netns'), check_mode).run()
