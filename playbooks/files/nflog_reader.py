# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small NFLOG reader: packets logged with ``log group N`` read over netlink.

Why this exists: the kernel's own packet log (``log prefix "..."`` without a
group, which prints to the kernel ring buffer / syslog) is silent for every
network namespace except the initial one, unless the host-wide sysctl
``net.netfilter.nf_log_all_netns=1`` is set in the INITIAL namespace. That is a
host change a lab must not make behind the user's back. ``log group N`` instead
hands each logged packet to nfnetlink_log, which is per namespace: a socket
bound to group N inside the namespace receives the packets with their prefix.

This file is pure standard library and self-contained, so it can be imported
(``NflogReader``) or run as a script, locally or on a managed host through
``ansible.builtin.script``::

    python3 nflog_reader.py --netns fw --group 7 --output /tmp/fw.log \
        --pidfile /tmp/fw.pid --daemon --timeout 600
    python3 nflog_reader.py --stop --pidfile /tmp/fw.pid

``--daemon`` returns only once the socket is bound, so traffic sent after that
is logged. Each packet becomes one line in the output file, in the kernel log's
format (``PREFIX IN=.. OUT=.. SRC=.. DST=.. PROTO=TCP SPT=.. DPT=..``), or
one JSON object per line with ``--format json``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_ULOG = 4
NFULNL_MSG_PACKET = 0
NFULNL_MSG_CONFIG = 1

NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLMSG_ERROR = 0x2
NLMSG_DONE = 0x3

NFULA_CFG_CMD = 1
NFULA_CFG_MODE = 2
NFULA_CFG_TIMEOUT = 4
NFULA_CFG_QTHRESH = 5
NFULNL_CFG_CMD_BIND = 1
NFULNL_CFG_CMD_UNBIND = 2
NFULNL_COPY_PACKET = 2

NFULA_PACKET_HDR = 1
NFULA_IFINDEX_INDEV = 4
NFULA_IFINDEX_OUTDEV = 5
NFULA_PAYLOAD = 9
NFULA_PREFIX = 10

