# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the dns probe: queries built and responses parsed from hand-made bytes,
names, reverse names, validation, comparison of answers, resolv.conf. No sockets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import struct

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import dns as _dns
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import probe as _probe
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError


# ------------------------------------------------------------ hand-made messages

def name(text):
    return _dns.encode_name(text)


def record(owner, rtype, rdata, ttl=300, rclass=1):
    return owner + struct.pack('!HHIH', rtype, rclass, ttl, len(rdata)) + rdata


def response(ident, qname, qtype, answers, rcode=0, flags=0x8180, qdcount=1):
    header = struct.pack('!HHHHHH', ident, flags | rcode, qdcount, len(answers), 0, 0)
    question = name(qname) + struct.pack('!HH', qtype, 1) if qdcount else b''
    return header + question + b''.join(answers)


POINTER_TO_QNAME = b'\xc0\x0c'      # the question's name starts right after the 12-byte header


# ------------------------------------------------------------ building

def test_encode_name():
    assert name('www.example.') == b'\x03www\x07example\x00'
    assert name('www.example') == b'\x03www\x07example\x00'
    assert name('.') == b'\x00'


def test_encode_name_refuses_long_labels_and_names():
    with pytest.raises(ValueError):
        name('a' * 64 + '.example')
    with pytest.raises(ValueError):
        name('.'.join(['a' * 63] * 4) + '.')


def test_build_query_bytes():
    msg = _dns.build_query('web.x.test.', 'AAAA', 0x1234)
    assert msg == (b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00'
                   b'\x03web\x01x\x04test\x00\x00\x1c\x00\x01')


def test_build_query_without_recursion():
    assert _dns.build_query('.', 'NS', 1, recursion_desired=False)[2:4] == b'\x00\x00'


# ------------------------------------------------------------ parsing

def test_parse_a_and_aaaa_with_compression():
    data = response(7, 'web.x.test.', 1, [
        record(POINTER_TO_QNAME, 1, socket.inet_aton('192.0.2.10')),
        record(POINTER_TO_QNAME, 28, socket.inet_pton(socket.AF_INET6, '2001:db8::10')),
    ])
    parsed = _dns.parse_response(data, 7, ('web.x.test.', 'A'))
    assert parsed['rcode'] == 'NOERROR'
    assert not parsed['truncated']
    assert parsed['recursion_available']
    assert parsed['records'] == [
        {'name': 'web.x.test.', 'type': 'A', 'ttl': 300, 'data': '192.0.2.10'},
        {'name': 'web.x.test.', 'type': 'AAAA', 'ttl': 300, 'data': '2001:db8::10'},
    ]
    assert _dns.answers_of(parsed['records'], 'A') == ['192.0.2.10']


def test_parse_cname_chain_keeps_both_and_answers_are_the_asked_type():
    # www.x.test. CNAME web.x.test. (web compressed against 'x.test' of the question), web A 192.0.2.10
    cname_rdata = b'\x03web\xc0\x10'     # offset 16: 'x.test.' inside the question name \x03www\x01x...
    data = response(1, 'www.x.test.', 1, [
        record(POINTER_TO_QNAME, 5, cname_rdata),
        record(b'\x03web\xc0\x10', 1, socket.inet_aton('192.0.2.10')),
    ])
    parsed = _dns.parse_response(data, 1, ('www.x.test.', 'A'))
    assert [r['type'] for r in parsed['records']] == ['CNAME', 'A']
    assert parsed['records'][0]['data'] == 'web.x.test.'
    assert parsed['records'][1]['name'] == 'web.x.test.'
    assert _dns.answers_of(parsed['records'], 'A') == ['192.0.2.10']


