# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Named network namespaces: paths, existence, and running code inside one.

Everything here works on the ``ip netns`` convention (a bind mount under
``/run/netns/NAME``) so namespaces made by this collection and by iproute2 are
the same thing. Entering a namespace uses setns(2) on the calling thread:
sockets opened while inside stay bound to that namespace after we leave, which
is how one module process talks to several namespaces without forking.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import ctypes
import ctypes.util
import errno
import os

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import NamespaceError

NETNS_RUN_DIR = '/run/netns'
NETNS_ETC_DIR = '/etc/netns'
CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000

_libc = None


def libc():
    """The C library, loaded once. Callers that fork load it first: a
    preexec_fn must not dlopen between fork and exec."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library('c') or None, use_errno=True)
    return _libc


def libc_call(name, *args, **kwargs):
    """Call a libc function that returns 0 or -1 with errno (setns, unshare,
    mount); OSError on failure, its text prefixed with ``what`` when given."""
    if getattr(libc(), name)(*args) != 0:
        err = ctypes.get_errno()
        what = kwargs.get('what')
        raise OSError(err, '%s: %s' % (what, os.strerror(err)) if what else os.strerror(err))


def setns(fd, what=None):
    """Move the calling thread into the network namespace open on FD.

    The one setns(2) of the collection; the netns connection plugin calls it
    in its child before exec.
    """
    libc_call('setns', fd, CLONE_NEWNET, what=what)


@contextlib.contextmanager
def private_netns():
    """Run the body in a new, anonymous network namespace, then come home.

    unshare(CLONE_NEWNET) moves only the calling thread; a socket opened in
    the body keeps the new namespace alive, and the kernel destroys it (with
    everything created in it) once that socket is closed.
    """
    home = os.open('/proc/self/ns/net', os.O_RDONLY)
    try:
        libc_call('unshare', CLONE_NEWNET)
        try:
            yield
        finally:
            setns(home)
    finally:
        os.close(home)


def netns_path(name):
    return os.path.join(NETNS_RUN_DIR, name)


def netns_exists(name):
    """True when NAME is a mounted namespace (not merely a leftover file)."""
    if name is None:
        return True
    path = netns_path(name)
    if not os.path.exists(path):
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        # A bind-mounted nsfs file and our own namespace share a device;
        # a plain leftover file from a crashed `ip netns add` does not.
        return os.fstat(fd).st_dev == os.stat('/proc/self/ns/net').st_dev
    finally:
        os.close(fd)


def list_netns():
    try:
        names = sorted(os.listdir(NETNS_RUN_DIR))
    except OSError:
        return []
    return [n for n in names if netns_exists(n)]


def open_netns_fd(name):
    """An fd on namespace NAME (or the current one for None). Never creates."""
    path = '/proc/self/ns/net' if name is None else netns_path(name)
    try:
        return os.open(path, os.O_RDONLY)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise NamespaceError("network namespace '%s' does not exist (%s)" % (name, path))
        raise NamespaceError("cannot open network namespace '%s': %s" % (name, exc))


@contextlib.contextmanager
def entered_fd(fd, name=None):
    """Run the body inside the namespace open as FD. Entering by fd (not by
    name) keeps working when the name is removed meanwhile; NAME is only for
    the message."""
    home = os.open('/proc/self/ns/net', os.O_RDONLY)
    try:
        try:
            setns(fd)
        except OSError as exc:
            raise NamespaceError("cannot enter network namespace '%s': %s" % (name or 'fd %d' % fd, exc))
        try:
            yield
        finally:
            setns(home)
    finally:
        os.close(home)


@contextlib.contextmanager
def entered(name):
    """Run the body inside namespace NAME; None means stay where we are."""
    if name is None:
        yield
        return
    target = open_netns_fd(name)
    try:
        with entered_fd(target, name):
            yield
    finally:
        os.close(target)


def resolv_conf_path(name):
    return os.path.join(NETNS_ETC_DIR, name, 'resolv.conf')


def create_netns(name):
    """Create NAME the way `ip netns add` does (bind mount under /run/netns)."""
    from pyroute2 import netns as pr_netns
    path = netns_path(name)
    if os.path.exists(path) and not netns_exists(name):
        # A leftover file from an interrupted creation blocks the bind mount.
        os.unlink(path)
    pr_netns.create(name)


def remove_netns(name):
    from pyroute2 import netns as pr_netns
    pr_netns.remove(name)