HOOKS = {0: 'prerouting', 1: 'input', 2: 'forward', 3: 'output', 4: 'postrouting'}
PROTOCOLS = {1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP'}
CLONE_NEWNET = 0x40000000
COPY_RANGE = 128  # enough for the IP and transport headers


class NflogError(Exception):
    pass


def _nlattr(atype, payload):
    length = 4 + len(payload)
    return struct.pack('=HH', length, atype) + payload + b'\0' * ((4 - length % 4) % 4)


def config_message(group, attrs, seq):
    """One NFULNL_MSG_CONFIG request for GROUP (pure, for unit tests too)."""
    body = struct.pack('=BB', socket.AF_UNSPEC, 0) + struct.pack('!H', group)
    body += b''.join(_nlattr(t, p) for t, p in attrs)
    mtype = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG
    return struct.pack('=LHHLL', 16 + len(body), mtype, NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body


def parse_attrs(data):
    attrs = {}
    pos = 0
    while pos + 4 <= len(data):
        length, atype = struct.unpack_from('=HH', data, pos)
        if length < 4:
            break
        attrs[atype & 0x3fff] = data[pos + 4:pos + length]
        pos += (length + 3) & ~3
    return attrs


def describe_payload(payload):
    """Addresses, protocol and ports of an IPv4/IPv6 packet's first bytes."""
    info = {}
    if not payload:
        return info
    version = payload[0] >> 4
    if version == 4 and len(payload) >= 20:
        ihl = (payload[0] & 0x0f) * 4
        proto = payload[9]
        info.update(family='ipv4', src=socket.inet_ntop(socket.AF_INET, payload[12:16]),
                    dst=socket.inet_ntop(socket.AF_INET, payload[16:20]), proto=proto)
        l4 = payload[ihl:]
    elif version == 6 and len(payload) >= 40:
        proto = payload[6]
        info.update(family='ipv6', src=socket.inet_ntop(socket.AF_INET6, payload[8:24]),
                    dst=socket.inet_ntop(socket.AF_INET6, payload[24:40]), proto=proto)
        l4 = payload[40:]
    else:
        return info
    info['protocol'] = PROTOCOLS.get(proto, str(proto))
    if proto in (6, 17, 132) and len(l4) >= 4:
        info['sport'], info['dport'] = struct.unpack('!HH', l4[:4])
    elif proto in (1, 58) and len(l4) >= 2:
        info['icmp_type'], info['icmp_code'] = l4[0], l4[1]
    return info


def parse_messages(data, ifname=None):
    """Netlink datagram -> list of packet records (dicts)."""
    records = []
    pos = 0
    while pos + 16 <= len(data):
        length, mtype, dummy_flags, dummy_seq, dummy_pid = struct.unpack_from('=LHHLL', data, pos)
        if length < 16:
            break
        body = data[pos + 16:pos + length]
        pos += (length + 3) & ~3
        if mtype == NLMSG_ERROR:
            code = struct.unpack_from('=i', body, 0)[0] if len(body) >= 4 else 0
            if code:
                raise NflogError('nfnetlink_log refused a request: %s' % os.strerror(-code))
            continue
        if mtype != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET) or len(body) < 4:
            continue
        group = struct.unpack_from('!H', body, 2)[0]
        attrs = parse_attrs(body[4:])
        rec = {'group': group, 'prefix': attrs.get(NFULA_PREFIX, b'').split(b'\0', 1)[0].decode('utf-8', 'replace')}
        hdr = attrs.get(NFULA_PACKET_HDR)
        if hdr and len(hdr) >= 3:
            rec['hook'] = HOOKS.get(hdr[2], str(hdr[2]))
        for key, attr in (('indev', NFULA_IFINDEX_INDEV), ('outdev', NFULA_IFINDEX_OUTDEV)):
            raw = attrs.get(attr)
            index = struct.unpack('!I', raw[:4])[0] if raw and len(raw) >= 4 else 0
            rec[key] = (ifname or _ifname)(index) if index else ''
        rec.update(describe_payload(attrs.get(NFULA_PAYLOAD, b'')))
        records.append(rec)
    return records


def _ifname(index):
    try:
        return socket.if_indextoname(index)
    except OSError:
        return str(index)


def format_record(rec):
    """The kernel log's format: 'PREFIXIN=a OUT=b SRC=.. DST=.. PROTO=TCP SPT=1 DPT=2'."""
    parts = ['IN=%s' % rec.get('indev', ''), 'OUT=%s' % rec.get('outdev', '')]
    if 'src' in rec:
        parts += ['SRC=%s' % rec['src'], 'DST=%s' % rec['dst'], 'PROTO=%s' % rec['protocol']]
    if 'sport' in rec:
        parts += ['SPT=%d' % rec['sport'], 'DPT=%d' % rec['dport']]
    if 'icmp_type' in rec:
        parts += ['TYPE=%d' % rec['icmp_type'], 'CODE=%d' % rec['icmp_code']]
    return rec.get('prefix', '') + ' '.join(parts)


def _libc_setns(fd):
    libc = ctypes.CDLL(ctypes.util.find_library('c') or None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        return ctypes.get_errno()
    return 0


def _setns(name):
    """Move the calling thread into namespace NAME for good."""
    try:
        fd = os.open(os.path.join('/run/netns', name), os.O_RDONLY)
    except OSError as exc:
        raise NflogError("network namespace '%s' does not exist (%s)" % (name, exc))
    try:
        err = _libc_setns(fd)
        if err:
            raise NflogError("cannot enter network namespace '%s': %s" % (name, os.strerror(err)))
    finally:
        os.close(fd)


@contextlib.contextmanager
def _inside(name):
    """Run the body inside namespace NAME (None: where we are), then come back."""
    if not name:
        yield
        return
    home = os.open('/proc/self/ns/net', os.O_RDONLY)
    try:
        _setns(name)
        try:
            yield
        finally:
            _libc_setns(home)
    finally:
        os.close(home)


class NflogReader(object):
    """A socket bound to one NFLOG group in the current (or given) namespace.

    With ``netns`` the socket is opened inside that namespace and the calling
    thread returns to its own namespace afterwards.
    """

    def __init__(self, group, netns=None):
        if not 0 <= int(group) <= 65535:
            raise NflogError('group %r is outside 0-65535' % (group,))
        self.group = int(group)
        self.netns = netns
        with _inside(netns):
            self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind((0, 0))
        self._seq = 0
        self._request([(NFULA_CFG_CMD, struct.pack('=B', NFULNL_CFG_CMD_BIND))])
        self._request([(NFULA_CFG_MODE, struct.pack('!IBB', COPY_RANGE, NFULNL_COPY_PACKET, 0)),
                       (NFULA_CFG_QTHRESH, struct.pack('!I', 1)),   # deliver every packet at once
                       (NFULA_CFG_TIMEOUT, struct.pack('!I', 1))])

    def _request(self, attrs):
        self._seq += 1
        self.sock.send(config_message(self.group, attrs, self._seq))
        data = self.sock.recv(65536)
        length, mtype = struct.unpack_from('=LH', data, 0)
        if mtype == NLMSG_ERROR:
            code = struct.unpack_from('=i', data, 16)[0]
            if code == -errno.EBUSY:
                raise NflogError('NFLOG group %d is already bound by another listener in this namespace' % self.group)
            if code:
                raise NflogError('nfnetlink_log refused the configuration of group %d: %s'
                                 % (self.group, os.strerror(-code)))

    def read(self, timeout=None):
        """Packet records received within TIMEOUT seconds (None: block)."""
        ready = select.select([self.sock], [], [], timeout)[0]
        if not ready:
            return []
        try:
            data = self.sock.recv(1 << 16)
        except OSError as exc:
            if exc.errno == errno.ENOBUFS:   # the kernel dropped some; go on
                return []
            raise
        with _inside(self.netns):   # interface names as the namespace knows them
            return parse_messages(data)

    def close(self):
        if self.sock is not None:
            try:
                self._request([(NFULA_CFG_CMD, struct.pack('=B', NFULNL_CFG_CMD_UNBIND))])
            except (OSError, NflogError):
                pass
            self.sock.close()
            self.sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _parse_args(argv):
    import argparse
    parser = argparse.ArgumentParser(description='Write packets logged with nftables "log group N" to a file.')
    parser.add_argument('--group', type=int, default=0, help='NFLOG group (the log_group of firewall_rule)')
    parser.add_argument('--netns', help='network namespace to listen in (default: the current one)')
    parser.add_argument('--output', help='file to append one line per packet to (default: stdout)')
    parser.add_argument('--format', choices=['text', 'json'], default='text')
    parser.add_argument('--count', type=int, default=0, help='exit after this many packets (0: no limit)')
    parser.add_argument('--timeout', type=float, default=0, help='exit after this many seconds (0: no limit)')
    parser.add_argument('--pidfile', help='write the pid here once listening; removed on exit')
    parser.add_argument('--daemon', action='store_true', help='detach; return once the socket is bound')
    parser.add_argument('--stop', action='store_true', help='stop the reader whose pid is in --pidfile')
    return parser.parse_args(argv)


def alive(pid):
    """False once PID has exited, also while it waits as a zombie for a PID 1
    that reaps late (some container inits do so every two seconds)."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (IOError, OSError, IndexError):
        return False


def _stop(pidfile):
    try:
        with open(pidfile) as handle:
            pid = int(handle.read().strip())
    except (IOError, OSError, ValueError):
        sys.stdout.write('no reader running (no pid in %s)\n' % pidfile)
        return 0
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            ours = b'nflog_reader' in handle.read()
    except (IOError, OSError):
        ours = False
    if ours:
        os.kill(pid, signal.SIGTERM)
        for dummy in range(50):
            if not alive(pid):
                break
            time.sleep(0.1)
        sys.stdout.write('stopped reader %d\n' % pid)
    else:
        sys.stdout.write('no reader running (pid %d is gone)\n' % pid)
    try:
        os.unlink(pidfile)
    except OSError:
        pass
    return 0


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    if args.stop:
        if not args.pidfile:
            sys.stderr.write('--stop needs --pidfile\n')
            return 2
        return _stop(args.pidfile)
    ready_w = None
    if args.daemon:
        ready_r, ready_w = os.pipe()
        if os.fork():
            os.close(ready_w)
            status = os.read(ready_r, 4096).decode('utf-8', 'replace')
            if status.startswith('ok'):
                sys.stdout.write('listening on NFLOG group %d%s, pid %s\n' % (
                    args.group, ' in namespace %s' % args.netns if args.netns else '', status[3:]))
                return 0
            sys.stderr.write(status or 'the reader exited before listening\n')
            return 1
        os.close(ready_r)
        os.setsid()
        if os.fork():
            os._exit(0)  # pylint: disable=protected-access
    try:
        if args.netns:
            _setns(args.netns)   # this process is the namespace's reader: stay inside
        reader = NflogReader(args.group)
    except (OSError, NflogError) as exc:
        if ready_w is not None:
            os.write(ready_w, ('error: %s\n' % exc).encode('utf-8'))
            os._exit(1)  # pylint: disable=protected-access
        sys.stderr.write('error: %s\n' % exc)
        return 1
    out = open(args.output, 'a') if args.output else sys.stdout
    if args.pidfile:
        with open(args.pidfile, 'w') as handle:
            handle.write('%d\n' % os.getpid())
    stopping = []
    signal.signal(signal.SIGTERM, lambda *a: stopping.append(1))
    if ready_w is not None:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            if fd != getattr(out, 'fileno', lambda: -1)():
                os.dup2(devnull, fd)
        os.write(ready_w, ('ok %d' % os.getpid()).encode('utf-8'))
        os.close(ready_w)
    deadline = time.time() + args.timeout if args.timeout else None
    seen = 0
    try:
        while not stopping:
            wait = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.time()))
            for rec in reader.read(wait):
                rec['time'] = round(time.time(), 3)
                out.write((json.dumps(rec, sort_keys=True) if args.format == 'json' else format_record(rec)) + '\n')
                out.flush()
                seen += 1
            if (args.count and seen >= args.count) or (deadline is not None and time.time() >= deadline):
                break
    finally:
        reader.close()
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
    return 0


if __name__ == '__main__':
    sys.exit(main())  # pylint: disable=ansible-bad-function  # run as a script, not as a module