@pytest.mark.parametrize('rtype, rdata, text', [
    (12, name('web.x.test.'), 'web.x.test.'),
    (2, name('ns1.x.test.'), 'ns1.x.test.'),
    (15, struct.pack('!H', 10) + name('mail.x.test.'), '10 mail.x.test.'),
    (33, struct.pack('!HHH', 0, 5, 5060) + name('sip.x.test.'), '0 5 5060 sip.x.test.'),
    (6, name('ns1.x.test.') + name('admin.x.test.') + struct.pack('!IIIII', 2024, 3600, 600, 86400, 60),
     'ns1.x.test. admin.x.test. 2024 3600 600 86400 60'),
    (16, b'\x0bhello world\x03a"b', '"hello world" "a\\"b"'),
    (16, b'\x02\x01z', '"\\001z"'),
    (99, b'\xab\xcd', '\\# 2 abcd'),
])
def test_rdata_presentation(rtype, rdata, text):
    data = response(3, 'x.test.', rtype, [record(POINTER_TO_QNAME, rtype, rdata)])
    assert _dns.parse_response(data)['records'][0]['data'] == text


def test_unknown_type_is_named_generically():
    data = response(3, 'x.test.', 1, [record(POINTER_TO_QNAME, 99, b'')])
    assert _dns.parse_response(data)['records'][0]['type'] == 'TYPE99'


def test_label_with_dot_and_binary_is_escaped():
    owner = b'\x03a.b\x02\x00z\x00'
    data = response(3, 'x.test.', 1, [record(owner, 1, socket.inet_aton('192.0.2.1'))])
    assert _dns.parse_response(data)['records'][0]['name'] == 'a\\.b.\\000z.'


def test_nxdomain_and_other_rcodes():
    assert _dns.parse_response(response(9, 'gone.x.test.', 1, [], rcode=3))['rcode'] == 'NXDOMAIN'
    assert _dns.parse_response(response(9, 'gone.x.test.', 1, [], rcode=5))['rcode'] == 'REFUSED'
    assert _dns.parse_response(response(9, 'gone.x.test.', 1, [], rcode=15))['rcode'] == 'RCODE15'


def test_not_our_answer_is_refused():
    data = response(7, 'web.x.test.', 1, [])
    with pytest.raises(_dns.DnsFormatError, match='id'):
        _dns.parse_response(data, 8)
    with pytest.raises(_dns.DnsFormatError, match='another question'):
        _dns.parse_response(data, 7, ('web.x.test.', 'AAAA'))
    with pytest.raises(_dns.DnsFormatError, match='another question'):
        _dns.parse_response(data, 7, ('other.x.test.', 'A'))
    # the question's name compares case-insensitively
    assert _dns.parse_response(data, 7, ('WEB.x.Test.', 'A'))['rcode'] == 'NOERROR'


def test_a_query_is_not_a_response():
    with pytest.raises(_dns.DnsFormatError, match='query'):
        _dns.parse_response(_dns.build_query('x.test.', 'A', 1))


@pytest.mark.parametrize('data, message', [
    (b'\x00\x01\x81', 'shorter than a DNS header'),
    (response(1, 'x.test.', 1, [record(b'\xc0\x30', 1, b'\x00' * 4)]), 'pointer'),     # points past the end
    (response(1, 'x.test.', 1, [record(b'\xc0\x18', 1, b'\x00' * 4)]), 'loops'),      # points at itself
    (response(1, 'x.test.', 1, [record(POINTER_TO_QNAME, 1, b'\x00' * 3)]), 'not 4'),
    (response(1, 'x.test.', 1, [record(POINTER_TO_QNAME, 28, b'\x00' * 4)]), 'not 16'),
    (response(1, 'x.test.', 1, [record(POINTER_TO_QNAME, 1, b'\x00' * 4)])[:-2], 'past the end'),
    (response(1, 'x.test.', 1, [record(POINTER_TO_QNAME, 16, b'\x09abc')]), 'TXT'),
    (response(1, 'x.test.', 1, [record(b'\x80abc', 1, b'\x00' * 4)]), 'reserved'),
])
def test_malformed_responses(data, message):
    with pytest.raises(_dns.DnsFormatError, match=message):
        _dns.parse_response(data)


def test_truncated_answer_section_is_tolerated_when_tc_is_set():
    full = response(1, 'x.test.', 1, [record(POINTER_TO_QNAME, 1, b'\x00' * 4)] * 3, flags=0x8380)
    parsed = _dns.parse_response(full[:-7])
    assert parsed['truncated']
    assert len(parsed['records']) == 2


