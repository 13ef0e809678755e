# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""WireGuard device helper of the linuxnet.plumbing.vpn_split_tunnel role.

Run on the managed host by ansible.builtin.script with an explicit Python
(standard library only; pyroute2 only for the kernel implementation):

    vpn_wg.py up   --netns NS --dev DEV --pidfile FILE [--implementation auto|kernel|wireguard-go] [--check]
    vpn_wg.py sync --netns NS --dev DEV --config FILE [--check]
    vpn_wg.py down --netns NS --dev DEV --pidfile FILE [--check]
    vpn_wg.py prune --path DIR [--path DIR ...] [--check]

Every command prints one JSON object (``changed`` plus details) and exits 0,
or prints a JSON object with ``failed`` and ``msg`` and exits 1.

The helper enters the namespace NS itself (setns(2)) before doing anything,
so every program it runs (``wireguard-go``, ``wg``) runs inside NS; no shell
is involved, every command is an argument vector. An empty NS is the
namespace the helper runs in.

``up`` makes sure the device exists: a kernel WireGuard link where the kernel
has WireGuard (``auto`` tries it first), otherwise ``wireguard-go DEV`` over
tun. wireguard-go daemonises itself; its daemon (the process carrying
``WG_PROCESS_FOREGROUND=1``, found in /proc by command line and namespace) is
recorded in the pid file. A running daemon with its interface is left alone.

``sync`` compares the device's running configuration (``wg showconf``) with
the desired configuration file and runs ``wg setconf DEV FILE`` only when they
differ (what is compared: private key, listen port and fwmark when the file
sets them, and every peer's public key, preshared key, allowed IPs, endpoint
and persistent keepalive).

Keys never appear in the output: differences are named, not shown, and any
text of ``wg`` that is passed on has base64 keys replaced by ``(hidden)``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import ctypes
import ctypes.util
import errno
import ipaddress
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
UAPI_DIR = '/var/run/wireguard'
KEY_RE = re.compile(r'[A-Za-z0-9+/]{42,43}=')


class HelperError(Exception):
    pass


def hide_keys(text):
    return KEY_RE.sub('(hidden)', text or '')


# ---------------------------------------------------------------- namespaces

def netns_inode(netns):
    path = '/run/netns/%s' % netns if netns else '/proc/self/ns/net'
    return os.stat(path).st_ino


def enter_netns(netns):
    if not netns:
        return
    if '/' in netns or netns in ('.', '..'):
        raise HelperError('bad namespace name %r' % netns)
    path = '/run/netns/%s' % netns
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        raise HelperError('network namespace %s does not exist' % netns)
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6', use_errno=True)
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise HelperError('cannot enter network namespace %s: %s' % (netns, os.strerror(err)))
    finally:
        os.close(fd)


def link_exists(dev):
    try:
        socket.if_nametoindex(dev)
        return True
    except OSError:
        return False


# ---------------------------------------------------------------- processes

def read_file(path, mode='r'):
    try:
        with open(path, mode) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def read_pid(pidfile):
    text = read_file(pidfile)
    try:
        return int(text.split()[0])
    except (AttributeError, ValueError, IndexError):
        return None


def proc_cmdline(pid):
    raw = read_file('/proc/%d/cmdline' % pid, 'rb')
    if not raw:
        return None
    return raw.decode('utf-8', 'replace').rstrip('\0').split('\0')


def is_daemon_of(pid, dev, inode=None):
    """True when PID is a wireguard-go daemon for DEV (in the namespace with INODE, when given)."""
    args = proc_cmdline(pid)
    if not args or len(args) < 2 or os.path.basename(args[0]) != 'wireguard-go' or args[-1] != dev:
        return False
    env = read_file('/proc/%d/environ' % pid, 'rb') or b''
    if b'WG_PROCESS_FOREGROUND=1' not in env.split(b'\0'):
        return False
    if inode is None:
        return True
    try:
        return os.stat('/proc/%d/ns/net' % pid).st_ino == inode
    except OSError:
        return False


def find_daemons(dev, inode=None):
    pids = []
    for name in os.listdir('/proc'):
        if name.isdigit() and is_daemon_of(int(name), dev, inode):
            pids.append(int(name))
    return sorted(pids)


