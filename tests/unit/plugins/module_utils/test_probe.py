# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the probe module: ICMP packets built and read from hand-made bytes,
target validation, messages. No sockets, no namespaces."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import struct

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import icmp as _icmp
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import probe as _probe
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError


# ------------------------------------------------------------ hand-made packets

def ipv4_header(src, dst, proto, payload_len, ttl=64, ihl_words=5):
    options = b'\x01' * ((ihl_words - 5) * 4)   # NOP options when a longer header is wanted
    header = struct.pack('!BBHHHBBH4s4s', (4 << 4) | ihl_words, 0, ihl_words * 4 + payload_len, 0x1234, 0,
                         ttl, proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    header += options
    csum = _icmp.checksum(header)
    return header[:10] + struct.pack('!H', csum) + header[12:]


def ipv6_header(src, dst, next_header, payload_len, hops=64):
    return (struct.pack('!IHBB', 6 << 28, payload_len, next_header, hops)
            + socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst))


def icmp4(icmp_type, code, rest, body):
    msg = struct.pack('!BBH', icmp_type, code, 0) + rest + body
    return msg[:2] + struct.pack('!H', _icmp.checksum(msg)) + msg[4:]


# ------------------------------------------------------------ checksum / build

def test_checksum_rfc1071_example():
    # RFC 1071 section 3: the one's complement sum of these bytes is 0xddf2.
    assert _icmp.checksum(bytes([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])) == 0xffff - 0xddf2


def test_checksum_odd_length_pads_with_zero():
    assert _icmp.checksum(b'\x12\x34\x56') == _icmp.checksum(b'\x12\x34\x56\x00')


def test_checksum_carry_wraps_around():
    assert _icmp.checksum(b'\xff\xff\xff\xff') == 0
    assert _icmp.checksum(b'\x00\x00') == 0xffff


def test_echo_request_ipv4_has_valid_checksum():
    packet = _icmp.build_echo_request(0xbeef, 7, b'hello world!')
    assert packet[:2] == b'\x08\x00'
    assert struct.unpack('!HH', packet[4:8]) == (0xbeef, 7)
    assert packet[8:] == b'hello world!'
    # A correct checksum makes the checksum of the whole message 0.
    assert _icmp.checksum(packet) == 0


def test_echo_request_ipv6_leaves_checksum_to_kernel():
    packet = _icmp.build_echo_request(0x10001, 0x10002, b'x', ipv6=True)
    assert packet == struct.pack('!BBHHH', 128, 0, 0, 1, 2) + b'x'


# ------------------------------------------------------------ parsing IPv4

def test_parse_ipv4_echo_reply():
    body = struct.pack('!HH', 0x4242, 3) + b'TOKEN123' + b'\0' * 8
    icmp = icmp4(0, 0, b'', body)
    packet = ipv4_header('10.0.2.2', '10.0.1.2', 1, len(icmp)) + icmp
    sender, msg = _icmp.parse_received(packet, ipv6=False, sender='10.0.2.2')
    assert sender == '10.0.2.2'
    assert msg.kind == _icmp.KIND_ECHO_REPLY
    assert (msg.ident, msg.seq) == (0x4242, 3)
    assert msg.payload.startswith(b'TOKEN123')
    assert msg.quoted_dst is None and msg.text is None


def test_parse_ipv4_reply_after_header_with_options():
    icmp = icmp4(0, 0, b'', struct.pack('!HH', 9, 1))
    packet = ipv4_header('10.0.2.2', '10.0.1.2', 1, len(icmp), ihl_words=7) + icmp
    _sender, msg = _icmp.parse_received(packet)
    assert (msg.kind, msg.ident, msg.seq) == (_icmp.KIND_ECHO_REPLY, 9, 1)


def test_parse_ipv4_time_exceeded_quoting_our_echo():
    original_icmp = _icmp.build_echo_request(0x4242, 17, b'TOKEN123')
    quote = ipv4_header('10.0.1.2', '10.0.2.2', 1, len(original_icmp), ttl=1) + original_icmp[:8]
    icmp = icmp4(11, 0, b'\0\0\0\0', quote)
    packet = ipv4_header('10.0.1.1', '10.0.1.2', 1, len(icmp)) + icmp
    sender, msg = _icmp.parse_received(packet)
    assert sender == '10.0.1.1'
    assert msg.kind == _icmp.KIND_TIME_EXCEEDED
    assert (msg.ident, msg.seq, msg.quoted_dst) == (0x4242, 17, '10.0.2.2')
    assert msg.text == 'time to live exceeded in transit'


