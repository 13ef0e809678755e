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

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import netns_path, open_netns_fd, setns

NLMSG_ERROR = 2
NLMSG_DONE = 3
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK = 1, 2, 4
NLM_F_DUMP = 0x300
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
IFLA_ADDRESS = 1
IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_MASTER, IFLA_LINKINFO, IFLA_NET_NS_FD = 3, 4, 5, 10, 18, 28
IFLA_EXT_MASK, IFLA_LINK_NETNSID = 29, 37
LINK_ATTRS = frozenset((IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_MASTER, IFLA_LINKINFO, IFLA_LINK_NETNSID))
# Dumps leave out the counters: most of a link message, none of our business.
RTEXT_FILTER_SKIP_STATS = 1 << 3
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
IFLA_MACVLAN_MODE = 1
IFLA_VXLAN_ID, IFLA_VXLAN_GROUP, IFLA_VXLAN_LINK, IFLA_VXLAN_LOCAL = 1, 2, 3, 4
IFLA_VXLAN_PORT, IFLA_VXLAN_GROUP6, IFLA_VXLAN_LOCAL6 = 15, 16, 17
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
    return {'index': index, 'address': '%s/%d' % (address_text(family, bytes(raw)), prefixlen)}


def _align(n):
    return (n + 3) & ~3


def attr(kind, payload):
    length = ATTR.size + len(payload)
    return ATTR.pack(length, kind) + payload + b'\0' * (_align(length) - length)


def attr_str(kind, text):
    return attr(kind, text.encode('utf-8') + b'\0')


def attr_u32(kind, value):
    return attr(kind, struct.pack('=I', value))


def parse_attrs(data, offset, end, wanted=None):
    """{type: payload} of the attributes between OFFSET and END (only the
    types in WANTED when given: a link message has dozens we never read)."""
    out = {}
    unpack = ATTR.unpack_from
    while offset + 4 <= end:
        length, kind = unpack(data, offset)
        if length < 4:
            break
        kind &= 0x3FFF
        if wanted is None or kind in wanted:
            out[kind] = data[offset + 4:offset + length]
        offset += (length + 3) & ~3
    return out


def _text(raw):
    return raw.split(b'\0', 1)[0].decode('utf-8', 'replace')


def _u32(raw):
    return struct.unpack('=I', raw[:4])[0]


def mac_bytes(text):
    """'02:00:5e:01:00:01' -> its 6 bytes."""
    return bytes(int(part, 16) for part in text.split(':'))


def mac_text(raw):
    return ':'.join('%02x' % b for b in bytearray(raw))


def link_message(index=0, ifname=None, up=None, mtu=None, master=None, kind=None, data=b'', netns_fd=None,
                 link=None, mac=None):
    """ifinfomsg + attributes (for a request or a veth peer)."""
    flags = change = 0
    if up is not None:
        flags, change = (IFF_UP if up else 0), IFF_UP
    body = IFINFO.pack(0, 0, index, flags, change)
    if ifname is not None:
        body += attr_str(IFLA_IFNAME, ifname)
    if mac is not None:
        body += attr(IFLA_ADDRESS, mac_bytes(mac))
    if mtu is not None:
        body += attr_u32(IFLA_MTU, mtu)
    if master is not None:
        body += attr_u32(IFLA_MASTER, master)
    if link is not None:
        body += attr_u32(IFLA_LINK, link)
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


def address_text(family, packed):
    """An address as ipaddress writes it (compressed), by inet_ntop: a dump of
    hundreds of addresses costs milliseconds instead of ipaddress's tenths of
    a second. The two differ only for IPv4-mapped and -compatible IPv6
    addresses (the first 80 bits zero), left to ipaddress."""
    if family == socket.AF_INET6 and packed[:10] == bytes(10):
        return ipaddress.ip_address(packed).compressed
    return socket.inet_ntop(family, packed)