def same_mount_ns(pid):
    try:
        return os.stat('/proc/%d/ns/mnt' % pid).st_ino == os.stat('/proc/self/ns/mnt').st_ino
    except OSError:
        return False


def write_pidfile(pidfile, pid):
    directory = os.path.dirname(os.path.abspath(pidfile))
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    with open(pidfile, 'w') as handle:
        handle.write('%d\n' % pid)


def remove(path):
    try:
        os.unlink(path)
        return True
    except OSError:
        return False


def kill_and_wait(pid):
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    for _dummy in range(50):
        if not os.path.exists('/proc/%d' % pid):
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def clean_env():
    env = dict(os.environ)
    for key in list(env):
        if key.startswith('WG_') or key == 'LOG_LEVEL':
            del env[key]
    return env


def run(argv, check=True):
    try:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(),
                              timeout=60, check=False)
    except OSError as exc:
        raise HelperError('cannot run %s: %s (Debian: apt-get install wireguard-tools wireguard-go)' % (argv[0], exc))
    except subprocess.TimeoutExpired:
        raise HelperError('%s did not finish within 60 s' % ' '.join(argv[:3]))
    out = proc.stdout.decode('utf-8', 'replace')
    err = proc.stderr.decode('utf-8', 'replace')
    if check and proc.returncode != 0:
        raise HelperError('%s failed (rc %d): %s' % (' '.join(argv[:3]), proc.returncode,
                                                     hide_keys(err or out).strip()))
    return proc.returncode, out, err


# ---------------------------------------------------------------- kernel links

def kernel_link_kind(dev):
    """The link kind of DEV through netlink, or None when pyroute2 is missing."""
    try:
        from pyroute2 import IPRoute
    except ImportError:
        return None
    with IPRoute() as ipr:
        idx = ipr.link_lookup(ifname=dev)
        if not idx:
            return None
        info = ipr.get_links(idx[0])[0].get_attr('IFLA_LINKINFO')
        return info.get_attr('IFLA_INFO_KIND') if info else None


def kernel_create(dev):
    """Create a kernel WireGuard link; False when the kernel has no WireGuard."""
    try:
        from pyroute2 import IPRoute
    except ImportError:
        return False
    with IPRoute() as ipr:
        try:
            ipr.link('add', ifname=dev, kind='wireguard')
        except Exception as exc:  # pylint: disable=broad-except
            code = getattr(exc, 'code', None)
            if code in (errno.EOPNOTSUPP, errno.ENOENT, errno.EINVAL) or 'not supported' in str(exc).lower():
                return False
            raise HelperError('cannot create the kernel WireGuard link %s: %s' % (dev, exc))
    return True


def kernel_delete(dev):
    from pyroute2 import IPRoute
    with IPRoute() as ipr:
        idx = ipr.link_lookup(ifname=dev)
        if idx:
            ipr.link('del', index=idx[0])


# ---------------------------------------------------------------- commands

def cmd_up(args):
    inode = netns_inode(args.netns)
    enter_netns(args.netns)
    dev = args.dev
    sock = os.path.join(UAPI_DIR, dev + '.sock')
    daemons = find_daemons(dev, inode)
    if link_exists(dev):
        if daemons:
            if read_pid(args.pidfile) != daemons[0] and not args.check:
                write_pidfile(args.pidfile, daemons[0])
            return {'changed': False, 'state': 'running', 'implementation': 'wireguard-go', 'pid': daemons[0]}
        kind = kernel_link_kind(dev)
        if kind == 'wireguard':
            return {'changed': False, 'state': 'exists', 'implementation': 'kernel', 'pid': None}
        raise HelperError('a link called %s exists in the namespace but it is %s, not a WireGuard device; '
                          'it is left alone' % (dev, 'of kind %s' % kind if kind else 'no WireGuard device'))
    # Another namespace's wireguard-go with this name owns the (global) control socket.
    # (Only daemons that see the same /var/run: other mount namespaces, such as containers, have their own.)
    others = [p for p in find_daemons(dev) if p not in daemons and same_mount_ns(p)]
    if others:
        raise HelperError('wireguard-go already runs a device called %s in another network namespace (pid %d); '
                          'its control socket %s is shared by all namespaces, so every wireguard-go device on '
                          'a host needs its own name' % (dev, others[0], sock))
    if args.check:
        return {'changed': True, 'state': 'would start', 'implementation': args.implementation, 'pid': None}
    for pid in daemons:     # a daemon without its interface is broken: replace it
        kill_and_wait(pid)
    if args.implementation in ('auto', 'kernel'):
        # The kernel's WireGuard where it exists (creating the link loads the module when it can).
        if kernel_create(dev):
            remove(args.pidfile)
            return {'changed': True, 'state': 'created', 'implementation': 'kernel', 'pid': None}
        if args.implementation == 'kernel':
            raise HelperError('this kernel has no WireGuard (module wireguard) or pyroute2 is missing, '
                              'and the kernel implementation was asked for')
    return start_wireguard_go(args, inode, sock)