# ------------------------------------------------------------ names and validation

@pytest.mark.parametrize('address, reverse', [
    ('192.0.2.10', '10.2.0.192.in-addr.arpa.'),
    ('2001:db8::1', '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.'),
])
def test_reverse_name(address, reverse):
    assert _dns.reverse_name(address) == reverse
    assert _dns.check_query(address, 'PTR') == reverse


@pytest.mark.parametrize('value, record_type, expected', [
    ('web.x.test', 'A', 'web.x.test.'),
    ('Web.X.Test.', 'A', 'Web.X.Test.'),
    ('_sip._udp.x.test', 'SRV', '_sip._udp.x.test.'),
    ('*.x.test', 'A', '*.x.test.'),
    ('.', 'NS', '.'),
    ('10.2.0.192.in-addr.arpa', 'PTR', '10.2.0.192.in-addr.arpa.'),
])
def test_check_query_accepts(value, record_type, expected):
    assert _dns.check_query(value, record_type) == expected


@pytest.mark.parametrize('value, record_type, reason', [
    (None, 'A', 'required'),
    ('', 'A', 'empty'),
    ('192.0.2.10', 'A', 'use record_type PTR'),
    ('2001:db8::1', 'AAAA', 'use record_type PTR'),
    ('2001:db8::zz', 'PTR', 'neither'),
    ('bad name.x.test', 'A', 'not a valid domain name'),
    ('-web.x.test', 'A', 'not a valid domain name'),
    ('a..b', 'A', 'not a valid domain name'),
    ('a' * 64 + '.test', 'A', 'not a valid domain name'),
    ('.'.join(['a' * 60] * 5), 'A', 'at most 253'),
    ('bücher.test', 'A', 'punycode'),
    ('x.test\nserver=1.2.3.4', 'A', 'not a valid domain name'),
])
def test_check_query_refuses(value, record_type, reason):
    with pytest.raises(ValidationError) as err:
        _dns.check_query(value, record_type)
    assert err.value.option == 'query'
    assert err.value.value == value
    assert reason in err.value.reason


def test_record_type_is_case_insensitive_and_checked():
    assert _dns.check_record_type('aaaa') == 'AAAA'
    assert _dns.check_record_type(None) == 'A'
    with pytest.raises(ValidationError) as err:
        _dns.check_record_type('AXFR')
    assert err.value.option == 'record_type' and err.value.value == 'AXFR'
    assert 'SRV' in err.value.reason


@pytest.mark.parametrize('record_type, answer, expected', [
    ('AAAA', '2001:db8::10', '2001:DB8:0::10'),
    ('PTR', 'web.x.test.', 'Web.X.test'),
    ('MX', '10 mail.x.test.', '10 MAIL.x.test'),
    ('SRV', '0 5 5060 sip.x.test.', '0 5 5060 sip.x.test'),
    ('TXT', '"hello world"', 'hello world'),
    ('SOA', 'ns1.x.test. admin.x.test. 1 2 3 4 5', 'ns1.x.test admin.x.test 1 2 3 4 5'),
])
def test_canonical_matches_equivalent_forms(record_type, answer, expected):
    assert _dns.canonical(record_type, answer) == _dns.canonical(record_type, expected)


def test_expect_answer_checks_families():
    assert _dns.check_expect_answer(['192.0.2.10'], 'A') == ['192.0.2.10']
    with pytest.raises(ValidationError) as err:
        _dns.check_expect_answer(['2001:db8::1'], 'A')
    assert err.value.option == 'expect_answer' and 'IPv6' in err.value.reason
    with pytest.raises(ValidationError):
        _dns.check_expect_answer(['web.x.test'], 'AAAA')
    with pytest.raises(ValidationError):
        _dns.check_expect_answer([''], 'PTR')


