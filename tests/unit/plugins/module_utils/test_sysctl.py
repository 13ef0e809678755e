# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of _sysctl: key parsing, value comparison, sysctl.d rendering."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

import pytest

try:
    import ansible_collections.linuxnet.plumbing  # noqa: F401  pylint: disable=unused-import
except ImportError:  # plain pytest from the checkout: collections/ holds the link
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'collections'))

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import sysctl as _sysctl  # noqa: E402
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError  # noqa: E402


@pytest.mark.parametrize('text, parts, dotted, persist', [
    ('net.ipv4.ip_forward', ('net', 'ipv4', 'ip_forward'), 'net.ipv4.ip_forward', 'net.ipv4.ip_forward'),
    ('net.ipv4.conf.eth0/100.rp_filter', ('net', 'ipv4', 'conf', 'eth0.100', 'rp_filter'),
     'net.ipv4.conf.eth0/100.rp_filter', 'net/ipv4/conf/eth0.100/rp_filter'),
    ('net.ipv4.conf.eth0.100.rp_filter', ('net', 'ipv4', 'conf', 'eth0.100', 'rp_filter'),
     'net.ipv4.conf.eth0/100.rp_filter', 'net/ipv4/conf/eth0.100/rp_filter'),
    ('net/ipv4/conf/eth0.100/rp_filter', ('net', 'ipv4', 'conf', 'eth0.100', 'rp_filter'),
     'net.ipv4.conf.eth0/100.rp_filter', 'net/ipv4/conf/eth0.100/rp_filter'),
    ('/net/ipv6/conf/all/forwarding', ('net', 'ipv6', 'conf', 'all', 'forwarding'),
     'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.all.forwarding'),
    ('  net.ipv4.conf.*.rp_filter ', ('net', 'ipv4', 'conf', '*', 'rp_filter'),
     'net.ipv4.conf.*.rp_filter', 'net.ipv4.conf.*.rp_filter'),
    ('net.ipv6.neigh.a.b.c.retrans_time_ms', ('net', 'ipv6', 'neigh', 'a.b.c', 'retrans_time_ms'),
     'net.ipv6.neigh.a/b/c.retrans_time_ms', 'net/ipv6/neigh/a.b.c/retrans_time_ms'),
])
def test_parse_key_forms(text, parts, dotted, persist):
    key = _sysctl.parse_key('name', text)
    assert key.parts == parts
    assert key.dotted == dotted
    assert key.persist_form == persist
    assert key.path == '/proc/sys/' + '/'.join(parts)


def test_glob_and_interface():
    key = _sysctl.parse_key('name', 'net.ipv4.conf.eni*.rp_filter')
    assert key.is_glob
    assert key.interface == 'eni*'
    assert key.with_interface('eni1').dotted == 'net.ipv4.conf.eni1.rp_filter'
    assert not _sysctl.parse_key('name', 'net.ipv4.ip_forward').is_glob
    assert _sysctl.parse_key('name', 'net.ipv4.ip_forward').interface is None


@pytest.mark.parametrize('text, reason', [
    ('kernel.hostname', 'outside net.*'),
    ('net', 'outside net.*'),
    ('', 'is empty'),
    ('net..ipv4', 'empty segment'),
    ('net/ipv4/../../kernel/x', 'invalid segment'),
    ('net.ipv4.*', 'wildcard outside the interface position'),
    ('net.ipv4.conf.*.rp_*', 'wildcard outside the interface position'),
    ('net.core.*.x.y', 'wildcard outside the interface position'),
    ('net.ipv4.conf.eth 0.rp_filter', 'invalid segment'),
])
def test_parse_key_refused(text, reason):
    with pytest.raises(ValidationError) as err:
        _sysctl.parse_key('name', text)
    assert "option 'name'" in str(err.value)
    assert reason in str(err.value)
    assert err.value.value == text


def test_parse_key_not_string():
    with pytest.raises(ValidationError):
        _sysctl.parse_key('name', 5)


def test_keys_equal_across_spellings():
    a = _sysctl.parse_key('name', 'net.ipv4.conf.eth0/100.rp_filter')
    b = _sysctl.parse_key('name', 'net/ipv4/conf/eth0.100/rp_filter')
    assert a == b and hash(a) == hash(b)
    assert a != _sysctl.parse_key('name', 'net.ipv4.conf.eth0.rp_filter')


@pytest.mark.parametrize('current, desired, same', [
    ('32768\t60999', '32768 60999', True),
    ('1', '01', True),
    ('1', '1 ', True),
    ('-1', '-01', True),
    ('0', '1', False),
    ('abc', 'abc', True),
    ('1 2', '1', False),
    (None, '1', False),
])
def test_same_value(current, desired, same):
    assert _sysctl.same_value(current, desired) is same


@pytest.mark.parametrize('value, text', [
    (1, '1'), ('2', '2'), (True, '1'), (False, '0'), ([32768, 60999], '32768 60999'),
    ('  4096\t 87380   6291456 ', '4096 87380 6291456'),
])
def test_value_text(value, text):
    assert _sysctl.value_text('value', value) == text