def test_parse_ipv4_unreachable_text():
    original_icmp = _icmp.build_echo_request(5, 6)
    quote = ipv4_header('10.0.1.2', '10.99.0.1', 1, len(original_icmp)) + original_icmp
    icmp = icmp4(3, 0, b'\0\0\0\0', quote)
    _sender, msg = _icmp.parse_received(ipv4_header('10.0.1.1', '10.0.1.2', 1, len(icmp)) + icmp)
    assert msg.kind == _icmp.KIND_UNREACHABLE
    assert msg.text == 'network unreachable'
    assert (msg.ident, msg.seq, msg.quoted_dst) == (5, 6, '10.99.0.1')


def test_parse_ipv4_error_quoting_udp_is_not_ours():
    udp = struct.pack('!HHHH', 40000, 33434, 8, 0)
    quote = ipv4_header('10.0.1.2', '10.0.2.2', 17, len(udp)) + udp
    icmp = icmp4(11, 0, b'\0\0\0\0', quote)
    _sender, msg = _icmp.parse_received(ipv4_header('10.0.1.1', '10.0.1.2', 1, len(icmp)) + icmp)
    assert msg.kind == _icmp.KIND_TIME_EXCEEDED
    assert msg.ident is None and msg.seq is None


def test_parse_ipv4_ignores_echo_requests_and_garbage():
    request = _icmp.build_echo_request(1, 1)
    _sender, msg = _icmp.parse_received(ipv4_header('10.0.1.2', '10.0.1.2', 1, len(request)) + request)
    assert msg is None
    assert _icmp.parse_received(b'\x45\x00')[1] is None
    assert _icmp.parse_received(b'\x60' + b'\0' * 40)[1] is None   # not IPv4
    udp = struct.pack('!HHHH', 1, 2, 8, 0)
    assert _icmp.parse_received(ipv4_header('10.0.0.1', '10.0.0.2', 17, 8) + udp)[1] is None


def test_parse_truncated_quote():
    icmp = icmp4(11, 0, b'\0\0\0\0', b'\x45\x00\x00')
    _sender, msg = _icmp.parse_received(ipv4_header('10.0.1.1', '10.0.1.2', 1, len(icmp)) + icmp)
    assert msg.kind == _icmp.KIND_TIME_EXCEEDED and msg.ident is None


# ------------------------------------------------------------ parsing IPv6

def test_parse_ipv6_echo_reply():
    msg = _icmp.parse_icmp(struct.pack('!BBHHH', 129, 0, 0xabcd, 0x0102, 0x0304) + b'data', ipv6=True)
    assert (msg.kind, msg.ident, msg.seq, msg.payload) == (_icmp.KIND_ECHO_REPLY, 0x0102, 0x0304, b'data')


def test_parse_ipv6_time_exceeded_quoting_our_echo():
    original = _icmp.build_echo_request(0x0a0b, 2, b'TOKEN123', ipv6=True)
    quote = ipv6_header('2001:db8:1::2', '2001:db8:2::2', 58, len(original), hops=1) + original
    message = struct.pack('!BBHI', 3, 0, 0, 0) + quote
    sender, msg = _icmp.parse_received(message, ipv6=True, sender='2001:db8:1::1')
    assert sender == '2001:db8:1::1'
    assert msg.kind == _icmp.KIND_TIME_EXCEEDED
    assert (msg.ident, msg.seq, msg.quoted_dst) == (0x0a0b, 2, '2001:db8:2::2')
    assert msg.text == 'hop limit exceeded in transit'


def test_parse_ipv6_unreachable_and_other_protocols():
    original = _icmp.build_echo_request(1, 2, ipv6=True)
    quote = ipv6_header('2001:db8:1::2', '2001:db8:9::9', 58, len(original)) + original
    msg = _icmp.parse_icmp(struct.pack('!BBHI', 1, 0, 0, 0) + quote, ipv6=True)
    assert msg.kind == _icmp.KIND_UNREACHABLE and msg.text == 'no route to destination'
    assert msg.quoted_dst == '2001:db8:9::9'
    udp_quote = ipv6_header('2001:db8:1::2', '2001:db8:9::9', 17, 8) + struct.pack('!HHHH', 1, 2, 8, 0)
    msg = _icmp.parse_icmp(struct.pack('!BBHI', 1, 4, 0, 0) + udp_quote, ipv6=True)
    assert msg.text == 'port unreachable' and msg.ident is None
    # neighbour solicitation, router advertisement: no probe waits for them
    assert _icmp.parse_icmp(struct.pack('!BBHI', 135, 0, 0, 0) + b'\0' * 16, ipv6=True) is None
    assert _icmp.parse_icmp(b'\x81\x00', ipv6=True) is None


