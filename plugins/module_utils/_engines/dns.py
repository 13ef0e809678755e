# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""DNS for the ``dns`` probe, with the standard library only.

The wire format (RFC 1035, 3596, 2782): building one query, parsing a
response (name compression included) into records in presentation form, the
reverse names of addresses, the resolver configuration a namespace's
processes see (``/etc/netns/NAME/resolv.conf`` over ``/etc/resolv.conf``), and
the query itself over UDP (falling back to TCP when the answer is truncated)
or TCP. Sockets must be opened by the caller's thread while it is inside the
namespace (``_probe.run_probe`` does that); nothing here enters namespaces.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import os
import random
import re
import select
import socket
import struct
import time

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import sockets as _sockets
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

DNS_PORT = 53
MAX_NAMESERVERS = 3     # what glibc's resolver uses of resolv.conf (MAXNS)

TYPES = {
    'A': 1,
    'NS': 2,
    'CNAME': 5,
    'SOA': 6,
    'PTR': 12,
    'MX': 15,
    'TXT': 16,
    'AAAA': 28,
    'SRV': 33,
}
TYPE_NAMES = dict((v, k) for k, v in TYPES.items())
NAME_TYPES = ('NS', 'CNAME', 'PTR')     # rdata is one domain name

RCODES = {
    0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED',
    6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE',
}

CLASS_IN = 1
FLAG_QR = 0x8000
FLAG_AA = 0x0400
FLAG_TC = 0x0200
FLAG_RD = 0x0100
FLAG_RA = 0x0080

_LABEL = re.compile(r'^(\*|[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)$')
_NUMERIC = re.compile(r'^[0-9.]+$')
_ESCAPED_IN_NAMES = b'."\\;()@$'


class DnsFormatError(Exception):
    """A response that is not a well-formed DNS message (or not the answer to our query)."""


# ---------------------------------------------------------------- validation

def check_record_type(value):
    """'a', 'AAAA', 'mx' -> the upper-case type name; anything else is refused."""
    text = 'A' if value is None else (value if isinstance(value, str) else str(value)).strip().upper()
    if text not in TYPES:
        raise ValidationError('record_type', value, 'is not a supported DNS record type (%s)'
                              % ', '.join(sorted(TYPES)))
    return text


def _is_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def check_query(value, record_type):
    """The name to ask for, fully qualified (trailing dot), in the case given.

    For PTR an IPv4 or IPv6 address is turned into its reverse name
    (192.0.2.10 -> 10.2.0.192.in-addr.arpa.). Labels are letters, digits,
    '-' and '_' (SRV names), or a lone '*'; at most 63 bytes each and 253
    characters in all. An address given for another type is refused (use PTR).
    """
    if value is None:
        raise ValidationError('query', value, 'is required for dns probes (the name to look up)')
    text = (value if isinstance(value, str) else str(value)).strip()
    if not text:
        raise ValidationError('query', value, 'is empty; give a name to look up')
    if ':' in text or _NUMERIC.match(text.rstrip('.')):
        if _is_address(text):
            if record_type != 'PTR':
                raise ValidationError('query', value, 'is an IP address; use record_type PTR for a reverse lookup '
                                      '(record_type is %s)' % record_type)
            return reverse_name(text)
        if ':' in text:
            raise ValidationError('query', value, 'is neither a valid IP address nor a valid domain name')
    if text == '.':
        return text
    try:
        text.encode('ascii')
    except UnicodeError:
        raise ValidationError('query', value, 'has non-ASCII characters; give internationalised names in their '
                              'xn-- (punycode) form')
    name = text[:-1] if text.endswith('.') else text
    if len(name) > 253:
        raise ValidationError('query', value, 'is %d characters long; domain names have at most 253' % len(name))
    for label in name.split('.'):
        if not _LABEL.match(label):
            raise ValidationError('query', value, 'is not a valid domain name (label %r: letters, digits, '
                                  "'-' and '_', 1 to 63 characters, not starting or ending with '-')" % label)
    return name + '.'


def reverse_name(address):
    """'192.0.2.10' -> '10.2.0.192.in-addr.arpa.', IPv6 -> the nibble form under ip6.arpa."""
    return ipaddress.ip_address(address.strip()).reverse_pointer + '.'


