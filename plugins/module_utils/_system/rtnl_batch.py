# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Batched rtnetlink on a raw socket: links and addresses only.

A topology of hundreds of namespaces needs a few link and address requests
per namespace. Through pyroute2 0.9 each request and each dump goes through
an asyncio loop and a generic message decoder (milliseconds per call); here
many requests leave in one send(2), their acknowledgements are read back in
one pass, and dumps are parsed for the handful of attributes the topology
compares. Routes and rules stay with pyroute2 (_netlink.Netlink), which knows
their many attributes.

One ``RtnlSocket`` per namespace, opened while the thread is inside it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import ipaddress
import os
import socket
import struct

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import open_netns_fd, setns

NLMSG_ERROR = 2
NLMSG_DONE = 3
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK = 1, 2, 4
NLM_F_DUMP = 0x300
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_MASTER, IFLA_LINKINFO, IFLA_NET_NS_FD = 3, 4, 5, 10, 18, 28
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
VETH_INFO_PEER = 1
IFLA_BR_STP_STATE = 5
IFA_ADDRESS, IFA_LOCAL, IFA_BROADCAST = 1, 2, 4
IFA_F_NODAD = 0x02
IFA_F_PERMANENT = 0x80
IFF_UP = 0x1
HDR = struct.Struct('=IHHII')
IFINFO = struct.Struct('=BxHiII')
IFADDR = struct.Struct('=BBBBI')
ATTR = struct.Struct('=HH')
BATCH_BYTES = 60000     # below the default socket send buffer


class RtnlError(Exception):
    """A request the kernel refused: .code (errno), .what (the caller's label)."""

    def __init__(self, code, what):
        self.code = code
        self.what = what
        super(RtnlError, self).__init__('%s: %s (errno %d)' % (what, os.strerror(code), code))


def address_from_message(data, start, end):
    """{'index', 'address': 'IP/LEN'} of one RTM_NEWADDR body, or None.

    None also for an address with a lifetime (no IFA_F_PERMANENT): SLAAC, a
    DHCP lease, a temporary address. A daemon gives those and takes them back;
    a topology declares only what is configured, so it neither counts them
    as drift nor deletes them.
    """
    family, prefixlen, flags, dummy, index = IFADDR.unpack_from(data, start)
    if not flags & IFA_F_PERMANENT:
        return None
    attrs = parse_attrs(data, start + IFADDR.size, end)
    raw = attrs.get(IFA_LOCAL) if family == socket.AF_INET else None
    raw = raw or attrs.get(IFA_ADDRESS)
    if raw is None:
        return None
    addr = ipaddress.ip_address(bytes(raw))
    return {'index': index, 'address': '%s/%d' % (addr.compressed, prefixlen)}


def _align(n):
    return (n + 3) & ~3


def attr(kind, payload):
    length = ATTR.size + len(payload)
    return ATTR.pack(length, kind) + payload + b'\0' * (_align(length) - length)


def attr_str(kind, text):
    return attr(kind, text.encode('utf-8') + b'\0')


def attr_u32(kind, value):
    return attr(kind, struct.pack('=I', value))


def parse_attrs(data, offset, end):
    out = {}
    while offset + ATTR.size <= end:
        length, kind = ATTR.unpack_from(data, offset)
        if length < ATTR.size:
            break
        out[kind & 0x3FFF] = data[offset + ATTR.size:offset + length]
        offset += _align(length)
    return out


def _text(raw):
    return raw.split(b'\0', 1)[0].decode('utf-8', 'replace')


def _u32(raw):
    return struct.unpack('=I', raw[:4])[0]


def link_message(index=0, ifname=None, up=None, mtu=None, master=None, kind=None, data=b'', netns_fd=None):
    """ifinfomsg + attributes (for a request or a veth peer)."""
    flags = change = 0
    if up is not None:
        flags, change = (IFF_UP if up else 0), IFF_UP
    body = IFINFO.pack(0, 0, index, flags, change)
    if ifname is not None:
        body += attr_str(IFLA_IFNAME, ifname)
    if mtu is not None:
        body += attr_u32(IFLA_MTU, mtu)
    if master is not None:
        body += attr_u32(IFLA_MASTER, master)
    if netns_fd is not None:
        body += attr_u32(IFLA_NET_NS_FD, netns_fd)
    if kind is not None:
        info = attr_str(IFLA_INFO_KIND, kind)
        if data:
            info += attr(IFLA_INFO_DATA, data)
        body += attr(IFLA_LINKINFO, info)
    return body


def address_message(index, address):
    iface = ipaddress.ip_interface(address)
    family = socket.AF_INET if iface.version == 4 else socket.AF_INET6
    packed = iface.ip.packed
    body = IFADDR.pack(family, iface.network.prefixlen, IFA_F_NODAD if iface.version == 6 else 0, 0, index)
    body += attr(IFA_LOCAL, packed) + attr(IFA_ADDRESS, packed)
    if iface.version == 4 and iface.network.prefixlen < 31:
        body += attr(IFA_BROADCAST, iface.network.broadcast_address.packed)
    return body