def test_ipv4_echo_reply_type_is_not_ipv6_one():
    # type 0 means echo reply only for IPv4
    assert _icmp.parse_icmp(struct.pack('!BBHHH', 0, 0, 0, 1, 1), ipv6=True) is None


# ------------------------------------------------------------ filters

def test_icmp4_filter_mask_clears_accepted_bits():
    (mask,) = struct.unpack('=I', _icmp.icmp4_filter_mask([0, 3, 11]))
    assert mask == 0xffffffff & ~((1 << 0) | (1 << 3) | (1 << 11))


def test_icmp6_filter_mask_clears_accepted_bits():
    words = struct.unpack('=8I', _icmp.icmp6_filter_mask([1, 3, 129]))
    assert words[0] == 0xffffffff & ~((1 << 1) | (1 << 3))
    assert words[4] == 0xffffffff & ~(1 << 1)
    assert all(w == 0xffffffff for i, w in enumerate(words) if i not in (0, 4))


# ------------------------------------------------------------ matching

class _FakeSession(_probe.EchoSession):
    def __init__(self, address):   # pylint: disable=super-init-not-called
        self.ident = 0x4242
        self.token = b'TOKEN123'
        self.target = _probe.Target(address, socket.AF_INET, address, (address, 0))


def test_session_matches_only_its_own_probes():
    session = _FakeSession('10.0.2.2')
    ours = _icmp.IcmpMessage(_icmp.KIND_ECHO_REPLY, 0, 0, 0x4242, 1, b'TOKEN123rest', None, None)
    assert session.matches(ours)
    assert not session.matches(ours._replace(ident=0x4343))
    assert not session.matches(ours._replace(payload=b'OTHERTOK'))
    assert not session.matches(None)
    quoted = _icmp.IcmpMessage(_icmp.KIND_TIME_EXCEEDED, 11, 0, 0x4242, 1, None, '10.0.2.2', 'x')
    assert session.matches(quoted)
    assert not session.matches(quoted._replace(quoted_dst='10.0.9.9'))
    assert not session.matches(quoted._replace(ident=None))


# ------------------------------------------------------------ validation and messages

@pytest.mark.parametrize('value, expected', [
    ('10.0.0.2', '10.0.0.2'),
    (' 10.0.0.2 ', '10.0.0.2'),
    ('2001:DB8::0:1', '2001:db8::1'),
    ('[2001:db8::1]', '2001:db8::1'),
    ('fe80::1%veth0', 'fe80::1%veth0'),
    ('localhost', 'localhost'),
    ('web-1.example.org.', 'web-1.example.org.'),
])
def test_check_target_accepts(value, expected):
    assert _probe.check_target(value) == expected


@pytest.mark.parametrize('value, reason', [
    ('10.0.0.300', 'not a valid IP address'),
    ('10.0.0', 'not a valid IP address'),
    ('2001:db8::g', 'not a valid IP address'),
    ('10.0.0.1%eth0', 'only IPv6'),
    ('', 'is empty'),
    ('bad host', 'neither an IP address nor a valid host name'),
    ('-bad.example', 'neither an IP address nor a valid host name'),
    ('a' * 64 + '.example', 'neither an IP address nor a valid host name'),
])
def test_check_target_refuses(value, reason):
    with pytest.raises(ValidationError) as err:
        _probe.check_target(value)
    assert err.value.option == 'target'
    assert reason in str(err.value)
    assert repr(value) in str(err.value)


def _options(**kwargs):
    values = dict(port=None, count=3, timeout=2.0, interval=0.2, max_hops=30)
    values.update(kwargs)
    return _probe.ProbeOptions(**values)


