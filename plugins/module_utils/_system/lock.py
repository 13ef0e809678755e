# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-namespace locks, as iptables' xtables.lock serialises its runs.

Two runs that each read the nftables table, plan and commit would otherwise
interleave: a run removing the last rule set deletes the table while another
run, which read it a moment earlier, adds to it - and that rule is lost. The
lock is an flock() on a file named after the namespace's inode, so every
name (or path) of one namespace maps to one lock and two namespaces never
share one. flock() is released by the kernel when the holder exits, even when
it is killed, so a crashed run never leaves the namespace locked.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import os
import time

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import open_netns_fd

LOCK_DIRS = ('/run/lock', '/run', '/var/lock')
LOCK_MODE = 0o600
WAIT_SECONDS = 60.0
# Polling (as `iptables -w` does) instead of a blocking flock keeps the wait
# bounded without signals; the holder is a short module run.
POLL_FIRST = 0.005
POLL_MAX = 0.1


def netns_inode(netns):
    """The inode of namespace NETNS (None: the one this process is in)."""
    fd = open_netns_fd(netns)
    try:
        return os.fstat(fd).st_ino
    finally:
        os.close(fd)


def lock_path(purpose, netns):
    """/run/lock/linuxnet-PURPOSE-net<INODE>.lock."""
    base = next((d for d in LOCK_DIRS if os.path.isdir(d)), LOCK_DIRS[0])
    return os.path.join(base, 'linuxnet-%s-net%d.lock' % (purpose, netns_inode(netns)))


class NamespaceLock(object):
    """An exclusive lock on (PURPOSE, namespace) while the with-block runs."""

    def __init__(self, purpose, netns, wait=WAIT_SECONDS):
        self.path = lock_path(purpose, netns)
        self.netns = netns
        self.wait = wait
        self.fd = None

    def acquire(self):
        # O_NOFOLLOW: a symlink planted in the lock directory is not followed;
        # the explicit mode (fchmod, whatever the umask) keeps others out.
        flags = os.O_RDWR | os.O_CREAT | getattr(os, 'O_CLOEXEC', 0) | getattr(os, 'O_NOFOLLOW', 0)
        try:
            fd = os.open(self.path, flags, LOCK_MODE)
        except OSError as exc:
            raise ModuleFailure('cannot open the lock file %s: %s' % (self.path, exc))
        try:
            os.fchmod(fd, LOCK_MODE)
            self._wait_for(fd)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        return self

    def _wait_for(self, fd):
        deadline = time.monotonic() + self.wait
        pause = POLL_FIRST
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except (IOError, OSError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise ModuleFailure('cannot lock %s: %s' % (self.path, exc))
            if time.monotonic() >= deadline:
                raise ModuleFailure('another run still holds the lock %s of namespace %s after %d s'
                                    % (self.path, self.netns or '(the current one)', self.wait))
            time.sleep(pause)
            pause = min(pause * 2, POLL_MAX)

    def release(self):
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)   # closing the only descriptor drops the flock

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
        return False
