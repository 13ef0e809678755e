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
probe types (dns) are new functions plus a new entry in the dict.
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

try:
    import http.client as http_client
except ImportError:     # pragma: no cover - Python 2 has no http.client; the collection needs Python 3
    http_client = None

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import dns as _dns
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import icmp as _icmp
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import (
    NamespaceError,
    entered,
    netns_exists,
    netns_path,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import sockets as _sockets
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_port,
    parse_address,
)


class ProbeError(Exception):
    """The probe itself could not run (not: the probe ran and failed)."""


# What the module validated; each probe type reads the fields it needs.
# path, max_body, expect_status and expect_body are http's (defaults for the other types);
# query, record_type, protocol, expect_answer and dns_servers (more servers to try) are dns's.
ProbeOptions = namedtuple('ProbeOptions', ['port', 'count', 'timeout', 'interval', 'max_hops',
                                           'path', 'max_body', 'expect_status', 'expect_body',
                                           'query', 'record_type', 'protocol', 'expect_answer', 'dns_servers'])
ProbeOptions.__new__.__defaults__ = (None, 4096, None, None, None, None, None, None, ())

# A resolved target: text as given, address family, address text (no scope),
# and the sockaddr to send to (port 0 for ICMP, the probe port for tcp/udp).
Target = namedtuple('Target', ['name', 'family', 'address', 'sockaddr'])

# What a probe found. `values` are the type-specific return values.
Outcome = namedtuple('Outcome', ['success', 'values', 'detail', 'summary'])

# needs_port: tcp/udp; default_port: http (port optional); run: function(target, options) -> Outcome
ProbeType = namedtuple('ProbeType', ['run', 'needs_port', 'default_port'])
ProbeType.__new__.__defaults__ = (None,)

UDP_PAYLOAD = b'linuxnet.plumbing probe\n'
ECHO_DATA_LEN = 56          # bytes of echo request data, as ping(8) sends
TRACEROUTE_WINDOW = 8       # hops probed at the same time
# Routers rate-limit their ICMP errors per destination (Linux: a burst of about
# 6, then one per icmp_ratelimit ms), so a window of probes can lose answers;
# silent hops below the end of the path are asked again, up to this many times.
TRACEROUTE_RETRIES = 3

HTTP_DEFAULT_PORT = 80
HTTP_MAX_BODY = 1024 * 1024     # upper bound of max_body
HTTP_MAX_HEADERS = 50           # headers returned (the first ones)
HTTP_MAX_HEADER_VALUE = 1024    # characters kept of a header's value
HTTP_USER_AGENT = 'linuxnet.plumbing-probe'

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
            raise ProbeError('cannot open a raw ICMP socket (root or CAP_NET_RAW is needed): %s' % _sockets.error_text(exc))
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
                    text = 'sending failed: %s' % _sockets.error_text(exc)
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


def _path_end(answers):
    """The lowest hop limit whose answer was not a time exceeded (the end of the path), or None."""
    ends = [t for t, (_s, m) in answers.items() if m.kind != _icmp.KIND_TIME_EXCEEDED]
    return min(ends) if ends else None