def canonical(record_type, text):
    """The form answers and expected answers are compared in.

    Addresses are normalised (2001:DB8:0::10 -> 2001:db8::10); domain names are
    compared in lower case with a trailing dot (so 'Host.Example' matches
    'host.example.'); MX, SRV and SOA have their names treated the same way;
    TXT matches with or without the surrounding double quotes.
    """
    text = (text if isinstance(text, str) else str(text)).strip()
    if record_type in ('A', 'AAAA'):
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            return text

    def dotted(name):
        name = name.lower()
        return name if name.endswith('.') else name + '.'

    fields = text.split()
    if record_type in NAME_TYPES and len(fields) == 1:
        return dotted(text)
    if record_type == 'MX' and len(fields) == 2:
        return '%s %s' % (fields[0], dotted(fields[1]))
    if record_type == 'SRV' and len(fields) == 4:
        return '%s %s %s %s' % (fields[0], fields[1], fields[2], dotted(fields[3]))
    if record_type == 'SOA' and len(fields) == 7:
        return ' '.join([dotted(fields[0]), dotted(fields[1])] + fields[2:])
    if record_type == 'TXT' and not text.startswith('"'):
        return _quote_txt(text.encode('utf-8'))
    return text


def check_expect_answer(values, record_type):
    """Each expected answer normalised (see canonical); empty entries are refused."""
    if values is None:
        return None
    result = []
    for value in values:
        if value is None or not str(value).strip():
            raise ValidationError('expect_answer', values, 'has an empty entry')
        if record_type in ('A', 'AAAA'):
            try:
                addr = ipaddress.ip_address(str(value).strip())
            except ValueError:
                raise ValidationError('expect_answer', value, 'is not an IP address, which %s answers are'
                                      % record_type)
            if (addr.version == 4) != (record_type == 'A'):
                raise ValidationError('expect_answer', value, 'is an IPv%d address, but %s records hold IPv%d addresses'
                                      % (addr.version, record_type, 4 if record_type == 'A' else 6))
        result.append(canonical(record_type, value))
    return result


# ---------------------------------------------------------------- wire format

def encode_name(name):
    """'www.example.' -> b'\\x03www\\x07example\\x00'."""
    if name in ('.', ''):
        return b'\0'
    out = b''
    for label in name.rstrip('.').split('.'):
        raw = label.encode('ascii')
        if not 1 <= len(raw) <= 63:
            raise ValueError('label %r is not 1 to 63 bytes long' % label)
        out += struct.pack('!B', len(raw)) + raw
    if len(out) + 1 > 255:
        raise ValueError('name %r is longer than 255 bytes on the wire' % name)
    return out + b'\0'


def build_query(name, record_type, ident, recursion_desired=True):
    """One query message: header, one question (class IN), no EDNS."""
    flags = FLAG_RD if recursion_desired else 0
    header = struct.pack('!HHHHHH', ident, flags, 1, 0, 0, 0)
    return header + encode_name(name) + struct.pack('!HH', TYPES[record_type], CLASS_IN)


def _escape_label(raw):
    out = []
    for byte in bytearray(raw):
        if byte in bytearray(_ESCAPED_IN_NAMES):
            out.append('\\' + chr(byte))
        elif 0x21 <= byte <= 0x7e:
            out.append(chr(byte))
        else:
            out.append('\\%03d' % byte)
    return ''.join(out)


def read_name(data, offset):
    """(presentation form with trailing dot, offset after the name); follows compression pointers."""
    labels = []
    end = None
    seen = set()
    total = 0
    while True:
        if offset >= len(data):
            raise DnsFormatError('a name runs past the end of the message')
        length = bytearray(data[offset:offset + 1])[0]
        if length & 0xc0 == 0xc0:
            if offset + 2 > len(data):
                raise DnsFormatError('a compression pointer runs past the end of the message')
            pointer = struct.unpack('!H', data[offset:offset + 2])[0] & 0x3fff
            if pointer in seen or pointer >= len(data):
                raise DnsFormatError('a compression pointer loops or points outside the message')
            seen.add(pointer)
            if end is None:
                end = offset + 2
            offset = pointer
            continue
        if length & 0xc0:
            raise DnsFormatError('a label has the reserved length bits %#x' % (length & 0xc0))
        offset += 1
        if length == 0:
            break
        if offset + length > len(data):
            raise DnsFormatError('a label runs past the end of the message')
        total += length + 1
        if total > 255:
            raise DnsFormatError('a name is longer than 255 bytes')
        labels.append(_escape_label(data[offset:offset + length]))
        offset += length
    name = '.'.join(labels) + '.' if labels else '.'
    return name, (end if end is not None else offset)