def start_wireguard_go(args, inode, sock):
    dev = args.dev
    if os.path.exists(sock):
        remove(sock)        # stale socket of a daemon that died
    run([args.wireguard_go or 'wireguard-go', dev])
    pid = None
    for _dummy in range(50):
        daemons = find_daemons(dev, inode)
        if daemons and link_exists(dev) and os.path.exists(sock):
            pid = daemons[0]
            break
        time.sleep(0.1)
    if pid is None:
        raise HelperError('wireguard-go %s exited without leaving a running daemon and device' % dev)
    write_pidfile(args.pidfile, pid)
    return {'changed': True, 'state': 'started', 'implementation': 'wireguard-go', 'pid': pid}


def cmd_down(args):
    if args.netns and not os.path.exists('/run/netns/%s' % args.netns):
        # The namespace is gone, and with it any kernel device; only a daemon can be left.
        daemons = [p for p in [read_pid(args.pidfile)] if p and is_daemon_of(p, args.dev)]
        inode = None
    else:
        inode = netns_inode(args.netns)
        enter_netns(args.netns)
        daemons = find_daemons(args.dev, inode)
        pid = read_pid(args.pidfile)
        if pid and pid not in daemons and is_daemon_of(pid, args.dev):
            daemons.append(pid)     # recorded daemon whose namespace was deleted and re-created
    changed = bool(daemons)
    kernel = False
    if inode is not None and not daemons and link_exists(args.dev):
        if kernel_link_kind(args.dev) == 'wireguard':
            kernel = changed = True
    result = {'changed': changed, 'stopped': daemons, 'kernel_link_deleted': kernel,
              'pidfile_removed': os.path.exists(args.pidfile)}
    result['changed'] = changed or result['pidfile_removed']
    if args.check:
        return result
    for pid in daemons:
        kill_and_wait(pid)
    if kernel:
        kernel_delete(args.dev)
    remove(args.pidfile)
    if daemons:
        sock = os.path.join(UAPI_DIR, args.dev + '.sock')
        if os.path.exists(sock) and not find_daemons(args.dev):
            remove(sock)
    return result


# -------- configuration comparison

def parse_conf(text):
    """A WireGuard configuration text -> {'interface': {...}, 'peers': {pubkey: {...}}}."""
    interface = {}
    peers = {}
    section = None
    current = None
    for raw in text.splitlines():
        line = raw.split('#', 1)[0].strip()
        if not line:
            continue
        if line.startswith('['):
            section = line.strip('[]').strip().lower()
            current = {} if section == 'peer' else interface
            if section == 'peer':
                peers.setdefault('', []).append(current)
            continue
        if '=' not in line or current is None:
            raise HelperError('cannot read the configuration line %r' % hide_keys(line))
        key, value = [part.strip() for part in line.split('=', 1)]
        key = key.lower()
        if key == 'allowedips':
            current.setdefault('allowedips', set()).update(
                normal_prefix(p.strip()) for p in value.split(',') if p.strip())
        else:
            current[key] = value
    by_key = {}
    for peer in peers.get('', []):
        by_key[peer.get('publickey', '')] = peer
    return {'interface': interface, 'peers': by_key}


def normal_prefix(text):
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        raise HelperError('not an IP prefix in AllowedIPs: %r' % text)


def normal_endpoint(text):
    match = re.match(r'^\[?([^\]]+?)\]?:(\d+)$', text or '')
    if not match:
        return text
    try:
        host = str(ipaddress.ip_address(match.group(1)))
    except ValueError:
        host = match.group(1)
    return '%s:%d' % (host, int(match.group(2)))