def probe_traceroute(target, options):
    """Echo requests with hop limits 1, 2, ... up to MAX_HOPS.

    Hop limits are probed TRACEROUTE_WINDOW at a time (each waits up to
    TIMEOUT), so a silent path costs max_hops/8 timeouts, not max_hops. The path
    ends at the lowest hop that sent an echo reply (the target: reached) or a
    destination unreachable (reached only when the target itself sent it).
    Hops below the end (or below the last hop that answered) that stayed silent,
    typically because a router's ICMP rate limit dropped their answers, are
    asked again up to TRACEROUTE_RETRIES times; a late answer can move the end
    of the path closer.
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
            end = _path_end(answers)
            first += TRACEROUTE_WINDOW
        for _retry in range(TRACEROUTE_RETRIES):
            below = end if end is not None else max(answers, default=0)
            silent = [t for t in range(1, below) if t not in answers]
            if not silent:
                break
            seq = _trace_round(session, silent, seq, options.timeout, answers)
            end = _path_end(answers)
    except OSError as exc:
        error = 'sending failed: %s' % _sockets.error_text(exc)
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
        error = _sockets.error_text(exc)
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
            error = _sockets.error_text(exc)
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


# ---------------------------------------------------------------- http

def http_url(host, port, path):
    """'http://10.0.0.2:8080/x', 'http://[2001:db8::2]/' (the port left out when it is 80)."""
    shown = '[%s]' % host if ':' in host else host
    if port != HTTP_DEFAULT_PORT:
        shown += ':%d' % port
    return 'http://%s%s' % (shown, path)


def _check_path(option, value, path):
    if not path.startswith('/'):
        raise ValidationError(option, value, 'needs a path that starts with /')
    if any(ord(c) <= 0x20 or ord(c) == 0x7f for c in path):
        raise ValidationError(option, value, 'has a space or a control character in the path; percent-encode it')


def parse_http_target(target, port, path):
    """(host, port, path) of an http probe.

    TARGET is a URL (http://host[:port][/path][?query], IPv6 addresses in
    brackets; PORT and PATH must then be omitted) or a host (address or name)
    with PORT (default 80) and PATH (default /). The host is checked like any
    other target. Only http:// is probed: there is no TLS.
    """
    text = target.strip() if isinstance(target, str) else str(target)
    if '://' not in text:
        path = '/' if path is None else path
        _check_path('path', path, path)
        return check_target(text), HTTP_DEFAULT_PORT if port is None else port, path
    scheme, _sep, rest = text.partition('://')
    if scheme.lower() != 'http':
        raise ValidationError('target', target, 'is a %s URL; only http:// URLs can be probed (no TLS)' % scheme)
    if port is not None:
        raise ValidationError('port', port, 'cannot be given with a URL target (%s); put the port into the URL' % text)
    if path is not None:
        raise ValidationError('path', path, 'cannot be given with a URL target (%s); put the path into the URL' % text)
    end = len(rest)
    for mark in '/?#':
        if mark in rest:
            end = min(end, rest.index(mark))
    netloc, tail = rest[:end], rest[end:]
    tail = tail.partition('#')[0]
    if tail.startswith('?') or not tail:
        tail = '/' + tail
    if '@' in netloc:
        raise ValidationError('target', target, 'has user information in the URL; it is not supported')
    if netloc.startswith('['):
        host, sep, after = netloc[1:].partition(']')
        if not sep or (after and not after.startswith(':')):
            raise ValidationError('target', target, 'has an IPv6 address in the URL without its closing bracket')
        port_text = after[1:] if after else ''
        has_port = bool(after)
    else:
        if netloc.count(':') > 1:
            raise ValidationError('target', target, 'has an IPv6 address in the URL; put it in brackets: http://[ADDRESS]:PORT/')
        host, sep, port_text = netloc.partition(':')
        has_port = bool(sep)
    if not host:
        raise ValidationError('target', target, 'is a URL without a host')
    port = HTTP_DEFAULT_PORT
    if has_port:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise ValidationError('target', target, 'has the port %r, outside the port range 1-65535' % port_text)
        port = int(port_text)
    _check_path('target', target, tail)
    try:
        host = check_target(host)
    except ValidationError as exc:
        raise ValidationError('target', target, 'has the host %r, which %s' % (host, exc.reason))
    return host, port, tail


def _clip(text, limit):
    return text if len(text) <= limit else text[:limit] + '...'


def _http_expected(options):
    """'status 200 and a body containing 'x'' or None."""
    parts = []
    if options.expect_status is not None:
        parts.append('status %d' % options.expect_status)
    if options.expect_body is not None:
        parts.append('a body containing %r' % options.expect_body)
    return ' and '.join(parts) or None


def probe_http(target, options):
    """GET the path over one TCP connection to the resolved address (no redirects followed).

    Success: a response arrived with the status O(expect_status) (any status
    below 400 when not given) and, when O(expect_body) is given, a body (its
    first max_body bytes) containing it. The socket is opened here, inside the
    namespace, and handed to http.client, so the address probed is the one
    reported.
    """
    error = None
    rtt = None
    status = reason = body = None
    raw = b''
    truncated = False
    headers = {}
    sock = socket.socket(target.family, socket.SOCK_STREAM)
    sock.settimeout(options.timeout)
    conn = http_client.HTTPConnection(target.name.partition('%')[0], options.port, timeout=options.timeout)
    started = time.monotonic()
    try:
        try:
            sock.connect(target.sockaddr)
        except socket.timeout:
            error = 'connecting timed out after %s' % _fmt_s(options.timeout)
        except OSError as exc:
            error = _sockets.error_text(exc)
        if error is None:
            conn.sock = sock
            conn.request('GET', options.path, headers={
                'User-Agent': HTTP_USER_AGENT, 'Accept': '*/*', 'Connection': 'close'})
            response = conn.getresponse()
            rtt = time.monotonic() - started
            status, reason = response.status, response.reason
            for name, value in response.getheaders()[:HTTP_MAX_HEADERS]:
                name = name.lower()
                value = _clip(value, HTTP_MAX_HEADER_VALUE)
                headers[name] = headers[name] + ', ' + value if name in headers else value
            raw = response.read(options.max_body + 1) if options.max_body else response.read(1)
            truncated = len(raw) > options.max_body
            raw = raw[:options.max_body]
            charset = response.headers.get_content_charset() or 'utf-8'
            try:
                body = raw.decode(charset, 'replace')
            except LookupError:
                body = raw.decode('utf-8', 'replace')
    except socket.timeout:
        error = 'timed out after %s waiting for the %s' % (
            _fmt_s(options.timeout), 'response' if status is None else 'body')
    except http_client.HTTPException as exc:
        error = 'not an HTTP response (%s: %s)' % (type(exc).__name__, _clip(str(exc), 100))
    except OSError as exc:
        error = _sockets.error_text(exc)
    finally:
        conn.close()
        sock.close()

    if status is not None and body is None:
        body = raw.decode('utf-8', 'replace')    # the status line came, the body did not (see error)
    expected = _http_expected(options)
    if status is None:
        success = False
        got = 'no response: %s' % error
    else:
        got = '%d %s' % (status, reason)
        if options.expect_status is not None:
            success = status == options.expect_status
        else:
            success = status < 400
        if success and options.expect_body is not None and options.expect_body not in body:
            success = False
            got += ', body %r' % _clip(body, 80)
    if status is None:
        detail = got
    else:
        detail = '%s, %d byte%s%s' % (got, len(raw), '' if len(raw) == 1 else 's',
                                      ' (truncated at max_body)' if truncated else '')
        if success:
            detail += ' in %s' % _fmt_ms(rtt)
        if error:
            detail += ' (%s)' % error
    if not success and expected:
        detail += '; expected %s' % expected
    elif not success and status is not None:
        detail += '; expected a status below 400'
    values = {
        'status': status,
        'reason': reason,
        'headers': headers,
        'body': body,
        'body_truncated': truncated,
        'error': error,
        'rtt_ms': rtt_summary([rtt] if rtt is not None else []),
        '_expected': expected,
    }
    return Outcome(success, values, detail, got)


# ---------------------------------------------------------------- dns

def probe_dns(target, options):
    """One DNS query (module_utils/_engines/dns.py) to TARGET, then to options.dns_servers while none answers."""
    return Outcome(*_dns.probe([target] + list(options.dns_servers or ()), options))


# ---------------------------------------------------------------- dispatch

PROBE_TYPES = {
    'ping': ProbeType(run=probe_ping, needs_port=False),
    'tcp': ProbeType(run=probe_tcp, needs_port=True),
    'udp': ProbeType(run=probe_udp, needs_port=True),
    'traceroute': ProbeType(run=probe_traceroute, needs_port=False),
    'http': ProbeType(run=probe_http, needs_port=False, default_port=HTTP_DEFAULT_PORT),
    'dns': ProbeType(run=probe_dns, needs_port=False, default_port=_dns.DNS_PORT),
}

# Options only one probe type uses: refused with the others, so that nobody
# believes something was checked that was not.
_TYPE_ONLY_OPTIONS = (('path', 'http'), ('expect_status', 'http'), ('expect_body', 'http'),
                      ('query', 'dns'), ('record_type', 'dns'), ('protocol', 'dns'), ('expect_answer', 'dns'))


def _port_of(probe_type, options):
    kind = PROBE_TYPES[probe_type]
    return options.port if kind.needs_port or kind.default_port else None


def describe(probe_type, target, port, path=None):
    """'ping 10.0.0.2', 'tcp web (10.0.0.2) port 80', 'http http://web:8080/ (10.0.0.2)'."""
    if probe_type == 'http':
        text = 'http ' + http_url(target.name, port, path or '/')
    else:
        text = probe_type + ' ' + target.name
    if target.address != target.name.partition('%')[0]:
        text += ' (%s)' % target.address
    if PROBE_TYPES[probe_type].needs_port:
        text += ' port %d' % port
    return text


def prepare(probe_type, target, options):
    """Check everything that can be checked without the namespace.

    Returns the normalised target (for http: its host) and the options with
    what the target implies filled in (http: port and path from the URL, or
    their defaults).
    """
    if probe_type not in PROBE_TYPES:
        raise ValidationError('type', probe_type, 'is not a probe type (%s)' % ', '.join(sorted(PROBE_TYPES)))
    for option, owner in _TYPE_ONLY_OPTIONS:
        value = getattr(options, option)
        if value is not None and probe_type != owner:
            raise ValidationError(option, value, 'is only used by %s probes, not by %s probes' % (owner, probe_type))
    if options.port is not None:
        check_port('port', options.port)
    if target is None and probe_type != 'dns':
        raise ValidationError('target', target, 'is required for %s probes' % probe_type)
    if probe_type == 'http':
        host, port, path = parse_http_target(target, options.port, options.path)
        options = options._replace(port=port, path=path)
        target = host
        if not 0 <= options.max_body <= HTTP_MAX_BODY:
            raise ValidationError('max_body', options.max_body, 'is outside the range 0-%d bytes' % HTTP_MAX_BODY)
        if options.expect_status is not None and not 100 <= options.expect_status <= 599:
            raise ValidationError('expect_status', options.expect_status, 'is not an HTTP status (100-599)')
    elif probe_type == 'dns':
        options = _dns.prepare(options)     # no target: the namespace's resolv.conf names the servers
        target = None if target is None else check_target(target)
    else:
        target = check_target(target)
    if PROBE_TYPES[probe_type].needs_port:
        if options.port is None:
            raise ValidationError('port', None, 'is required for %s probes' % probe_type)
    if options.count < 1:
        raise ValidationError('count', options.count, 'must be at least 1')
    if not 0 < options.timeout <= 3600:
        raise ValidationError('timeout', options.timeout, 'must be more than 0 and at most 3600 seconds')
    if not 0 <= options.interval <= 3600:
        raise ValidationError('interval', options.interval, 'must be between 0 and 3600 seconds')
    if not 1 <= options.max_hops <= 255:
        raise ValidationError('max_hops', options.max_hops, 'is outside the range 1-255')
    return target, options


def validate(probe_type, target, options):
    """Check everything that can be checked without the namespace; the normalised target (see prepare)."""
    return prepare(probe_type, target, options)[0]


def check_expect(expect, options):
    """expect=failure with expect_status/expect_body is contradictory: refused."""
    if expect == 'failure':
        for option in ('expect_status', 'expect_body', 'expect_answer'):
            if getattr(options, option) is not None:
                raise ValidationError('expect', expect, 'cannot be combined with %s (which already expects a '
                                      'response that matches); leave out one of them' % option)


def effective_expect(expect, options):
    """expect_status, expect_body and expect_answer imply expect=success."""
    if expect is None and (options.expect_status is not None or options.expect_body is not None
                           or options.expect_answer is not None):
        return 'success'
    return expect


def run_probe(netns, probe_type, target, options):
    """Validate, enter NETNS, resolve, probe. The result dict (success, msg and type-specific keys)."""
    target_text, options = prepare(probe_type, target, options)
    if netns is not None and not netns_exists(netns):
        raise NamespaceError("option 'netns': network namespace '%s' does not exist (no namespace mounted at %s)"
                             % (netns, netns_path(netns)))
    port = _port_of(probe_type, options)
    resolv_conf = servers = None
    if probe_type == 'dns' and target_text is None:
        resolv_conf, servers = _dns.read_nameservers(netns)
        if not servers:
            raise ProbeError('dns probe without a target in %s: %s has no usable nameserver line'
                             % (_in_netns(netns), resolv_conf))
        target_text = check_target(servers[0])
    with entered(netns):
        resolved = resolve_target(target_text, netns, port)
        if servers:
            options = options._replace(dns_servers=[resolve_target(check_target(s), netns, port) for s in servers[1:]])
        outcome = PROBE_TYPES[probe_type].run(resolved, options)
    description = describe(probe_type, resolved, port, options.path)
    if probe_type == 'dns':
        description = _dns.describe(options, outcome.values['server'], port)
    result = dict(outcome.values)
    result.setdefault('_expected', None)
    result.update({
        'success': outcome.success,
        'type': probe_type,
        'target': target_text if probe_type != 'http' else target.strip(),
        'address': resolved.address,
        'msg': '%s from %s: %s' % (description, where(netns), outcome.detail),
        '_summary': outcome.summary,
        '_description': description,
    })
    if port is not None:
        result['port'] = port
    if probe_type == 'dns':
        result['address'] = outcome.values['server']
        result['resolv_conf'] = resolv_conf
    if probe_type == 'http':
        result['url'] = http_url(target_text, port, options.path)
        result['path'] = options.path
    return result


def expectation_message(result, expect, netns):
    """None when the outcome matches EXPECT (or nothing is expected), else the failure message."""
    if expect is None or (expect == 'success') == result['success']:
        return None
    ns = 'in ' + _in_netns(netns)
    if expect == 'success' and result.get('_expected'):
        return 'probe %s %s: expected %s but got %s' % (result['_description'], ns, result['_expected'],
                                                        result['_summary'])
    got = 'it succeeded' if result['success'] else 'it failed'
    return 'probe %s %s: expected %s but %s (%s)' % (result['_description'], ns, expect, got, result['_summary'])