@pytest.mark.parametrize('probe_type, options, option, value', [
    ('tcp', _options(), 'port', None),
    ('udp', _options(port=0), 'port', 0),
    ('tcp', _options(port=65536), 'port', 65536),
    ('ping', _options(count=0), 'count', 0),
    ('ping', _options(timeout=0.0), 'timeout', 0.0),
    ('ping', _options(interval=-1.0), 'interval', -1.0),
    ('traceroute', _options(max_hops=0), 'max_hops', 0),
    ('traceroute', _options(max_hops=256), 'max_hops', 256),
    ('smtp', _options(), 'type', 'smtp'),
    ('dns', _options(), 'query', None),
])
def test_validate_refuses(probe_type, options, option, value):
    with pytest.raises(ValidationError) as err:
        _probe.validate(probe_type, '10.0.0.1', options)
    assert err.value.option == option
    assert err.value.value == value
    assert "option '%s'" % option in str(err.value)


def test_validate_accepts_and_normalises():
    assert _probe.validate('tcp', '2001:db8::0001', _options(port=80)) == '2001:db8::1'
    assert _probe.validate('ping', '10.0.0.1', _options(port=53)) == '10.0.0.1'
    with pytest.raises(ValidationError):   # checked even where it is not used
        _probe.validate('ping', '10.0.0.1', _options(port=99999))


def test_rtt_summary():
    assert _probe.rtt_summary([]) == {'min': None, 'avg': None, 'max': None}
    assert _probe.rtt_summary([0.001, 0.003]) == {'min': 1.0, 'avg': 2.0, 'max': 3.0}


def test_describe_and_expectation_message():
    target = _probe.Target('10.0.0.2', socket.AF_INET, '10.0.0.2', ('10.0.0.2', 0))
    named = _probe.Target('web', socket.AF_INET, '10.0.0.2', ('10.0.0.2', 80))
    assert _probe.describe('ping', target, None) == 'ping 10.0.0.2'
    assert _probe.describe('tcp', named, 80) == 'tcp web (10.0.0.2) port 80'
    result = {'success': True, '_description': 'ping 10.0.0.2', '_summary': '3/3 replies'}
    assert _probe.expectation_message(result, None, 'ns1') is None
    assert _probe.expectation_message(result, 'success', 'ns1') is None
    assert _probe.expectation_message(result, 'failure', 'ns1') == (
        'probe ping 10.0.0.2 in netns ns1: expected failure but it succeeded (3/3 replies)')
    result['success'] = False
    result['_summary'] = '0/3 replies'
    assert _probe.expectation_message(result, 'failure', None) is None
    assert _probe.expectation_message(result, 'success', None) == (
        'probe ping 10.0.0.2 in the current namespace: expected success but it failed (0/3 replies)')


def test_probe_types_match_module_choices():
    from ansible_collections.linuxnet.plumbing.plugins.modules import probe
    assert "choices: [ping, tcp, udp, traceroute, http, dns]" in probe.DOCUMENTATION
    assert sorted(_probe.PROBE_TYPES) == sorted(['ping', 'tcp', 'udp', 'traceroute', 'http', 'dns'])


# ------------------------------------------------------------ http: targets, options, messages

@pytest.mark.parametrize('target, port, path, expected', [
    ('10.0.0.2', None, None, ('10.0.0.2', 80, '/')),
    ('10.0.0.2', 8080, '/x?y=1', ('10.0.0.2', 8080, '/x?y=1')),
    ('2001:db8::0002', None, None, ('2001:db8::2', 80, '/')),
    ('[2001:db8::2]', 81, None, ('2001:db8::2', 81, '/')),
    ('web.example', None, '/index.html', ('web.example', 80, '/index.html')),
    ('http://10.0.0.2:8080/path', None, None, ('10.0.0.2', 8080, '/path')),
    ('http://10.0.0.2', None, None, ('10.0.0.2', 80, '/')),
    ('HTTP://10.0.0.2?q=1', None, None, ('10.0.0.2', 80, '/?q=1')),
    ('http://10.0.0.2/a/b?c=d#frag', None, None, ('10.0.0.2', 80, '/a/b?c=d')),
    ('http://[2001:db8::2]:8080/', None, None, ('2001:db8::2', 8080, '/')),
    ('http://[2001:db8::2]', None, None, ('2001:db8::2', 80, '/')),
    ('http://server1:3000/', None, None, ('server1', 3000, '/')),
])
def test_parse_http_target_accepts(target, port, path, expected):
    assert _probe.parse_http_target(target, port, path) == expected


