# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""WireGuard devices: the kernel's link, or wireguard-go over tun, and `wg`.

Every program runs as a child with an argument list, spawned while the thread
is inside the target namespace (the child inherits it). Keys go to `wg` on
stdin, never on a command line. Messages may carry wg's own text: the module
scrubs keys out of every message before it reaches the user.

wireguard-go daemonises itself; its daemon is the process carrying
``WG_PROCESS_FOREGROUND=1``, found in /proc by command line and namespace.
Its control socket ``/var/run/wireguard/DEV.sock`` is one per device name
for all namespaces sharing the mount namespace, so a device name run by
wireguard-go in one namespace cannot be run in another.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import signal
import subprocess
import time

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import Netlink, NetlinkError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.files import KEY_MODE, write_file
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import (
    entered,
    netns_exists,
    netns_path,
)

UAPI_DIR = '/var/run/wireguard'
INSTALL_HINT = 'Debian: apt-get install wireguard-tools (and wireguard-go where the kernel has no WireGuard)'
# The kernel answers these when it has no WireGuard link kind.
NO_KERNEL_WIREGUARD = (errno.EOPNOTSUPP, errno.ENOENT, errno.EINVAL)
WAIT_STEP = 0.05
WAIT_STEPS = 100


# ---------------------------------------------------------------- programs

def clean_env():
    """The environment without wireguard-go's own settings (a daemon started
    from a daemon's environment would stay in the foreground)."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith('WG_') or key == 'LOG_LEVEL':
            del env[key]
    return env


def run(argv, netns=None, stdin=None):
    """Run ARGV inside NETNS; its stdout as text, ModuleFailure when it fails."""
    with entered(netns):
        try:
            proc = subprocess.run(argv, input=stdin.encode('ascii') if stdin is not None else None,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(),
                                  timeout=60, check=False)
        except OSError as exc:
            raise ModuleFailure('cannot run %s: %s (%s)' % (argv[0], exc, INSTALL_HINT))
        except subprocess.TimeoutExpired:
            raise ModuleFailure('%s did not finish within 60 s' % ' '.join(argv[:3]))
    out = proc.stdout.decode('utf-8', 'replace')
    if proc.returncode != 0:
        err = proc.stderr.decode('utf-8', 'replace')
        raise ModuleFailure('%s failed (rc %d): %s' % (' '.join(argv[:3]), proc.returncode, (err or out).strip()))
    return out


def showconf(netns, dev):
    return run(['wg', 'showconf', dev], netns)


def setconf(netns, dev, text):
    """Replace the device's configuration (and peers) with TEXT, given on stdin."""
    run(['wg', 'setconf', dev, '/dev/stdin'], netns, stdin=text)


def genkey():
    return run(['wg', 'genkey']).strip()


def pubkey(private_key):
    return run(['wg', 'pubkey'], stdin=private_key + '\n').strip()


# ---------------------------------------------------------------- daemons

def netns_inode(netns):
    return os.stat(netns_path(netns) if netns else '/proc/self/ns/net').st_ino


def _read(path, mode='r'):
    try:
        with open(path, mode) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def read_pid(pid_file):
    try:
        return int(_read(pid_file).split()[0])
    except (AttributeError, ValueError, IndexError):
        return None


def write_pid(pid_file, pid):
    write_file(pid_file, '%d\n' % pid)


def read_key_file(path):
    """The stripped text of a key file, None when there is none; ModuleFailure
    when it exists but cannot be read (a key is never replaced by mistake)."""
    try:
        with open(path, 'r') as handle:
            return handle.read().strip()
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise ModuleFailure('cannot read the private key file %s: %s' % (path, exc.strerror))


def write_key_file(path, key):
    """The key alone on one line, mode 0600; a missing directory is made 0700."""
    write_file(path, key + '\n', mode=KEY_MODE, dir_mode=0o700)


def remove_file(path):
    try:
        os.unlink(path)
        return True
    except OSError:
        return False


def is_daemon_of(pid, dev, inode=None):
    """True when PID is a wireguard-go daemon for DEV (in the namespace with INODE, when given)."""
    raw = _read('/proc/%d/cmdline' % pid, 'rb')
    args = raw.decode('utf-8', 'replace').rstrip('\0').split('\0') if raw else []
    if len(args) < 2 or os.path.basename(args[0]) != 'wireguard-go' or args[-1] != dev:
        return False
    env = _read('/proc/%d/environ' % pid, 'rb') or b''
    if b'WG_PROCESS_FOREGROUND=1' not in env.split(b'\0'):
        return False
    if inode is None:
        return True
    try:
        return os.stat('/proc/%d/ns/net' % pid).st_ino == inode
    except OSError:
        return False