@pytest.mark.parametrize('value', [None, '', '   ', [], {'a': 1}])
def test_value_text_refused(value):
    with pytest.raises(ValidationError) as err:
        _sysctl.value_text('value', value)
    assert "option 'value'" in str(err.value)


def test_sort_entries():
    assert _sysctl.sort_entries(['veth0', 'default', 'lo', 'all', 'eth0']) == ['all', 'default', 'eth0', 'lo', 'veth0']


GLOB = _sysctl.parse_key('name', 'net.ipv4.conf.*.rp_filter')


def test_render_appends_with_header_to_empty_file():
    out = _sysctl.render_persist([], GLOB, '2')
    assert out[-1] == 'net.ipv4.conf.*.rp_filter = 2'
    assert out[0].startswith('#')


def test_render_surgical_update_in_place():
    lines = ['# mine', 'net.core.somaxconn=1024', '', '-net/ipv4/conf/*/rp_filter=1', 'kernel.panic = 10']
    out = _sysctl.render_persist(lines, GLOB, '2')
    assert out == ['# mine', 'net.core.somaxconn=1024', '', '-net.ipv4.conf.*.rp_filter = 2', 'kernel.panic = 10']
    assert _sysctl.persisted_value(lines, GLOB) == '1'
    assert _sysctl.persisted_value(out, GLOB) == '2'


def test_render_keeps_identical_line_verbatim():
    lines = ['net.ipv4.conf.*.rp_filter\t=\t2', 'x.y = 1']
    assert _sysctl.render_persist(lines, GLOB, '2') == lines


def test_render_appends_to_foreign_file_without_header():
    lines = ['# theirs', 'net.core.somaxconn = 1024']
    assert _sysctl.render_persist(lines, GLOB, '2') == lines + ['net.ipv4.conf.*.rp_filter = 2']


def test_render_remove():
    lines = ['a.b = 1', 'net.ipv4.conf.*.rp_filter = 2', '; comment', 'net.ipv4.conf.*.rp_filter = 1']
    assert _sysctl.render_persist(lines, GLOB, None) == ['a.b = 1', '; comment']
    assert _sysctl.persisted_value(lines, GLOB) == '1'
    assert _sysctl.render_persist(['a.b = 1'], GLOB, None) == ['a.b = 1']


def test_render_dotted_interface_uses_slash_form():
    key = _sysctl.parse_key('name', 'net.ipv4.conf.eth0/100.rp_filter')
    out = _sysctl.render_persist([], key, '2')
    assert out[-1] == 'net/ipv4/conf/eth0.100/rp_filter = 2'
    # both spellings of the existing line are recognised as the same key
    assert _sysctl.render_persist(['net.ipv4.conf.eth0/100.rp_filter = 2'], key, '2') == [
        'net.ipv4.conf.eth0/100.rp_filter = 2']


def test_expand_in_fake_tree(tmp_path, monkeypatch):
    conf = tmp_path / 'net' / 'ipv4' / 'conf'
    for name in ('all', 'default', 'lo', 'eth0.100', 'eni1'):
        (conf / name).mkdir(parents=True)
        (conf / name / 'rp_filter').write_text(u'1\n')
    (tmp_path / 'net' / 'ipv4' / 'ip_forward').write_text(u'0\n')
    monkeypatch.setattr(_sysctl, 'SYSCTL_ROOT', str(tmp_path))
    found = _sysctl.expand('name', GLOB)
    assert [k.dotted for k in found] == ['net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter',
                                         'net.ipv4.conf.eni1.rp_filter', 'net.ipv4.conf.eth0/100.rp_filter',
                                         'net.ipv4.conf.lo.rp_filter']
    assert _sysctl.expand('name', _sysctl.parse_key('name', 'net.ipv4.conf.eni*.rp_filter')) == [
        _sysctl.parse_key('name', 'net.ipv4.conf.eni1.rp_filter')]
    assert _sysctl.expand('name', _sysctl.parse_key('name', 'net.ipv4.conf.x*.rp_filter')) == []
    with pytest.raises(ValidationError) as err:
        _sysctl.expand('name', _sysctl.parse_key('name', 'net.ipv4.conf.*.nope'))
    assert "no entry of" in str(err.value)
    with pytest.raises(ValidationError):
        _sysctl.expand('name', _sysctl.parse_key('name', 'net.ipv4.conf.eth1.rp_filter'), netns='ns1')
    with pytest.raises(ValidationError) as err:
        _sysctl.expand('name', _sysctl.parse_key('name', 'net.ipv4.conf'))
    assert 'directory' in str(err.value)
    assert _sysctl.expand('name', _sysctl.parse_key('name', 'net.ipv4.conf.eth1.rp_filter'), must_exist=False) == []
    key = _sysctl.parse_key('name', 'net.ipv4.ip_forward')
    assert _sysctl.read_value(key) == '0'
    _sysctl.write_value(key, '1')
    assert _sysctl.read_value(key) == '1'
    os.chmod(key.path, 0o444)
    assert _sysctl.is_read_only(key)