@pytest.mark.parametrize('target, port, path, option, reason', [
    ('https://10.0.0.2/', None, None, 'target', 'only http:// URLs'),
    ('ftp://10.0.0.2/', None, None, 'target', 'only http:// URLs'),
    ('http://10.0.0.2:8080/', 8080, None, 'port', 'cannot be given with a URL target'),
    ('http://10.0.0.2/', None, '/x', 'path', 'cannot be given with a URL target'),
    ('http://10.0.0.2:0/', None, None, 'target', 'outside the port range'),
    ('http://10.0.0.2:70000/', None, None, 'target', 'outside the port range'),
    ('http://10.0.0.2:http/', None, None, 'target', 'outside the port range'),
    ('http://2001:db8::2/', None, None, 'target', 'put it in brackets'),
    ('http://[2001:db8::2/', None, None, 'target', 'without its closing bracket'),
    ('http://user:pw@10.0.0.2/', None, None, 'target', 'user information'),
    ('http:///x', None, None, 'target', 'without a host'),
    ('http://10.0.0.300/', None, None, 'target', "has the host '10.0.0.300'"),
    ('http://bad_name!/', None, None, 'target', 'neither an IP address nor a valid host name'),
    ('http://10.0.0.2/a b', None, None, 'target', 'percent-encode'),
    ('10.0.0.2', None, 'index.html', 'path', 'starts with /'),
    ('10.0.0.2', None, '/a\nHost: evil', 'path', 'control character'),
])
def test_parse_http_target_refuses(target, port, path, option, reason):
    with pytest.raises(ValidationError) as err:
        _probe.parse_http_target(target, port, path)
    assert err.value.option == option
    assert reason in str(err.value)


def test_prepare_http_fills_port_and_path():
    target, options = _probe.prepare('http', 'http://[2001:db8::2]:8080/x', _options())
    assert target == '2001:db8::2'
    assert (options.port, options.path) == (8080, '/x')
    target, options = _probe.prepare('http', '10.0.0.2', _options())
    assert (target, options.port, options.path, options.max_body) == ('10.0.0.2', 80, '/', 4096)


@pytest.mark.parametrize('probe_type, options, option, value', [
    ('http', _options(max_body=-1), 'max_body', -1),
    ('http', _options(max_body=2 * 1024 * 1024), 'max_body', 2 * 1024 * 1024),
    ('http', _options(expect_status=99), 'expect_status', 99),
    ('http', _options(expect_status=600), 'expect_status', 600),
    ('http', _options(port=0), 'port', 0),
    ('tcp', _options(port=80, path='/'), 'path', '/'),
    ('ping', _options(expect_status=200), 'expect_status', 200),
    ('udp', _options(port=53, expect_body='x'), 'expect_body', 'x'),
])
def test_prepare_http_refuses(probe_type, options, option, value):
    with pytest.raises(ValidationError) as err:
        _probe.prepare(probe_type, '10.0.0.1', options)
    assert err.value.option == option
    assert err.value.value == value


def test_expect_with_http_checks():
    assert _probe.effective_expect(None, _options()) is None
    assert _probe.effective_expect(None, _options(expect_status=200)) == 'success'
    assert _probe.effective_expect(None, _options(expect_body='')) == 'success'
    assert _probe.effective_expect('success', _options(expect_body='x')) == 'success'
    _probe.check_expect('success', _options(expect_status=200))
    _probe.check_expect('failure', _options())
    with pytest.raises(ValidationError) as err:
        _probe.check_expect('failure', _options(expect_body='x'))
    assert err.value.option == 'expect'
    assert 'expect_body' in str(err.value)


def test_http_url_and_describe():
    assert _probe.http_url('10.0.0.2', 80, '/') == 'http://10.0.0.2/'
    assert _probe.http_url('2001:db8::2', 8080, '/x?y') == 'http://[2001:db8::2]:8080/x?y'
    named = _probe.Target('web', socket.AF_INET, '10.0.0.2', ('10.0.0.2', 80))
    assert _probe.describe('http', named, 8080, '/a') == 'http http://web:8080/a (10.0.0.2)'