def find_daemons(dev, inode=None):
    return sorted(int(name) for name in os.listdir('/proc') if name.isdigit() and is_daemon_of(int(name), dev, inode))


def same_mount_ns(pid):
    try:
        return os.stat('/proc/%d/ns/mnt' % pid).st_ino == os.stat('/proc/self/ns/mnt').st_ino
    except OSError:
        return False


def wait_for(condition):
    """Poll CONDITION until it holds (up to 5 s); its last value."""
    for dummy in range(WAIT_STEPS):
        value = condition()
        if value:
            return value
        time.sleep(WAIT_STEP)
    return condition()


def stop_daemon(pid, dev):
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    # A dead daemon left as a zombie (its parent does not reap) has no command
    # line any more, so it no longer counts as the device's daemon.
    if not wait_for(lambda: not is_daemon_of(pid, dev)):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def socket_path(dev):
    return os.path.join(UAPI_DIR, dev + '.sock')


# ---------------------------------------------------------------- the device

class Device(object):
    """One WireGuard device name in one namespace (None: the current one)."""

    def __init__(self, netns, name, pid_file=None):
        self.netns = netns
        self.name = name
        self.pid_file = pid_file

    def namespace_exists(self):
        return netns_exists(self.netns)

    def read(self):
        """{'kind': link kind or None (no link), 'daemons': [pid], 'others': [pid of
        another namespace's daemon holding the name's control socket]}."""
        inode = netns_inode(self.netns)
        with Netlink(self.netns) as nl:
            link = nl.link(self.name)
        daemons = find_daemons(self.name, inode)
        others = [p for p in find_daemons(self.name) if p not in daemons and same_mount_ns(p)]
        return {'kind': link['kind'] if link else None, 'exists': link is not None,
                'daemons': daemons, 'others': others}

    def orphans(self):
        """The recorded daemon when its namespace is gone (or was made again)."""
        pid = read_pid(self.pid_file) if self.pid_file else None
        if pid and is_daemon_of(pid, self.name):
            if not self.namespace_exists() or not is_daemon_of(pid, self.name, netns_inode(self.netns)):
                return [pid]
        return []

    def create_kernel(self):
        """A kernel WireGuard link; False when the kernel has no WireGuard."""
        with Netlink(self.netns) as nl:
            try:
                nl.add_link(ifname=self.name, kind='wireguard')
            except NetlinkError as exc:
                if getattr(exc, 'code', None) in NO_KERNEL_WIREGUARD:
                    return False
                raise ModuleFailure('cannot create the kernel WireGuard link %s: %s' % (self.name, exc))
        if self.pid_file:
            remove_file(self.pid_file)
        return True

    def start_wireguard_go(self, program='wireguard-go'):
        """Start wireguard-go DEV inside the namespace; the daemon's pid."""
        inode = netns_inode(self.netns)
        for pid in find_daemons(self.name, inode):    # a daemon without its interface is broken
            stop_daemon(pid, self.name)
        if os.path.exists(socket_path(self.name)):
            remove_file(socket_path(self.name))       # a stale socket of a daemon that died
        run([program, self.name], self.netns)

        def ready():
            pids = find_daemons(self.name, inode)
            return pids and os.path.exists(socket_path(self.name)) and self.read()['exists'] and pids[0]
        pid = wait_for(ready)
        if not pid:
            raise ModuleFailure('wireguard-go %s exited without leaving a running daemon and device' % self.name)
        if self.pid_file:
            write_pid(self.pid_file, pid)
        return pid

    def record(self, pid):
        if self.pid_file and read_pid(self.pid_file) != pid:
            write_pid(self.pid_file, pid)

    def remove(self, daemons, kernel_link):
        """Stop DAEMONS, delete the kernel link, forget the pid file."""
        for pid in daemons:
            stop_daemon(pid, self.name)
        if kernel_link:
            with Netlink(self.netns) as nl:
                link = nl.link(self.name)
                if link is not None:
                    nl.delete_link(link['index'])
        if self.pid_file:
            remove_file(self.pid_file)
        if daemons and os.path.exists(socket_path(self.name)) and not find_daemons(self.name):
            remove_file(socket_path(self.name))