class RtnlSocket(object):
    def __init__(self, netns=None):
        fd = open_netns_fd(netns)
        home = os.open('/proc/self/ns/net', os.O_RDONLY)
        try:
            setns(fd)
            try:
                self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
            finally:
                setns(home)
        finally:
            os.close(fd)
            os.close(home)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind((0, 0))
        self.seq = 0
        self.queue = []     # (seq, message bytes, label)

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _next(self):
        self.seq += 1
        return self.seq

    # -- dumps ---------------------------------------------------------------

    def _dump(self, kind, body):
        seq = self._next()
        self.sock.send(HDR.pack(HDR.size + len(body), kind, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body)
        while True:
            data = self.sock.recv(1 << 20)
            offset = 0
            while offset + HDR.size <= len(data):
                length, mtype, dummy, rseq, dummy = HDR.unpack_from(data, offset)
                if length < HDR.size:
                    return
                if rseq == seq:
                    if mtype == NLMSG_DONE:
                        return
                    if mtype == NLMSG_ERROR:
                        code = -struct.unpack_from('=i', data, offset + HDR.size)[0]
                        if code:
                            raise RtnlError(code, 'dump')
                        return
                    yield data, offset + HDR.size, offset + length
                offset += _align(length)

    def links(self):
        """[{'index', 'name', 'kind', 'mtu', 'up', 'master_index', 'link_index'}]."""
        out = []
        for data, start, end in self._dump(RTM_GETLINK, IFINFO.pack(0, 0, 0, 0, 0)):
            dummy, dummy, index, flags, dummy = IFINFO.unpack_from(data, start)
            attrs = parse_attrs(data, start + IFINFO.size, end)
            kind = None
            if IFLA_LINKINFO in attrs:
                info = attrs[IFLA_LINKINFO]
                kind_raw = parse_attrs(info, 0, len(info)).get(IFLA_INFO_KIND)
                kind = _text(kind_raw) if kind_raw is not None else None
            out.append({
                'index': index, 'name': _text(attrs.get(IFLA_IFNAME, b'')), 'kind': kind,
                'mtu': _u32(attrs[IFLA_MTU]) if IFLA_MTU in attrs else None, 'up': bool(flags & IFF_UP),
                'master_index': _u32(attrs[IFLA_MASTER]) if IFLA_MASTER in attrs else None,
                'link_index': _u32(attrs[IFLA_LINK]) if IFLA_LINK in attrs else None,
            })
        return out

    def addresses(self):
        """[{'index', 'address': 'IP/LEN'}] of every family, permanent ones only (see address_from_message)."""
        out = []
        for data, start, end in self._dump(RTM_GETADDR, IFADDR.pack(0, 0, 0, 0, 0)):
            item = address_from_message(data, start, end)
            if item is not None:
                out.append(item)
        return out

    # -- batched requests ----------------------------------------------------

    def request(self, kind, body, label, flags=0):
        seq = self._next()
        message = HDR.pack(HDR.size + len(body), kind, NLM_F_REQUEST | NLM_F_ACK | flags, seq, 0) + body
        self.queue.append((seq, message, label))

    def add_veth(self, label, ifname, peer, peer_netns_fd, mtu=None, peer_mtu=None, master=None):
        # The peer cannot be brought up in this request (the kernel opens it
        # before its other end exists: ENOTCONN); set_link it afterwards.
        peer_body = link_message(ifname=peer, mtu=peer_mtu, netns_fd=peer_netns_fd)
        data = attr(VETH_INFO_PEER, peer_body)
        self.request(RTM_NEWLINK, link_message(ifname=ifname, up=True, mtu=mtu, master=master, kind='veth',
                                               data=data), label, NLM_F_CREATE | NLM_F_EXCL)

    def add_bridge(self, label, ifname, mtu=None, stp=False):
        data = attr_u32(IFLA_BR_STP_STATE, 1 if stp else 0)
        self.request(RTM_NEWLINK, link_message(ifname=ifname, up=True, mtu=mtu, kind='bridge', data=data), label,
                     NLM_F_CREATE | NLM_F_EXCL)

    def set_link(self, label, index, up=None, mtu=None, master=None):
        self.request(RTM_NEWLINK, link_message(index=index, up=up, mtu=mtu, master=master), label)

    def delete_link(self, label, index):
        self.request(RTM_DELLINK, link_message(index=index), label)

    def add_address(self, label, index, address):
        self.request(RTM_NEWADDR, address_message(index, address), label, NLM_F_CREATE | NLM_F_EXCL)

    def delete_address(self, label, index, address):
        self.request(RTM_DELADDR, address_message(index, address), label)

    def flush(self, ignore=()):
        """Send the queue in as few writes as fit, read every acknowledgement;
        raise RtnlError for the first refusal (errnos in IGNORE excepted)."""
        queue, self.queue = self.queue, []
        labels = dict((seq, label) for seq, dummy, label in queue)
        first_error = None
        start = 0
        while start < len(queue):
            chunk, size = [], 0
            while start < len(queue) and (not chunk or size + len(queue[start][1]) <= BATCH_BYTES):
                chunk.append(queue[start])
                size += len(queue[start][1])
                start += 1
            self.sock.send(b''.join(m for dummy, m, dummy in chunk))
            pending = set(seq for seq, dummy, dummy in chunk)
            while pending:
                data = self.sock.recv(1 << 20)
                offset = 0
                while offset + HDR.size <= len(data):
                    length, mtype, dummy, rseq, dummy = HDR.unpack_from(data, offset)
                    if length < HDR.size:
                        break
                    if mtype == NLMSG_ERROR and rseq in pending:
                        pending.discard(rseq)
                        code = -struct.unpack_from('=i', data, offset + HDR.size)[0]
                        if code and code not in ignore and first_error is None:
                            first_error = RtnlError(code, labels[rseq])
                    offset += _align(length)
        if first_error is not None:
            raise first_error


IGNORE_GONE = (errno.ENODEV, errno.EADDRNOTAVAIL)
