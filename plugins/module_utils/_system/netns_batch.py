# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Named namespaces created and removed without a process per namespace.

``ip netns add`` forks nothing either: it unshares the network namespace of
the calling thread and bind-mounts that thread's namespace file onto
/run/netns/NAME. Doing the same here (and stepping back with setns) costs
about a millisecond per namespace, against a fork and exec for pyroute2's
own netns.create or an `ip` process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ctypes
import errno
import os

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import NamespaceError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import (
    CLONE_NEWNET,
    NETNS_RUN_DIR,
    libc,
    libc_call,
    netns_exists,
    netns_path,
    setns,
)

MS_BIND = 0x1000
MS_REC = 0x4000
MS_SHARED = 1 << 20
MNT_DETACH = 2


def _prepare_run_dir():
    """/run/netns as a shared mount point, as iproute2 makes it, so a mount
    made here is seen from every mount namespace (and by `ip netns`)."""
    if not os.path.isdir(NETNS_RUN_DIR):
        os.makedirs(NETNS_RUN_DIR, 0o755)
    run_dir = NETNS_RUN_DIR.encode()
    try:
        libc_call('mount', b'', run_dir, b'none', MS_SHARED | MS_REC, None, what='make %s shared' % NETNS_RUN_DIR)
        return
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
    # Not a mount point yet: bind it onto itself first (iproute2 does the same).
    libc_call('mount', run_dir, run_dir, b'none', MS_BIND | MS_REC, None, what='bind %s' % NETNS_RUN_DIR)
    libc_call('mount', b'', run_dir, b'none', MS_SHARED | MS_REC, None, what='make %s shared' % NETNS_RUN_DIR)


class Creator(object):
    """Creates namespaces on the calling thread; prepares the run dir once and
    keeps the home namespace open for the way back."""

    def __init__(self):
        self._ready = False
        self._home = None

    def close(self):
        if self._home is not None:
            os.close(self._home)
            self._home = None

    def create(self, name, inside=None):
        """Create NAME; return inside() called in it (None without INSIDE):
        a socket made there saves a second trip into the namespace."""
        if not self._ready:
            _prepare_run_dir()
            self._home = os.open('/proc/self/ns/net', os.O_RDONLY)
            self._ready = True
        path = netns_path(name)
        if os.path.exists(path):
            if netns_exists(name):
                raise NamespaceError("network namespace '%s' exists already" % name)
            os.unlink(path)     # a leftover of an interrupted creation blocks the mount
        os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o444))
        try:
            libc_call('unshare', CLONE_NEWNET, what='unshare')
        except OSError as exc:
            os.unlink(path)
            raise NamespaceError("cannot create network namespace '%s': %s" % (name, exc))
        try:
            try:
                libc_call('mount', b'/proc/thread-self/ns/net', path.encode(), b'none', MS_BIND, None,
                          what='mount %s' % path)
            except OSError as exc:
                os.unlink(path)
                raise NamespaceError("cannot create network namespace '%s': %s" % (name, exc))
            return inside() if inside is not None else None
        finally:
            setns(self._home, what='return to the home namespace')


def remove(name):
    """Unmount and unlink /run/netns/NAME; the kernel frees the namespace when
    its last user (a process, a socket) is gone."""
    path = netns_path(name)
    if libc().umount2(path.encode(), MNT_DETACH) != 0 and ctypes.get_errno() not in (errno.EINVAL, errno.ENOENT):
        err = ctypes.get_errno()
        raise NamespaceError("cannot remove network namespace '%s': %s" % (name, os.strerror(err)))
    try:
        os.unlink(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise NamespaceError("cannot remove network namespace '%s': %s" % (name, exc))
