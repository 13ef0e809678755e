# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connectivity probes run inside a network namespace, with Python sockets only.

No ping or traceroute binary is involved: the namespace is entered with
setns(2) (``_netns.entered``), the sockets are opened there, and the packets
are built and read by ``_icmp``.

Each probe type is one entry of ``PROBE_TYPES`` (name -> ProbeType). A probe
function takes the resolved ``Target`` and the ``ProbeOptions`` and returns an
``Outcome``: whether it succeeded, its type-specific return values, one phrase
for the module's ``msg`` and one short phrase for an ``expect`` failure. New
probe types (dns, http) are new functions plus a new entry in the dict.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import random
import re
import select
import socket
import time
from collections import namedtuple

from ansible_collections.linuxnet.plumbing.plugins.module_utils import _icmp
from ansible_collections.linuxnet.plumbing.plugins.module_utils._netns import (
    NamespaceError,
    entered,
    netns_exists,
    netns_path,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._validation import (
    ValidationError,
    check_port,
    parse_address,
)


class ProbeError(Exception):
    """The probe itself could not run (not: the probe ran and failed)."""


# What the module validated; each probe type reads the fields it needs.
ProbeOptions = namedtuple('ProbeOptions', ['port', 'count', 'timeout', 'interval', 'max_hops'])

# A resolved target: text as given, address family, address text (no scope),
# and the sockaddr to send to (port 0 for ICMP, the probe port for tcp/udp).
Target = namedtuple('Target', ['name', 'family', 'address', 'sockaddr'])

# What a probe found. `values` are the type-specific return values.
Outcome = namedtuple('Outcome', ['success', 'values', 'detail', 'summary'])

# needs_port: tcp/udp; run: function(target, options) -> Outcome
ProbeType = namedtuple('ProbeType', ['run', 'needs_port'])

UDP_PAYLOAD = b'linuxnet.plumbing probe\n'
ECHO_DATA_LEN = 56          # bytes of echo request data, as ping(8) sends
TRACEROUTE_WINDOW = 8       # hops probed at the same time

_HOST_LABEL = re.compile(r'^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$')
_NUMERIC_V4 = re.compile(r'^[0-9.]+(%.*)?$')


# ---------------------------------------------------------------- validation

def check_target(value):
    """A numeric address (IPv4, IPv6, optionally [bracketed] or with %zone) or a host name."""
    text = value.strip() if isinstance(value, str) else str(value)
    if not text:
        raise ValidationError('target', value, 'is empty; give an IP address or a host name')
    if ':' in text or _NUMERIC_V4.match(text):
        if text.startswith('[') and text.endswith(']'):
            text = text[1:-1]
        addr, sep, zone = text.partition('%')
        parsed = parse_address('target', addr)
        if sep:
            if parsed.version != 6 or not zone:
                raise ValidationError('target', value, 'has a %zone, which only IPv6 addresses can have')
            return '%s%%%s' % (parsed, zone)
        return str(parsed)
    name = text[:-1] if text.endswith('.') else text
    if len(name) > 253 or not all(_HOST_LABEL.match(label) for label in name.split('.')):
        raise ValidationError('target', value, 'is neither an IP address nor a valid host name')
    return text


def is_numeric_target(text):
    return ':' in text or bool(_NUMERIC_V4.match(text))


def where(netns):
    return netns if netns else 'the current namespace'


def _in_netns(netns):
    return 'netns %s' % netns if netns else 'the current namespace'


# ---------------------------------------------------------------- resolution

def resolve_target(text, netns, port=None):
    """Resolve TEXT (already checked by check_target) in the current namespace.

    Must be called inside ``entered(netns)`` so that zone names and routes are
    those of the namespace. Host names go through getaddrinfo (/etc/hosts and
    the resolver of the module process); the first address returned is used.
    """
    flags = socket.AI_NUMERICHOST if is_numeric_target(text) else 0
    try:
        infos = socket.getaddrinfo(text, None, socket.AF_UNSPEC, socket.SOCK_DGRAM, 0, flags)
    except socket.gaierror as exc:
        raise ValidationError('target', text, 'cannot be resolved in %s: %s' % (_in_netns(netns), exc.strerror))
    infos = [i for i in infos if i[0] in (socket.AF_INET, socket.AF_INET6)]
    if not infos:
        raise ValidationError('target', text, 'resolves to no IPv4 or IPv6 address in %s' % _in_netns(netns))
    family, _type, _proto, _canon, sockaddr = infos[0]
    address = sockaddr[0].partition('%')[0]
    address = socket.inet_ntop(family, socket.inet_pton(family, address))
    sockaddr = (sockaddr[0], port or 0) + tuple(sockaddr[2:])
    return Target(text, family, address, sockaddr)


# ---------------------------------------------------------------- helpers

def _error_text(exc):
    if isinstance(exc, socket.timeout):
        return 'timed out'
    code = getattr(exc, 'errno', None)
    if code == errno.ECONNREFUSED:
        return 'connection refused'
    if code:
        return os.strerror(code)[:1].lower() + os.strerror(code)[1:]
    return str(exc)


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000.0, 3)


