# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Building and reading ICMP and ICMPv6 packets (pure functions, no sockets).

The probe module talks to raw sockets itself; everything that turns bytes into
meaning lives here so it can be unit tested with hand-made packets.

* An IPv4 raw ICMP socket hands us the whole IPv4 packet (header included) and
  expects an ICMP message with a correct checksum from us.
* An IPv6 raw ICMPv6 socket hands us the ICMPv6 message only (the sender comes
  from recvfrom) and computes the checksum itself (RFC 3542).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import struct
from collections import namedtuple

# ICMP (IPv4) types
ICMP_ECHO_REPLY = 0
ICMP_DEST_UNREACH = 3
ICMP_ECHO_REQUEST = 8
ICMP_TIME_EXCEEDED = 11
ICMP_PARAMETER_PROBLEM = 12

# ICMPv6 types
ICMP6_DEST_UNREACH = 1
ICMP6_PACKET_TOO_BIG = 2
ICMP6_TIME_EXCEEDED = 3
ICMP6_PARAMETER_PROBLEM = 4
ICMP6_ECHO_REQUEST = 128
ICMP6_ECHO_REPLY = 129

IPPROTO_ICMP = 1
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_ICMPV6 = 58

# Socket options that Python's socket module does not always name.
SOL_RAW = 255
ICMP_FILTER = 1        # level SOL_RAW, IPv4 raw ICMP sockets
ICMP6_FILTER = 1       # level IPPROTO_ICMPV6

_ICMP4_UNREACH_TEXT = {
    0: 'network unreachable',
    1: 'host unreachable',
    2: 'protocol unreachable',
    3: 'port unreachable',
    4: 'fragmentation needed',
    5: 'source route failed',
    6: 'destination network unknown',
    7: 'destination host unknown',
    9: 'network administratively prohibited',
    10: 'host administratively prohibited',
    11: 'network unreachable for type of service',
    12: 'host unreachable for type of service',
    13: 'communication administratively prohibited',
    14: 'host precedence violation',
    15: 'precedence cutoff in effect',
}

_ICMP6_UNREACH_TEXT = {
    0: 'no route to destination',
    1: 'communication administratively prohibited',
    2: 'beyond scope of source address',
    3: 'address unreachable',
    4: 'port unreachable',
    5: 'source address failed ingress/egress policy',
    6: 'reject route to destination',
}

# What a received packet means for our probes.
KIND_ECHO_REPLY = 'echo_reply'
KIND_TIME_EXCEEDED = 'time_exceeded'
KIND_UNREACHABLE = 'unreachable'
KIND_OTHER_ERROR = 'error'   # parameter problem, packet too big, ...

IcmpMessage = namedtuple('IcmpMessage', [
    'kind',      # one of the KIND_* values, or None for packets we never care about
    'type',      # ICMP type
    'code',      # ICMP code
    'ident',     # echo identifier (of the reply, or of the quoted echo request)
    'seq',       # echo sequence number (likewise)
    'payload',   # echo reply data (None for errors)
    'quoted_dst',  # destination address of the quoted original packet (errors only), text
    'text',      # human readable description of an error, None for replies
])


def checksum(data):
    """The Internet checksum (RFC 1071) of DATA, as an int."""
    if len(data) % 2:
        data = data + b'\0'
    total = 0
    for (word,) in struct.iter_unpack('!H', data):
        total += word
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def build_echo_request(ident, seq, payload=b'', ipv6=False):
    """An ICMP (or ICMPv6) echo request.

    For IPv4 the checksum is filled in; for IPv6 it is left 0 because the kernel
    computes it over the pseudo header for raw ICMPv6 sockets.
    """
    ident &= 0xffff
    seq &= 0xffff
    if ipv6:
        return struct.pack('!BBHHH', ICMP6_ECHO_REQUEST, 0, 0, ident, seq) + payload
    header = struct.pack('!BBHHH', ICMP_ECHO_REQUEST, 0, 0, ident, seq)
    csum = checksum(header + payload)
    return struct.pack('!BBHHH', ICMP_ECHO_REQUEST, 0, csum, ident, seq) + payload


def strip_ipv4_header(packet):
    """(source address text, protocol, payload) of an IPv4 packet, or None if it is not one."""
    if len(packet) < 20 or packet[0] >> 4 != 4:
        return None
    ihl = (packet[0] & 0x0f) * 4
    if ihl < 20 or len(packet) < ihl:
        return None
    src = socket.inet_ntop(socket.AF_INET, packet[12:16])
    return src, packet[9], packet[ihl:]


def _quoted_ipv4_echo(quote):
    """(ident, seq, dst) of an echo request quoted in an ICMP error, or None."""
    if len(quote) < 20 or quote[0] >> 4 != 4:
        return None
    ihl = (quote[0] & 0x0f) * 4
    if ihl < 20 or quote[9] != IPPROTO_ICMP or len(quote) < ihl + 8:
        return None
    dst = socket.inet_ntop(socket.AF_INET, quote[16:20])
    icmp_type, _code, _csum, ident, seq = struct.unpack('!BBHHH', quote[ihl:ihl + 8])
    if icmp_type != ICMP_ECHO_REQUEST:
        return None
    return ident, seq, dst