def test_http_expectation_messages():
    assert _probe._http_expected(_options()) is None
    assert _probe._http_expected(_options(expect_status=200, expect_body='server1')) == (
        "status 200 and a body containing 'server1'")
    result = {'success': False, '_description': 'http http://10.0.0.2:8080/', '_summary': '404 Not Found',
              '_expected': 'status 200'}
    assert _probe.expectation_message(result, 'success', 'ns1') == (
        'probe http http://10.0.0.2:8080/ in netns ns1: expected status 200 but got 404 Not Found')
    result['_expected'] = None
    assert _probe.expectation_message(result, 'success', 'ns1') == (
        'probe http http://10.0.0.2:8080/ in netns ns1: expected success but it failed (404 Not Found)')


# ------------------------------------------------------------ http: a real server on the loopback


@pytest.fixture(name='http_server')
def fixture_http_server():
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):   # quiet
            pass

        def do_GET(self):  # noqa: N802 (the name http.server calls)
            if self.path == '/big':
                body = b'x' * 10000
                ctype = 'text/plain'
            elif self.path == '/latin1':
                body = u'caf\u00e9'.encode('latin-1')
                ctype = 'text/plain; charset=iso-8859-1'
            elif self.path == '/missing':
                self.send_error(404)
                return
            elif self.path == '/garbage':
                self.wfile.write(b'SSH-2.0-not-http\r\n')
                return
            else:
                body = ('hello from %s, you are %s' % (self.path, self.client_address[0])).encode()
                ctype = 'text/plain; charset=utf-8'
            self.send_response(200)
            self.send_header('Content-Type', ctype)
            self.send_header('Content-Length', str(len(body)))
            self.send_header('X-Twice', 'a')
            self.send_header('X-Twice', 'b')
            self.end_headers()
            self.wfile.write(body)

    server = HTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.daemon = True
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _http(port, path='/', **kwargs):
    target = _probe.Target('127.0.0.1', socket.AF_INET, '127.0.0.1', ('127.0.0.1', port))
    return _probe.probe_http(target, _options(port=port, path=path, **kwargs))


def test_probe_http_ok(http_server):
    outcome = _http(http_server, '/hi')
    assert outcome.success
    assert outcome.values['status'] == 200
    assert outcome.values['reason'] == 'OK'
    assert outcome.values['body'] == 'hello from /hi, you are 127.0.0.1'
    assert outcome.values['headers']['content-type'] == 'text/plain; charset=utf-8'
    assert outcome.values['headers']['x-twice'] == 'a, b'
    assert outcome.values['error'] is None
    assert outcome.values['rtt_ms']['avg'] > 0
    assert not outcome.values['body_truncated']
    assert outcome.summary == '200 OK'
    assert outcome.detail.startswith('200 OK, 33 bytes in ')


def test_probe_http_truncates_and_decodes(http_server):
    outcome = _http(http_server, '/big', max_body=100)
    assert outcome.values['body'] == 'x' * 100
    assert outcome.values['body_truncated']
    assert 'truncated at max_body' in outcome.detail
    assert _http(http_server, '/latin1').values['body'] == u'caf\u00e9'
    outcome = _http(http_server, '/big', max_body=0)
    assert outcome.values['body'] == ''
    assert outcome.values['body_truncated']


def test_probe_http_status_and_body_checks(http_server):
    missing = _http(http_server, '/missing')
    assert not missing.success
    assert missing.values['status'] == 404
    assert missing.summary == '404 Not Found'
    assert missing.detail.endswith('; expected a status below 400')
    assert _http(http_server, '/missing', expect_status=404).success
    wrong = _http(http_server, '/', expect_status=201)
    assert not wrong.success
    assert wrong.values['_expected'] == 'status 201'
    body = _http(http_server, '/', expect_body='server1')
    assert not body.success
    assert body.summary == "200 OK, body 'hello from /, you are 127.0.0.1'"
    assert _http(http_server, '/', expect_status=200, expect_body='you are 127.0.0.1').success


def test_probe_http_no_response(http_server):
    garbage = _http(http_server, '/garbage')
    assert not garbage.success
    assert garbage.values['status'] is None
    assert garbage.values['error'].startswith('not an HTTP response')
    free = socket.socket()
    free.bind(('127.0.0.1', 0))
    port = free.getsockname()[1]
    free.close()   # nobody listens there now
    refused = _http(port)
    assert not refused.success
    assert refused.values['error'] == 'connection refused'
    assert refused.summary == 'no response: connection refused'
    assert refused.values['body'] is None
    assert refused.values['headers'] == {}