def rtt_summary(seconds):
    """{min, avg, max} in milliseconds of a list of round trip times (None values when empty)."""
    if not seconds:
        return {'min': None, 'avg': None, 'max': None}
    return {'min': _ms(min(seconds)), 'avg': _ms(sum(seconds) / len(seconds)), 'max': _ms(max(seconds))}


def _fmt_ms(seconds):
    return '%.3f ms' % (seconds * 1000.0)


def _fmt_s(seconds):
    return ('%g' % seconds) + ' s'


class EchoSession(object):
    """A raw ICMP/ICMPv6 socket sending echo requests and matching what comes back.

    Raw ICMP sockets see every ICMP packet of the namespace, so answers are
    matched to our probes by identifier and sequence number (for errors: those
    of the echo request quoted inside, plus its destination) and by a random
    token in the echo data; anything else is ignored.
    """

    def __init__(self, target):
        self.ipv6 = target.family == socket.AF_INET6
        self.target = target
        self.sockaddr = target.sockaddr[:1] + (0,) + tuple(target.sockaddr[2:])
        self.ident = random.randint(1, 0xffff)
        self.token = os.urandom(8)
        self.payload = self.token + b'\0' * (ECHO_DATA_LEN - len(self.token))
        try:
            if self.ipv6:
                self.sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
            else:
                self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        except OSError as exc:
            raise ProbeError('cannot open a raw ICMP socket (root or CAP_NET_RAW is needed): %s' % _error_text(exc))
        try:
            if self.ipv6:
                self.sock.setsockopt(_icmp.IPPROTO_ICMPV6, _icmp.ICMP6_FILTER, _icmp.icmp6_filter_mask(
                    [_icmp.ICMP6_ECHO_REPLY, _icmp.ICMP6_DEST_UNREACH, _icmp.ICMP6_TIME_EXCEEDED,
                     _icmp.ICMP6_PACKET_TOO_BIG, _icmp.ICMP6_PARAMETER_PROBLEM]))
            else:
                self.sock.setsockopt(_icmp.SOL_RAW, _icmp.ICMP_FILTER, _icmp.icmp4_filter_mask(
                    [_icmp.ICMP_ECHO_REPLY, _icmp.ICMP_DEST_UNREACH, _icmp.ICMP_TIME_EXCEEDED,
                     _icmp.ICMP_PARAMETER_PROBLEM]))
        except OSError:
            pass  # only an optimisation: unrelated packets are ignored anyway

    def close(self):
        self.sock.close()

    def send(self, seq, ttl=None):
        """Send echo request SEQ (with hop limit TTL); the send time. Raises OSError."""
        if ttl is not None:
            if self.ipv6:
                self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
            else:
                self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
        packet = _icmp.build_echo_request(self.ident, seq, self.payload, ipv6=self.ipv6)
        sent_at = time.monotonic()
        self.sock.sendto(packet, self.sockaddr)
        return sent_at

    def matches(self, msg):
        if msg is None or msg.ident != self.ident:
            return False
        if msg.kind == _icmp.KIND_ECHO_REPLY:
            return msg.payload[:len(self.token)] == self.token
        return msg.quoted_dst == self.target.address

    def receive(self, deadline):
        """(arrival time, sender, IcmpMessage) of the next answer to one of our probes, or None at DEADLINE."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            readable, _w, _x = select.select([self.sock], [], [], left)
            if not readable:
                return None
            try:
                data, addr = self.sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                continue
            arrived = time.monotonic()
            sender, msg = _icmp.parse_received(data, ipv6=self.ipv6, sender=addr[0])
            if self.matches(msg):
                return arrived, sender, msg


# ---------------------------------------------------------------- ping

def probe_ping(target, options):
    """COUNT echo requests INTERVAL apart; a reply counts when it arrives within TIMEOUT of its request.

    Succeeds when at least one reply arrived (like ping(8)'s exit status).
    """
    session = EchoSession(target)
    sent = {}       # seq -> send time (None when sending failed)
    rtts = {}       # seq -> round trip seconds
    errors = []
    try:
        next_send = time.monotonic()
        deadline = None
        seq = 0
        while True:
            now = time.monotonic()
            if seq < options.count and now >= next_send:
                seq += 1
                try:
                    sent[seq] = session.send(seq)
                except OSError as exc:
                    sent[seq] = None
                    text = 'sending failed: %s' % _error_text(exc)
                    if text not in errors:
                        errors.append(text)
                next_send += options.interval
                if seq == options.count:
                    deadline = time.monotonic() + options.timeout
                continue
            outstanding = [s for s, t in sent.items() if t is not None and s not in rtts]
            if seq == options.count and (not outstanding or now >= deadline):
                break
            answer = session.receive(next_send if seq < options.count else deadline)
            if answer is None:
                continue
            arrived, sender, msg = answer
            sent_at = sent.get(msg.seq)
            if sent_at is None:
                continue
            if msg.kind == _icmp.KIND_ECHO_REPLY:
                if msg.seq not in rtts and arrived - sent_at <= options.timeout:
                    rtts[msg.seq] = arrived - sent_at
            else:
                text = '%s from %s' % (msg.text, sender)
                if text not in errors:
                    errors.append(text)
    finally:
        session.close()

    transmitted = len(sent)
    received = len(rtts)
    loss = round(100.0 * (transmitted - received) / transmitted, 1) if transmitted else 100.0
    values = list(rtts.values())
    summary = '%d/%d replies' % (received, transmitted)
    if received:
        detail = '%s, rtt avg %s' % (summary, _fmt_ms(sum(values) / len(rtts)))
        if loss:
            detail += ', %g%% loss' % loss
    else:
        detail = '%s, %g%% loss' % (summary, loss)
    if errors:
        detail += ' (%s)' % '; '.join(errors)
    return Outcome(received > 0, {
        'transmitted': transmitted,
        'received': received,
        'loss_percent': loss,
        'rtt_ms': rtt_summary(values),
        'error': '; '.join(errors) if errors else None,
    }, detail, summary)


# ---------------------------------------------------------------- traceroute

def _trace_round(session, ttls, seq_start, timeout, answers):
    """Probe every hop limit in TTLS at once; fill ANSWERS[ttl] = (sender, msg). Returns the next seq.

    Raises OSError when the probes cannot even leave this host (no route).
    """
    seq_ttl = {}
    seq = seq_start
    for ttl in ttls:
        seq += 1
        session.send(seq, ttl=ttl)
        seq_ttl[seq] = ttl
    deadline = time.monotonic() + timeout
    while True:
        pending = [t for t in ttls if t not in answers]
        if not pending:
            break
        ends = [t for t, (_s, m) in answers.items() if m.kind != _icmp.KIND_TIME_EXCEEDED]
        if ends and all(t > min(ends) for t in pending):
            break   # everything below the end of the path has answered
        answer = session.receive(deadline)
        if answer is None:
            break
        _arrived, sender, msg = answer
        ttl = seq_ttl.get(msg.seq)
        if ttl is not None and ttl not in answers:
            answers[ttl] = (sender, msg)
    return seq


def probe_traceroute(target, options):
    """Echo requests with hop limits 1, 2, ... up to MAX_HOPS.

    Hop limits are probed TRACEROUTE_WINDOW at a time (each waits up to
    TIMEOUT), so a silent path costs max_hops/8 timeouts, not max_hops. The path
    ends at the lowest hop that sent an echo reply (the target: reached) or a
    destination unreachable (reached only when the target itself sent it).
    Hops below the end that stayed silent are asked once more.
    """
    session = EchoSession(target)
    answers = {}
    error = None
    end = None
    seq = random.randint(0, 0x7fff)
    try:
        first = 1
        while first <= options.max_hops and end is None:
            ttls = list(range(first, min(first + TRACEROUTE_WINDOW, options.max_hops + 1)))
            seq = _trace_round(session, ttls, seq, options.timeout, answers)
            ends = [t for t, (_s, m) in answers.items() if m.kind != _icmp.KIND_TIME_EXCEEDED]
            end = min(ends) if ends else None
            first += TRACEROUTE_WINDOW
        if end is not None:
            silent = [t for t in range(1, end) if t not in answers]
            if silent:
                seq = _trace_round(session, silent, seq, options.timeout, answers)
    except OSError as exc:
        error = 'sending failed: %s' % _error_text(exc)
    finally:
        session.close()

    if end is not None:
        last = end
    elif error is None:
        last = options.max_hops
    else:
        last = max(answers) if answers else 0
    hops = [answers[t][0] if t in answers else None for t in range(1, last + 1)]
    reached = False
    if end is not None:
        sender, msg = answers[end]
        reached = msg.kind == _icmp.KIND_ECHO_REPLY or sender.partition('%')[0] == target.address
        if msg.kind != _icmp.KIND_ECHO_REPLY:
            error = '%s from %s at hop %d' % (msg.text, sender, end)
    answered = [h for h in hops if h]
    shown = ''
    if answered:
        upto = max(i for i, h in enumerate(hops) if h) + 1
        shown = ' '.join(h if h else '*' for h in hops[:upto])
        if upto < len(hops):
            shown += ', then no answer from hop %d to %d' % (upto + 1, len(hops))
    if reached:
        summary = 'reached in %d hop%s' % (len(hops), '' if len(hops) == 1 else 's')
    elif end is not None:
        summary = 'not reached: %s' % error
    elif error:
        summary = 'not reached: %s' % error
    else:
        summary = 'not reached within %d hops' % options.max_hops
    detail = summary + (': %s' % shown if shown and reached else (' (%s)' % shown if shown else ''))
    return Outcome(reached, {'hops': hops, 'reached': reached, 'error': error}, detail, summary)


# ---------------------------------------------------------------- tcp

def probe_tcp(target, options):
    """connect() with TIMEOUT: success when the handshake completes."""
    sock = socket.socket(target.family, socket.SOCK_STREAM)
    sock.settimeout(options.timeout)
    started = time.monotonic()
    error = None
    rtt = None
    try:
        sock.connect(target.sockaddr)
        rtt = time.monotonic() - started
    except socket.timeout:
        error = 'timed out after %s' % _fmt_s(options.timeout)
    except OSError as exc:
        error = _error_text(exc)
    finally:
        sock.close()
    if error is None:
        detail = summary = 'connected in %s' % _fmt_ms(rtt)
    else:
        detail = summary = error
    values = {'connected': error is None, 'error': error,
              'rtt_ms': rtt_summary([rtt] if rtt is not None else [])}
    return Outcome(error is None, values, detail, summary)


# ---------------------------------------------------------------- udp

def probe_udp(target, options):
    """One datagram to the port, then wait up to TIMEOUT.

    A reply datagram is success. An ICMP port unreachable (the kernel reports
    it as ECONNREFUSED on the connected socket) is failure, error 'connection
    refused'. Silence is failure, error 'no reply': UDP cannot tell a closed
    port behind a dropping firewall from a service that ignores the probe data.
    """
    sock = socket.socket(target.family, socket.SOCK_DGRAM)
    error = None
    rtt = None
    size = None
    try:
        sock.setblocking(False)
        started = time.monotonic()
        try:
            sock.connect(target.sockaddr)
            sock.send(UDP_PAYLOAD)
            deadline = started + options.timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    error = 'no reply'
                    break
                readable, _w, _x = select.select([sock], [], [], left)
                if not readable:
                    error = 'no reply'
                    break
                try:
                    size = len(sock.recv(65535))
                except (BlockingIOError, InterruptedError):
                    continue
                rtt = time.monotonic() - started
                break
        except OSError as exc:
            error = _error_text(exc)
            if getattr(exc, 'errno', None) == errno.ECONNREFUSED:
                error = 'connection refused (ICMP port unreachable)'
    finally:
        sock.close()
    if error is None:
        detail = summary = 'reply of %d bytes in %s' % (size, _fmt_ms(rtt))
    elif error == 'no reply':
        summary = error
        detail = 'no reply within %s' % _fmt_s(options.timeout)
    else:
        detail = summary = error
    values = {'reply': error is None, 'error': error,
              'rtt_ms': rtt_summary([rtt] if rtt is not None else [])}
    return Outcome(error is None, values, detail, summary)


# ---------------------------------------------------------------- dispatch

PROBE_TYPES = {
    'ping': ProbeType(run=probe_ping, needs_port=False),
    'tcp': ProbeType(run=probe_tcp, needs_port=True),
    'udp': ProbeType(run=probe_udp, needs_port=True),
    'traceroute': ProbeType(run=probe_traceroute, needs_port=False),
}


def describe(probe_type, target, port):
    """'ping 10.0.0.2', 'tcp web (10.0.0.2) port 80'."""
    text = probe_type + ' ' + target.name
    if target.address != target.name.partition('%')[0]:
        text += ' (%s)' % target.address
    if PROBE_TYPES[probe_type].needs_port:
        text += ' port %d' % port
    return text


def validate(probe_type, target, options):
    """Check everything that can be checked without the namespace; the normalised target."""
    if probe_type not in PROBE_TYPES:
        raise ValidationError('type', probe_type, 'is not a probe type (%s)' % ', '.join(sorted(PROBE_TYPES)))
    target = check_target(target)
    if PROBE_TYPES[probe_type].needs_port:
        if options.port is None:
            raise ValidationError('port', None, 'is required for %s probes' % probe_type)
    if options.port is not None:
        check_port('port', options.port)
    if options.count < 1:
        raise ValidationError('count', options.count, 'must be at least 1')
    if not 0 < options.timeout <= 3600:
        raise ValidationError('timeout', options.timeout, 'must be more than 0 and at most 3600 seconds')
    if not 0 <= options.interval <= 3600:
        raise ValidationError('interval', options.interval, 'must be between 0 and 3600 seconds')
    if not 1 <= options.max_hops <= 255:
        raise ValidationError('max_hops', options.max_hops, 'is outside the range 1-255')
    return target


def run_probe(netns, probe_type, target, options):
    """Validate, enter NETNS, resolve, probe. The result dict (success, msg and type-specific keys)."""
    target_text = validate(probe_type, target, options)
    if netns is not None and not netns_exists(netns):
        raise NamespaceError("option 'netns': network namespace '%s' does not exist (no namespace mounted at %s)"
                             % (netns, netns_path(netns)))
    port = options.port if PROBE_TYPES[probe_type].needs_port else None
    with entered(netns):
        resolved = resolve_target(target_text, netns, port)
        outcome = PROBE_TYPES[probe_type].run(resolved, options)
    result = dict(outcome.values)
    result.update({
        'success': outcome.success,
        'type': probe_type,
        'target': target_text,
        'address': resolved.address,
        'msg': '%s from %s: %s' % (describe(probe_type, resolved, port), where(netns), outcome.detail),
        '_summary': outcome.summary,
        '_description': describe(probe_type, resolved, port),
    })
    if port is not None:
        result['port'] = port
    return result


def expectation_message(result, expect, netns):
    """None when the outcome matches EXPECT (or nothing is expected), else the failure message."""
    if expect is None or (expect == 'success') == result['success']:
        return None
    ns = 'in ' + _in_netns(netns)
    got = 'it succeeded' if result['success'] else 'it failed'
    return 'probe %s %s: expected %s but %s (%s)' % (result['_description'], ns, expect, got, result['_summary'])