def _quoted_ipv6_echo(quote):
    """(ident, seq, dst) of an ICMPv6 echo request quoted in an ICMPv6 error, or None.

    Only a plain IPv6 header directly followed by ICMPv6 is recognised, which is
    what our own probes look like.
    """
    if len(quote) < 48 or quote[0] >> 4 != 6:
        return None
    if quote[6] != IPPROTO_ICMPV6:
        return None
    dst = socket.inet_ntop(socket.AF_INET6, quote[24:40])
    icmp_type, _code, _csum, ident, seq = struct.unpack('!BBHHH', quote[40:48])
    if icmp_type != ICMP6_ECHO_REQUEST:
        return None
    return ident, seq, dst


def _error_text(ipv6, icmp_type, code):
    if ipv6:
        if icmp_type == ICMP6_DEST_UNREACH:
            return _ICMP6_UNREACH_TEXT.get(code, 'destination unreachable (code %d)' % code)
        if icmp_type == ICMP6_TIME_EXCEEDED:
            return 'hop limit exceeded in transit' if code == 0 else 'fragment reassembly time exceeded'
        if icmp_type == ICMP6_PACKET_TOO_BIG:
            return 'packet too big'
        if icmp_type == ICMP6_PARAMETER_PROBLEM:
            return 'parameter problem (code %d)' % code
        return 'ICMPv6 type %d code %d' % (icmp_type, code)
    if icmp_type == ICMP_DEST_UNREACH:
        return _ICMP4_UNREACH_TEXT.get(code, 'destination unreachable (code %d)' % code)
    if icmp_type == ICMP_TIME_EXCEEDED:
        return 'time to live exceeded in transit' if code == 0 else 'fragment reassembly time exceeded'
    if icmp_type == ICMP_PARAMETER_PROBLEM:
        return 'parameter problem (code %d)' % code
    return 'ICMP type %d code %d' % (icmp_type, code)


def parse_icmp(message, ipv6=False):
    """Read an ICMP(v6) message (without IP header) into an IcmpMessage.

    Echo replies give ident/seq/payload; time exceeded, destination
    unreachable and the other errors give the ident/seq/destination of the
    echo request they quote (None when they quote something else, so the
    caller can tell they are not about our probes). Returns None for
    messages too short to be ICMP or of a type no probe waits for.
    """
    if len(message) < 8:
        return None
    icmp_type, code = message[0], message[1]
    reply_type = ICMP6_ECHO_REPLY if ipv6 else ICMP_ECHO_REPLY
    if icmp_type == reply_type:
        ident, seq = struct.unpack('!HH', message[4:8])
        return IcmpMessage(KIND_ECHO_REPLY, icmp_type, code, ident, seq, message[8:], None, None)
    if ipv6:
        kinds = {ICMP6_TIME_EXCEEDED: KIND_TIME_EXCEEDED, ICMP6_DEST_UNREACH: KIND_UNREACHABLE,
                 ICMP6_PACKET_TOO_BIG: KIND_OTHER_ERROR, ICMP6_PARAMETER_PROBLEM: KIND_OTHER_ERROR}
    else:
        kinds = {ICMP_TIME_EXCEEDED: KIND_TIME_EXCEEDED, ICMP_DEST_UNREACH: KIND_UNREACHABLE,
                 ICMP_PARAMETER_PROBLEM: KIND_OTHER_ERROR}
    kind = kinds.get(icmp_type)
    if kind is None:
        return None
    quoted = (_quoted_ipv6_echo if ipv6 else _quoted_ipv4_echo)(message[8:])
    ident, seq, dst = quoted if quoted else (None, None, None)
    return IcmpMessage(kind, icmp_type, code, ident, seq, None, dst, _error_text(ipv6, icmp_type, code))


def parse_received(packet, ipv6=False, sender=None):
    """(sender address, IcmpMessage) for a datagram read from a raw socket.

    IPv4 raw sockets deliver the IP header, which is stripped here (its source
    address is the sender). IPv6 raw sockets deliver the ICMPv6 message only;
    pass the address recvfrom() returned as SENDER. Returns (sender, None) for
    anything that is not an ICMP message a probe could be waiting for.
    """
    if ipv6:
        return sender, parse_icmp(packet, ipv6=True)
    stripped = strip_ipv4_header(packet)
    if stripped is None:
        return sender, None
    src, proto, payload = stripped
    if proto != IPPROTO_ICMP:
        return src, None
    return src, parse_icmp(payload, ipv6=False)


def icmp4_filter_mask(accept_types):
    """Value for the SOL_RAW/ICMP_FILTER option: a set bit drops that type."""
    mask = 0xffffffff
    for icmp_type in accept_types:
        mask &= ~(1 << icmp_type)
    return struct.pack('=I', mask & 0xffffffff)


def icmp6_filter_mask(accept_types):
    """Value for the ICMP6_FILTER option (struct icmp6_filter): a set bit blocks that type."""
    words = [0xffffffff] * 8
    for icmp_type in accept_types:
        words[icmp_type >> 5] &= ~(1 << (icmp_type & 31)) & 0xffffffff
    return struct.pack('=8I', *words)
