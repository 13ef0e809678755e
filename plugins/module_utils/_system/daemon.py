# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Processes in a network namespace: start, find through a pid file and
/proc, stop.

A process is started inside a namespace by forking while the calling thread
is in it (setns through _system.netns): the child inherits the namespace and
execs the command directly, with no shell and no `ip netns exec`.

Whatever is started never keeps a descriptor of the module process: Ansible
waits for the module's stdout to close, so a daemon holding it would hang the
task until the daemon exits.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import signal
import subprocess
import tempfile
import time

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import entered_fd

POLL = 0.02
EXTRA_PATH = ('/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin')


def find_executable(program):
    """The path exec would run for PROGRAM (absolute, or searched in PATH and the
    sbin directories a non-login PATH may lack), or None."""
    if '/' in program:
        return program if os.path.isfile(program) and os.access(program, os.X_OK) else None
    dirs = [d for d in os.environ.get('PATH', '').split(os.pathsep) if d] + list(EXTRA_PATH)
    for directory in dirs:
        path = os.path.join(directory, program)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def netns_identity(fd):
    """(device, inode) of the namespace open on FD: what /proc/PID/ns/net of a process in it stats to."""
    st = os.fstat(fd)
    return (st.st_dev, st.st_ino)


def read_text(path):
    """The file's text, or None when it does not exist."""
    try:
        with open(path, 'rb') as handle:
            return handle.read().decode('utf-8', 'replace')
    except (IOError, OSError) as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise


def file_state(path):
    """(content bytes, mode) of a regular file, or (None, None)."""
    try:
        with open(path, 'rb') as handle:
            return handle.read(), os.fstat(handle.fileno()).st_mode & 0o7777
    except (IOError, OSError) as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None, None
        raise


def read_pid(pidfile):
    text = read_text(pidfile)
    if text is None:
        return None
    text = text.strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def process_state(pid):
    """The state letter of /proc/PID/stat (R, S, Z...), or None when there is no such process."""
    text = read_text('/proc/%d/stat' % pid)
    if text is None:
        return None
    fields = text.rsplit(')', 1)[-1].split()
    return fields[0] if fields else None


def alive(pid):
    """A process that has not exited: a zombie (a dead daemon nobody reaped, as
    under a PID 1 that never waits) counts as gone."""
    return process_state(pid) not in (None, 'Z', 'X')


def process_cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            raw = handle.read()
    except (IOError, OSError):
        return None
    return [part.decode('utf-8', 'replace') for part in raw.split(b'\0')[:-1]] if raw else []


def process_netns(pid):
    try:
        st = os.stat('/proc/%d/ns/net' % pid)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def running_pid(pidfile, argv, identity):
    """The pid the pid file names when that process is alive, runs exactly ARGV
    and lives in the namespace IDENTITY (any, for None); else None (no pid
    file, a stale one, a recycled pid, another command, another namespace)."""
    pid = read_pid(pidfile)
    if pid is None or not alive(pid):
        return None
    if process_cmdline(pid) != list(argv) or (identity is not None and process_netns(pid) != identity):
        return None
    return pid


def wait_until(predicate, timeout):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value or time.time() >= deadline:
            return value
        time.sleep(POLL)


def stop(pid, grace=3.0):
    """SIGTERM, then SIGKILL when it is still alive after GRACE seconds. True when it is gone."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except OSError as exc:
            if exc.errno == errno.ESRCH:
                return True
            raise
        if wait_until(lambda: not alive(pid), wait):
            return True
    return False


def run_in_netns(argv, netns_fd, timeout, executable=None):
    """Run ARGV to completion inside the namespace -> (rc, output). rc None: still
    running after TIMEOUT (it was killed). The output goes to a file, not a
    pipe: a child that forks into the background keeps its stdout, and a pipe
    would not close before that child exits."""
    with tempfile.TemporaryFile() as out:
        with entered_fd(netns_fd):
            proc = subprocess.Popen(argv, executable=executable, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    close_fds=True, start_new_session=True, cwd='/')
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            rc = None
        out.seek(0)
        return rc, out.read().decode('utf-8', 'replace').strip()


def spawn_detached(argv, executable, netns_fd, log=None):
    """Start ARGV as a daemon inside the namespace: double fork, new session,
    stdin /dev/null, stdout and stderr to LOG (appended) or /dev/null, every
    other descriptor closed. -> (pid, None) once exec succeeded, or (None, reason)."""
    pid_r, pid_w = os.pipe()
    err_r, err_w = os.pipe()  # close-on-exec: EOF without data means exec worked
    with entered_fd(netns_fd):
        child = os.fork()
        if child == 0:  # pragma: no cover - runs in the child, which must not leave the block (it would go home)
            _exec_detached(argv, executable, log, pid_r, pid_w, err_r, err_w)
    os.close(pid_w)
    os.close(err_w)
    os.waitpid(child, 0)
    pid_text = _read_all(pid_r)
    reason = _read_all(err_r)
    if reason:
        return None, reason
    if not pid_text.isdigit():
        return None, 'the intermediate process did not report the daemon pid'
    return int(pid_text), None


def _exec_detached(argv, executable, log, pid_r, pid_w, err_r, err_w):  # pragma: no cover - runs in the child
    try:
        os.close(pid_r)
        os.close(err_r)
        os.setsid()
        grandchild = os.fork()
        if grandchild:
            os.write(pid_w, str(grandchild).encode('ascii'))
            os._exit(0)
        os.close(pid_w)
        os.chdir('/')
        devnull = os.open(os.devnull, os.O_RDWR)
        out = devnull
        if log:
            out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        os.dup2(devnull, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        limit = os.sysconf('SC_OPEN_MAX')
        os.closerange(3, err_w)
        os.closerange(err_w + 1, limit if limit > 0 else 65536)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.execv(executable, argv)
    except BaseException as exc:  # pylint: disable=broad-except
        try:
            os.write(err_w, ('%s' % exc).encode('utf-8', 'replace'))
        except BaseException:  # pylint: disable=broad-except
            pass
    os._exit(127)


def _read_all(fd):
    chunks = []
    try:
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b''.join(chunks).decode('utf-8', 'replace').strip()


def log_tail(path, lines=15):
    if not path:
        return None
    text = read_text(path)
    if not text:
        return None
    return '\n'.join(text.rstrip('\n').split('\n')[-lines:])


def validate_content(argv_for, content, basename, netns_fd, timeout=30.0):
    """Write CONTENT to a private temporary directory and run the validator
    argv_for(temporary path) on it (inside the namespace) -> (rc, output).
    Nothing of the target is touched."""
    directory = tempfile.mkdtemp(prefix='lnp-netns-daemon-')
    path = os.path.join(directory, basename)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, content)
        finally:
            os.close(fd)
        return run_in_netns(argv_for(path), netns_fd, timeout)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
        os.rmdir(directory)


def remove_file(path):
    """True when PATH existed and was removed."""
    try:
        os.unlink(path)
        return True
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return False
        raise


def list_directory(path):
    try:
        return os.listdir(path)
    except OSError:
        return None
