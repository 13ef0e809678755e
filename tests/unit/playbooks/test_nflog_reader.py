# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The NFLOG reader's message building and parsing, on hand-made bytes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import socket
import struct

import pytest

_READER = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'playbooks', 'files', 'nflog_reader.py')


def _load_reader():
    # A standalone script run by path (not a module_utils import): load it the same way.
    spec = importlib.util.spec_from_file_location('linuxnet_plumbing_nflog_reader', _READER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


nflog = _load_reader()


def attr(atype, payload):
    return nflog._nlattr(atype, payload)  # pylint: disable=protected-access


def packet_message(group, prefix, payload, indev=0, outdev=0, hook=1):
    body = struct.pack('=BB', socket.AF_INET, 0) + struct.pack('!H', group)
    body += attr(nflog.NFULA_PACKET_HDR, struct.pack('!HBB', 0x0800, hook, 0))
    if prefix is not None:
        body += attr(nflog.NFULA_PREFIX, prefix.encode('utf-8') + b'\0')
    if indev:
        body += attr(nflog.NFULA_IFINDEX_INDEV, struct.pack('!I', indev))
    if outdev:
        body += attr(nflog.NFULA_IFINDEX_OUTDEV, struct.pack('!I', outdev))
    body += attr(nflog.NFULA_PAYLOAD, payload)
    mtype = (nflog.NFNL_SUBSYS_ULOG << 8) | nflog.NFULNL_MSG_PACKET
    msg = struct.pack('=LHHLL', 16 + len(body), mtype, 0, 0, 0) + body
    return msg + b'\0' * ((4 - len(msg) % 4) % 4)


def ipv4_tcp(src, dst, sport, dport):
    header = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, 0, 0, 64, 6, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
    return header + struct.pack('!HHLLBBHHH', sport, dport, 0, 0, 0x50, 2, 0, 0, 0)


def ipv6_icmp(src, dst):
    header = struct.pack('!LHBB16s16s', 0x60000000, 8, 58, 64,
                         socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst))
    return header + struct.pack('!BBHHH', 128, 0, 0, 1, 1)


def names(index):
    return {2: 'fwa', 3: 'fwb'}.get(index, str(index))


def test_config_message_layout():
    msg = nflog.config_message(7, [(nflog.NFULA_CFG_CMD, b'\x01')], seq=5)
    length, mtype, flags, seq, pid = struct.unpack_from('=LHHLL', msg, 0)
    assert length == len(msg) == 16 + 4 + 8
    assert mtype == (4 << 8) | 1
    assert flags == nflog.NLM_F_REQUEST | nflog.NLM_F_ACK
    assert seq == 5 and pid == 0
    assert msg[16:20] == b'\x00\x00\x00\x07'      # AF_UNSPEC, version 0, group 7 big-endian
    assert msg[20:28] == b'\x05\x00\x01\x00\x01\x00\x00\x00'  # nlattr len 5, type 1, cmd 1, padding


def test_parse_tcp_packet_and_format():
    data = packet_message(7, 'fw-drop: ', ipv4_tcp('10.0.0.1', '10.0.1.1', 40000, 81), indev=2, outdev=3, hook=2)
    recs = nflog.parse_messages(data, ifname=names)
    assert recs == [{'group': 7, 'prefix': 'fw-drop: ', 'hook': 'forward', 'indev': 'fwa', 'outdev': 'fwb',
                     'family': 'ipv4', 'src': '10.0.0.1', 'dst': '10.0.1.1', 'proto': 6, 'protocol': 'TCP',
                     'sport': 40000, 'dport': 81}]
    assert nflog.format_record(recs[0]) == \
        'fw-drop: IN=fwa OUT=fwb SRC=10.0.0.1 DST=10.0.1.1 PROTO=TCP SPT=40000 DPT=81'


def test_parse_several_messages_ipv6_and_no_prefix():
    data = packet_message(1, None, ipv6_icmp('2001:db8::1', '2001:db8::2'), indev=2) + \
        packet_message(1, 'x ', ipv4_tcp('192.0.2.1', '192.0.2.2', 1, 2))
    recs = nflog.parse_messages(data, ifname=names)
    assert len(recs) == 2
    assert recs[0]['prefix'] == ''
    assert recs[0]['family'] == 'ipv6' and recs[0]['protocol'] == 'ICMPv6'
    assert (recs[0]['icmp_type'], recs[0]['icmp_code']) == (128, 0)
    assert nflog.format_record(recs[0]) == 'IN=fwa OUT= SRC=2001:db8::1 DST=2001:db8::2 PROTO=ICMPv6 TYPE=128 CODE=0'
    assert recs[1]['dport'] == 2


def test_error_ack_raises_and_zero_ack_is_ignored():
    err = struct.pack('=LHHLL', 36, nflog.NLMSG_ERROR, 0, 1, 0) + struct.pack('=i', -1) + b'\0' * 16
    with pytest.raises(nflog.NflogError):
        nflog.parse_messages(err)
    ok = struct.pack('=LHHLL', 36, nflog.NLMSG_ERROR, 0, 1, 0) + struct.pack('=i', 0) + b'\0' * 16
    assert nflog.parse_messages(ok) == []


def test_describe_payload_truncated():
    assert nflog.describe_payload(b'') == {}
    assert nflog.describe_payload(b'\x45\x00') == {}


def test_group_range():
    with pytest.raises(nflog.NflogError):
        nflog.NflogReader(70000)