def test_evaluate():
    records = [{'name': 'www.', 'type': 'CNAME', 'ttl': 0, 'data': 'web.'},
               {'name': 'web.', 'type': 'A', 'ttl': 0, 'data': '192.0.2.10'},
               {'name': 'web.', 'type': 'A', 'ttl': 0, 'data': '192.0.2.11'}]
    ok = {'error': None, 'rcode': 'NOERROR', 'records': records}
    assert _dns.evaluate(ok, 'A', None) == (True, ['192.0.2.10', '192.0.2.11'], [])
    assert _dns.evaluate(ok, 'A', ['192.0.2.11', '192.0.2.10']) == (True, ['192.0.2.10', '192.0.2.11'], [])
    assert _dns.evaluate(ok, 'A', ['192.0.2.12'])[0::2] == (False, ['192.0.2.12'])
    assert _dns.evaluate(ok, 'AAAA', None)[0] is False      # no data of that type
    assert _dns.evaluate({'error': None, 'rcode': 'NXDOMAIN', 'records': []}, 'A', None)[0] is False
    assert _dns.evaluate({'error': 'no answer within 1 s'}, 'A', ['192.0.2.10']) == (False, [], ['192.0.2.10'])


# ------------------------------------------------------------ resolv.conf

def test_parse_resolv_conf():
    text = ('# comment\n; nameserver 192.0.2.99\nsearch lab\nnameserver 10.0.2.1\n'
            'nameserver fe80::1%eth0\nnameserver not-an-address\nnameserver 2001:db8::53\nnameserver 10.0.2.4\n')
    assert _dns.parse_resolv_conf(text) == ['10.0.2.1', 'fe80::1%eth0', '2001:db8::53']


def test_resolv_conf_path_prefers_the_namespace_file(tmp_path):
    own = tmp_path / 'ns1'
    own.mkdir()
    (own / 'resolv.conf').write_text(u'nameserver 10.0.2.1\n')
    assert _dns.resolv_conf_path('ns1', str(tmp_path), '/x') == str(own / 'resolv.conf')
    assert _dns.resolv_conf_path('ns2', str(tmp_path), '/x') == '/x'
    assert _dns.resolv_conf_path(None, str(tmp_path), '/x') == '/x'


# ------------------------------------------------------------ probe glue

def _options(**kw):
    base = dict(port=None, count=1, timeout=1.0, interval=0.2, max_hops=30)
    base.update(kw)
    return _probe.ProbeOptions(**base)


def test_prepare_dns_defaults_and_no_target():
    target, options = _probe.prepare('dns', None, _options(query='192.0.2.10', record_type='ptr'))
    assert target is None
    assert options.query == '10.2.0.192.in-addr.arpa.'
    assert options.record_type == 'PTR'
    assert options.protocol == 'udp'
    assert options.port == 53


@pytest.mark.parametrize('probe_type, kw, option', [
    ('ping', dict(query='x.test'), 'query'),
    ('tcp', dict(port=53, record_type='A'), 'record_type'),
    ('http', dict(expect_answer=['x']), 'expect_answer'),
    ('dns', dict(query='x.test', record_type='BOGUS'), 'record_type'),
    ('dns', dict(query='x.test', protocol='sctp'), 'protocol'),
    ('dns', dict(query='x.test', expect_answer=['2001:db8::1']), 'expect_answer'),
])
def test_prepare_refuses(probe_type, kw, option):
    with pytest.raises(ValidationError) as err:
        _probe.prepare(probe_type, '10.0.0.1', _options(**kw))
    assert err.value.option == option


def test_target_required_except_for_dns():
    with pytest.raises(ValidationError) as err:
        _probe.prepare('ping', None, _options())
    assert err.value.option == 'target'


def test_expect_answer_implies_success_and_conflicts_with_failure():
    options = _options(query='x.test', expect_answer=['192.0.2.1'])
    assert _probe.effective_expect(None, options) == 'success'
    with pytest.raises(ValidationError) as err:
        _probe.check_expect('failure', options)
    assert 'expect_answer' in err.value.reason


def test_describe():
    options = _probe.prepare('dns', '10.0.2.1', _options(query='web.lab', protocol='tcp'))[1]
    assert _dns.describe(options, '10.0.2.1', 53) == 'dns web.lab. A at 10.0.2.1 over tcp'
    assert _dns.describe(options._replace(protocol='udp'), '10.0.2.1', 5353) == 'dns web.lab. A at 10.0.2.1 port 5353'