def _quote_txt(raw):
    out = ['"']
    for byte in bytearray(raw):
        if byte in (0x22, 0x5c):
            out.append('\\' + chr(byte))
        elif 0x20 <= byte <= 0x7e:
            out.append(chr(byte))
        else:
            out.append('\\%03d' % byte)
    out.append('"')
    return ''.join(out)


def rdata_text(data, offset, length, rtype):
    """The record data in presentation form, as dig and zone files show it."""
    end = offset + length
    rdata = data[offset:end]
    name = TYPE_NAMES.get(rtype)

    def need(size):
        if length != size:
            raise DnsFormatError('a %s record has %d bytes of data, not %d' % (name, length, size))

    def name_at(pos):
        text, after = read_name(data, pos)
        if after > end:
            raise DnsFormatError('a name in a %s record runs past its data' % name)
        return text, after

    if name == 'A':
        need(4)
        return socket.inet_ntop(socket.AF_INET, rdata)
    if name == 'AAAA':
        need(16)
        return socket.inet_ntop(socket.AF_INET6, rdata)
    if name in NAME_TYPES:
        return name_at(offset)[0]
    if name == 'MX':
        if length < 3:
            raise DnsFormatError('an MX record is too short')
        return '%d %s' % (struct.unpack('!H', rdata[:2])[0], name_at(offset + 2)[0])
    if name == 'SRV':
        if length < 7:
            raise DnsFormatError('an SRV record is too short')
        priority, weight, port = struct.unpack('!HHH', rdata[:6])
        return '%d %d %d %s' % (priority, weight, port, name_at(offset + 6)[0])
    if name == 'SOA':
        mname, pos = name_at(offset)
        rname, pos = name_at(pos)
        if end - pos != 20:
            raise DnsFormatError('an SOA record has %d bytes of numbers, not 20' % (end - pos))
        numbers = struct.unpack('!IIIII', data[pos:end])
        return '%s %s %s' % (mname, rname, ' '.join(str(n) for n in numbers))
    if name == 'TXT':
        parts = []
        pos = 0
        raw = bytearray(rdata)
        while pos < len(raw):
            size = raw[pos]
            if pos + 1 + size > len(raw):
                raise DnsFormatError('a TXT string runs past its record')
            parts.append(_quote_txt(bytes(raw[pos + 1:pos + 1 + size])))
            pos += 1 + size
        return ' '.join(parts)
    # RFC 3597 generic form for anything else (DNAME, RRSIG, ... in the answer section).
    return ('\\# %d %s' % (length, ''.join('%02x' % b for b in bytearray(rdata)))).rstrip()


def parse_response(data, ident=None, question=None):
    """The fields of a response message.

    Returns a dict: id, rcode (text), rcode_value, authoritative, truncated,
    recursion_available, and records (answer section: list of dicts name, type,
    ttl, data). With IDENT / QUESTION=(name, type), a message that is not the
    answer to that query raises DnsFormatError.
    """
    if len(data) < 12:
        raise DnsFormatError('the message is %d bytes long, shorter than a DNS header' % len(data))
    msg_id, flags, qdcount, ancount, _nscount, _arcount = struct.unpack('!HHHHHH', data[:12])
    if not flags & FLAG_QR:
        raise DnsFormatError('the message is a query, not a response')
    if ident is not None and msg_id != ident:
        raise DnsFormatError('the response has the id %d, not %d' % (msg_id, ident))
    offset = 12
    questions = []
    for _i in range(qdcount):
        qname, offset = read_name(data, offset)
        if offset + 4 > len(data):
            raise DnsFormatError('the question section runs past the end of the message')
        qtype, _qclass = struct.unpack('!HH', data[offset:offset + 4])
        offset += 4
        questions.append((qname, qtype))
    if question is not None and questions:
        want = (question[0].lower(), TYPES[question[1]])
        if (questions[0][0].lower(), questions[0][1]) != want:
            raise DnsFormatError('the response answers another question (%s type %d)' % questions[0])
    truncated = bool(flags & FLAG_TC)
    records = []
    for _i in range(ancount):
        try:
            rname, offset = read_name(data, offset)
            if offset + 10 > len(data):
                raise DnsFormatError('a record header runs past the end of the message')
            rtype, rclass, ttl, rdlength = struct.unpack('!HHIH', data[offset:offset + 10])
            offset += 10
            if offset + rdlength > len(data):
                raise DnsFormatError('record data runs past the end of the message')
        except DnsFormatError:
            if truncated:
                break   # a truncated UDP answer may stop anywhere
            raise
        if rclass == CLASS_IN:
            records.append({
                'name': rname,
                'type': TYPE_NAMES.get(rtype, 'TYPE%d' % rtype),
                'ttl': ttl,
                'data': rdata_text(data, offset, rdlength, rtype),
            })
        offset += rdlength
    rcode = flags & 0x000f
    return {
        'id': msg_id,
        'rcode': RCODES.get(rcode, 'RCODE%d' % rcode),
        'rcode_value': rcode,
        'authoritative': bool(flags & FLAG_AA),
        'truncated': truncated,
        'recursion_available': bool(flags & FLAG_RA),
        'records': records,
    }