def number_or_off(value):
    """FwMark as wg reads it (decimal, 0x hex, or off) -> int; wg showconf
    prints it in hex and leaves it out when it is 0."""
    text = str(value if value is not None else 0).strip().lower()
    if text in ('', 'off'):
        return 0
    try:
        return int(text, 0)
    except ValueError:
        return text


def compare(desired, current):
    """Names of the differences (never the key values)."""
    diffs = []
    want_if, have_if = desired['interface'], current['interface']
    if want_if.get('privatekey') != have_if.get('privatekey'):
        diffs.append('private key')
    if 'listenport' in want_if and str(want_if['listenport']) != str(have_if.get('listenport')):
        diffs.append('listen port')
    if 'fwmark' in want_if and number_or_off(want_if['fwmark']) != number_or_off(have_if.get('fwmark')):
        diffs.append('fwmark')
    want, have = desired['peers'], current['peers']
    for pub in sorted(set(have) - set(want)):
        diffs.append('peer %s: not wanted' % pub)
    for pub in sorted(want):
        if pub not in have:
            diffs.append('peer %s: missing' % pub)
            continue
        w, h = want[pub], have[pub]
        if w.get('allowedips', set()) != h.get('allowedips', set()):
            diffs.append('peer %s: allowed ips' % pub)
        if w.get('presharedkey') != h.get('presharedkey'):
            diffs.append('peer %s: preshared key' % pub)
        if 'endpoint' in w and normal_endpoint(w['endpoint']) != normal_endpoint(h.get('endpoint')):
            diffs.append('peer %s: endpoint' % pub)
        if str(w.get('persistentkeepalive', '0')).replace('off', '0') != \
                str(h.get('persistentkeepalive', '0')).replace('off', '0'):
            diffs.append('peer %s: persistent keepalive' % pub)
    return diffs


def cmd_sync(args):
    text = read_file(args.config)
    if text is None and args.check:
        return {'changed': True, 'differences': ['configuration file %s not written yet' % args.config]}
    if text is None:
        raise HelperError('cannot read the configuration file %s' % args.config)
    desired = parse_conf(text)
    enter_netns(args.netns)
    if not link_exists(args.dev):
        if args.check:
            return {'changed': True, 'differences': ['device %s does not exist yet' % args.dev]}
        raise HelperError('the WireGuard device %s does not exist' % args.dev)
    _rc, out, _err = run(['wg', 'showconf', args.dev])
    diffs = compare(desired, parse_conf(out))
    if diffs and not args.check:
        run(['wg', 'setconf', args.dev, args.config])
        _rc, out, _err = run(['wg', 'showconf', args.dev])
        left = compare(desired, parse_conf(out))
        if left:
            raise HelperError('wg setconf %s did not take: still different: %s' % (args.dev, ', '.join(left)))
    return {'changed': bool(diffs), 'differences': diffs}


def cmd_prune(args):
    """Remove the given directories when they are empty (in order); never anything else."""
    removed = []
    for path in args.path:
        if os.path.isdir(path) and not os.listdir(path):
            if not args.check:
                os.rmdir(path)
            removed.append(path)
    return {'changed': bool(removed), 'removed': removed}


def parse(argv):
    parser = argparse.ArgumentParser(description='WireGuard device helper of the vpn_split_tunnel role.')
    parser.add_argument('command', choices=['up', 'down', 'sync', 'prune'])
    parser.add_argument('--netns', default='')
    parser.add_argument('--dev')
    parser.add_argument('--pidfile')
    parser.add_argument('--config')
    parser.add_argument('--path', action='append', default=[])
    parser.add_argument('--implementation', default='auto', choices=['auto', 'kernel', 'wireguard-go'])
    parser.add_argument('--wireguard-go', default='wireguard-go')
    parser.add_argument('--check', action='store_true')
    args = parser.parse_args(argv)
    needed = {'up': ['dev', 'pidfile'], 'down': ['dev', 'pidfile'], 'sync': ['dev', 'config'], 'prune': []}
    for name in needed[args.command]:
        if not getattr(args, name):
            parser.error('%s needs --%s' % (args.command, name))
    return args


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    handlers = {'up': cmd_up, 'down': cmd_down, 'sync': cmd_sync, 'prune': cmd_prune}
    try:
        result = handlers[args.command](args)
    except HelperError as exc:
        print(json.dumps({'failed': True, 'changed': False, 'msg': hide_keys(str(exc))}))
        return 1
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())