def _netlink_socket():
    """A rtnetlink socket in the calling thread's namespace."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((0, 0))
    return sock


def sockets_in(names):
    """{name: RtnlSocket, or None when no namespace NAME is mounted} for many
    namespaces: one open and one setns each, and one setns back at the end.
    None stands for the namespace the module runs in."""
    home = os.open('/proc/self/ns/net', os.O_RDONLY)
    nsfs = os.fstat(home).st_dev
    out = {}
    try:
        for name in names:
            if name is None:
                setns(home)
                out[name] = RtnlSocket(sock=_netlink_socket())
                continue
            try:
                fd = os.open(netns_path(name), os.O_RDONLY)
            except OSError:
                out[name] = None
                continue
            try:
                # A leftover plain file (a crashed `ip netns add`) is not on nsfs.
                if os.fstat(fd).st_dev != nsfs:
                    out[name] = None
                    continue
                setns(fd)
                out[name] = RtnlSocket(sock=_netlink_socket())
            finally:
                os.close(fd)
    finally:
        try:
            setns(home)
        finally:
            os.close(home)
    return out


def _macvlan_data(attrs):
    return {'mode': _u32(attrs[IFLA_MACVLAN_MODE]) if IFLA_MACVLAN_MODE in attrs else None}


def _vxlan_data(attrs):
    def address(four, six):
        raw = attrs.get(four) or attrs.get(six)
        if not raw or not any(bytearray(raw)):
            return None
        return address_text(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, bytes(raw))
    return {'vni': _u32(attrs[IFLA_VXLAN_ID]) if IFLA_VXLAN_ID in attrs else None,
            'dstport': struct.unpack('!H', attrs[IFLA_VXLAN_PORT][:2])[0] if IFLA_VXLAN_PORT in attrs else None,
            'peer': address(IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6),
            'local': address(IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6),
            'link': _u32(attrs[IFLA_VXLAN_LINK]) if IFLA_VXLAN_LINK in attrs else None}


# The kind-specific data read for these kinds (the topology reconciles them).
KIND_DATA = {'macvlan': _macvlan_data, 'vxlan': _vxlan_data}


def vxlan_data(vni, dstport, peer=None, local=None, link=None):
    """IFLA_INFO_DATA of a new vxlan: PEER is the remote or the group."""
    data = attr_u32(IFLA_VXLAN_ID, vni) + attr(IFLA_VXLAN_PORT, struct.pack('!H', dstport))
    for text, four, six in ((peer, IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6), (local, IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6)):
        if text is not None:
            packed = ipaddress.ip_address(text).packed
            data += attr(four if len(packed) == 4 else six, packed)
    if link:
        data += attr_u32(IFLA_VXLAN_LINK, link)
    return data


class RtnlSocket(object):
    """Opened in namespace NETNS, or around SOCK (made in the namespace already)."""

    def __init__(self, netns=None, sock=None):
        if sock is None:
            fd = open_netns_fd(netns)
            home = os.open('/proc/self/ns/net', os.O_RDONLY)
            try:
                setns(fd)
                try:
                    sock = _netlink_socket()
                finally:
                    setns(home)
            finally:
                os.close(fd)
                os.close(home)
        self.sock = sock
        self.seq = 0
        self.queue = []     # (seq, message bytes, label)

    @classmethod
    def here(cls):
        """A socket in the namespace the calling thread is in now."""
        return cls(sock=_netlink_socket())

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
        """[{'index', 'name', 'kind', 'mac', 'mtu', 'up', 'master_index', 'link_index'}]."""
        out = []
        request = IFINFO.pack(0, 0, 0, 0, 0) + attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS)
        for data, start, end in self._dump(RTM_GETLINK, request):
            dummy, dummy, index, flags, dummy = IFINFO.unpack_from(data, start)
            attrs = parse_attrs(data, start + IFINFO.size, end, LINK_ATTRS)
            kind, data = None, None
            if IFLA_LINKINFO in attrs:
                info = parse_attrs(attrs[IFLA_LINKINFO], 0, len(attrs[IFLA_LINKINFO]))
                kind = _text(info[IFLA_INFO_KIND]) if IFLA_INFO_KIND in info else None
                if kind in KIND_DATA and IFLA_INFO_DATA in info:
                    data = KIND_DATA[kind](parse_attrs(info[IFLA_INFO_DATA], 0, len(info[IFLA_INFO_DATA])))
            out.append({
                'index': index, 'name': _text(attrs.get(IFLA_IFNAME, b'')), 'kind': kind,
                'mac': mac_text(attrs[IFLA_ADDRESS]) if IFLA_ADDRESS in attrs else None,
                'mtu': _u32(attrs[IFLA_MTU]) if IFLA_MTU in attrs else None, 'up': bool(flags & IFF_UP),
                'master_index': _u32(attrs[IFLA_MASTER]) if IFLA_MASTER in attrs else None,
                'link_index': _u32(attrs[IFLA_LINK]) if IFLA_LINK in attrs else None,
                'link_netnsid': struct.unpack('=i', attrs[IFLA_LINK_NETNSID][:4])[0]
                if IFLA_LINK_NETNSID in attrs else None,
                'data': data,
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

    def add_veth(self, label, ifname, peer, peer_netns_fd, mtu=None, peer_mtu=None, master=None, index=0,
                 peer_index=0, mac=None, peer_mac=None):
        """A veth pair; INDEX and PEER_INDEX (both or neither: the kernel takes
        the peer's only with the link's) are free ifindexes the caller chose
        in each namespace, so it needs no dump to find the new links.
        The peer cannot be brought up in this request (the kernel opens it
        before its other end exists: ENOTCONN); set_link it afterwards."""
        peer_body = link_message(index=peer_index, ifname=peer, mtu=peer_mtu, netns_fd=peer_netns_fd, mac=peer_mac)
        data = attr(VETH_INFO_PEER, peer_body)
        self.request(RTM_NEWLINK, link_message(index=index, ifname=ifname, up=True, mtu=mtu, master=master,
                                               kind='veth', data=data, mac=mac), label, NLM_F_CREATE | NLM_F_EXCL)

    def add_bridge(self, label, ifname, mtu=None, stp=False, index=0):
        data = attr_u32(IFLA_BR_STP_STATE, 1 if stp else 0)
        self.request(RTM_NEWLINK, link_message(index=index, ifname=ifname, up=True, mtu=mtu, kind='bridge',
                                               data=data), label, NLM_F_CREATE | NLM_F_EXCL)

    def add_macvlan(self, label, ifname, parent_index, mode, mtu=None, netns_fd=None, mac=None):
        """A macvlan on PARENT_INDEX (here), MODE the kernel's number; moved
        into the namespace open on NETNS_FD in the same request."""
        self.request(RTM_NEWLINK, link_message(ifname=ifname, up=True, mtu=mtu, kind='macvlan', link=parent_index,
                                               data=attr_u32(IFLA_MACVLAN_MODE, mode), netns_fd=netns_fd, mac=mac),
                     label, NLM_F_CREATE | NLM_F_EXCL)

    def add_vxlan(self, label, ifname, data, mtu=None, netns_fd=None, mac=None):
        """A vxlan (DATA from vxlan_data) whose underlay is this namespace."""
        self.request(RTM_NEWLINK, link_message(ifname=ifname, up=True, mtu=mtu, kind='vxlan', data=data,
                                               netns_fd=netns_fd, mac=mac), label, NLM_F_CREATE | NLM_F_EXCL)

    def set_link(self, label, index, up=None, mtu=None, master=None, mac=None):
        self.request(RTM_NEWLINK, link_message(index=index, up=up, mtu=mtu, master=master, mac=mac), label)

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