def answers_of(records, record_type):
    """The data of the answer records of the type asked for (a CNAME chain's own records left out)."""
    return [r['data'] for r in records if r['type'] == record_type]


# ---------------------------------------------------------------- resolver configuration

def resolv_conf_path(netns, etc_netns='/etc/netns', default='/etc/resolv.conf'):
    """The resolv.conf `ip netns exec NETNS` shows a process: the namespace's own file, else the host's."""
    if netns:
        own = os.path.join(etc_netns, netns, 'resolv.conf')
        if os.path.exists(own):
            return own
    return default


def parse_resolv_conf(text):
    """The nameserver addresses of a resolv.conf, in order, at most the first three (as glibc)."""
    servers = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == 'nameserver':
            addr = fields[1]
            try:
                ipaddress.ip_address(addr.partition('%')[0])
            except ValueError:
                continue    # glibc ignores what it cannot parse
            servers.append(addr)
    return servers[:MAX_NAMESERVERS]


def read_nameservers(netns):
    """(path, [addresses]) of the resolver configuration processes in NETNS use."""
    path = resolv_conf_path(netns)
    try:
        with open(path) as handle:
            text = handle.read()
    except (IOError, OSError):
        return path, []
    return path, parse_resolv_conf(text)


# ---------------------------------------------------------------- query

def _udp_exchange(family, sockaddr, message, ident, question, timeout):
    """The parsed response over UDP; answers with another id or question are ignored."""
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        sock.connect(sockaddr)
        sock.send(message)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            readable, _w, _x = select.select([sock], [], [], left)
            if not readable:
                raise socket.timeout()
            try:
                data = sock.recv(65535)
            except (BlockingIOError, InterruptedError):
                continue
            try:
                return parse_response(data, ident, question)
            except DnsFormatError:
                continue    # not the answer to our query (or garbage): keep waiting
    finally:
        sock.close()


def _recv_exactly(sock, size, deadline):
    chunks = b''
    while len(chunks) < size:
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout()
        sock.settimeout(left)
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise DnsFormatError('the server closed the TCP connection after %d of %d bytes' % (len(chunks), size))
        chunks += chunk
    return chunks


def _tcp_exchange(family, sockaddr, message, ident, question, timeout):
    """The parsed response over TCP (two-byte length prefix, RFC 1035 4.2.2)."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        deadline = time.monotonic() + timeout
        sock.settimeout(timeout)
        sock.connect(sockaddr)
        sock.sendall(struct.pack('!H', len(message)) + message)
        size = struct.unpack('!H', _recv_exactly(sock, 2, deadline))[0]
        return parse_response(_recv_exactly(sock, size, deadline), ident, question)
    finally:
        sock.close()


def query(family, sockaddr, name, record_type, protocol='udp', timeout=2.0):
    """Ask one server; a dict with the parsed response, or with 'error' when none came.

    Keys: protocol (the one the answer came over: a truncated UDP answer is
    asked again over TCP), rtt (seconds), error, and parse_response's keys when
    a response arrived.
    """
    ident = random.randint(0, 0xffff)
    question = (name, record_type)
    message = build_query(name, record_type, ident)
    exchange = _tcp_exchange if protocol == 'tcp' else _udp_exchange
    used = protocol
    started = time.monotonic()
    try:
        response = exchange(family, sockaddr, message, ident, question, timeout)
        if protocol == 'udp' and response['truncated']:
            used = 'tcp'
            response = _tcp_exchange(family, sockaddr, message, ident, question, timeout)
    except socket.timeout:
        return {'protocol': used, 'rtt': None, 'error': 'no answer within %g s' % timeout}
    except DnsFormatError as exc:
        return {'protocol': used, 'rtt': None, 'error': 'malformed answer: %s' % exc}
    except OSError as exc:
        return {'protocol': used, 'rtt': None, 'error': _sockets.error_text(exc)}
    response.update({'protocol': used, 'rtt': time.monotonic() - started, 'error': None})
    return response


def evaluate(response, record_type, expected):
    """(success, answers, missing expected answers) of a response.

    Success: an answer arrived with rcode NOERROR and at least one record of
    the type asked for, and (with EXPECTED) every expected answer is among them.
    """
    if response.get('error') is not None:
        return False, [], list(expected or [])
    answers = answers_of(response['records'], record_type)
    have = set(canonical(record_type, a) for a in answers)
    missing = [e for e in (expected or []) if e not in have]
    success = response['rcode'] == 'NOERROR' and bool(answers) and not missing
    return success, answers, missing


# ---------------------------------------------------------------- the probe

def prepare(options):
    """ProbeOptions with the dns options checked and normalised (before anything is touched)."""
    record_type = check_record_type(options.record_type)
    name = check_query(options.query, record_type)
    protocol = options.protocol or 'udp'
    if protocol not in ('udp', 'tcp'):
        raise ValidationError('protocol', options.protocol, 'is neither udp nor tcp')
    expected = check_expect_answer(options.expect_answer, record_type)
    return options._replace(query=name, record_type=record_type, protocol=protocol, expect_answer=expected,
                            port=DNS_PORT if options.port is None else options.port)


def describe(options, server, port):
    """'dns www.example. A at 10.0.0.53', with ' port 5353' when not 53 and '/tcp' when asked over TCP."""
    text = 'dns %s %s at %s' % (options.query, options.record_type, server)
    if port != DNS_PORT:
        text += ' port %d' % port
    if options.protocol == 'tcp':
        text += ' over tcp'
    return text


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000.0, 3)


def probe(targets, options):
    """(success, values, detail, summary) of a dns probe.

    TARGETS are the servers to ask (resolved targets with family and
    sockaddr), in order: the next one is asked only when the previous one gave
    no answer at all (as a stub resolver does with its nameservers); any DNS
    answer, NXDOMAIN included, ends the probe.
    """
    tried = []
    response = None
    server = None
    for target in targets:
        server = target.address
        response = query(target.family, target.sockaddr, options.query, options.record_type,
                         options.protocol, options.timeout)
        if response['error'] is None:
            break
        tried.append('%s: %s' % (server, response['error']))
    success, answers, missing = evaluate(response, options.record_type, options.expect_answer)
    expected = None
    if options.expect_answer:
        expected = 'the answer%s %s' % ('s' if len(options.expect_answer) > 1 else '', ', '.join(options.expect_answer))
    if response['error'] is not None:
        summary = 'no answer' if len(targets) == 1 else 'no answer from any server'
        detail = '; '.join(tried) if len(tried) > 1 else response['error']
        error = detail
    else:
        error = None
        if answers:
            summary = '%s, %s' % (response['rcode'], ', '.join(answers))
        elif response['rcode'] == 'NOERROR':
            summary = 'NOERROR but no %s record' % options.record_type
        else:
            summary = response['rcode']
        if missing:
            summary += ' (missing %s)' % ', '.join(missing)
        detail = summary
        if success:
            detail += ' in %.3f ms' % (response['rtt'] * 1000.0)
        if tried:
            detail += ' (after %s)' % '; '.join(tried)
    if not success and expected and response['error'] is None:
        detail += '; expected %s' % expected
    rtt = response.get('rtt')
    rtt_ms = _ms(rtt)
    values = {
        'query': options.query,
        'record_type': options.record_type,
        'protocol': response['protocol'],
        'server': server,
        'rcode': response.get('rcode'),
        'answers': answers,
        'records': response.get('records', []),
        'authoritative': response.get('authoritative'),
        'error': error,
        'rtt_ms': {'min': rtt_ms, 'avg': rtt_ms, 'max': rtt_ms},
        '_expected': expected,
    }
    return success, values, detail, summary
