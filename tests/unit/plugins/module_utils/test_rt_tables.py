# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rt_tables parsing and table name lookup (pure logic, temporary files)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.rt_tables import (
    RtTables,
    etc_dir_for,
    parse_rt_tables,
    table_files,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

DEBIAN_RT_TABLES = """#
# reserved values
#
255\tlocal
254\tmain
253\tdefault
0\tunspec
#
# local
#
#1\tinr.ruhep
"""


def test_parse_debian_file():
    assert parse_rt_tables(DEBIAN_RT_TABLES) == [(255, 'local'), (254, 'main'), (253, 'default'), (0, 'unspec')]


def test_parse_hex_comments_and_garbage():
    text = "0x64 isp1 # trailing comment\n  200   isp2\nnot-a-number foo\n300\n4294967296 too_big\n\n# 5 commented\n"
    assert parse_rt_tables(text) == [(100, 'isp1'), (200, 'isp2')]


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_load_reads_usr_then_etc_and_conf_dirs(tmp_path):
    usr = tmp_path / 'usr'
    etc = tmp_path / 'etc'
    _write(usr / 'rt_tables', '100 vendor\n101 shared\n')
    _write(etc / 'rt_tables', DEBIAN_RT_TABLES + '102 shared\n')
    _write(etc / 'rt_tables.d' / 'b.conf', '1000 lnp_test\n')
    _write(etc / 'rt_tables.d' / 'a.conf', '999 first\n')
    _write(etc / 'rt_tables.d' / 'ignored.txt', '998 ignored\n')
    tables = RtTables.load(etc_dir=str(etc), usr_dirs=(str(usr),))
    assert tables.lookup('table', 'vendor') == 100
    assert tables.lookup('table', 'shared') == 102      # /etc wins
    assert tables.lookup('table', 'lnp_test') == 1000
    assert tables.lookup('table', 'first') == 999
    with pytest.raises(ValidationError):
        tables.lookup('table', 'ignored')
    files = table_files(str(etc), (str(usr),))
    assert files.index(str(etc / 'rt_tables.d' / 'a.conf')) < files.index(str(etc / 'rt_tables.d' / 'b.conf'))


def test_builtins_without_any_file(tmp_path):
    tables = RtTables.load(etc_dir=str(tmp_path / 'none'), usr_dirs=())
    assert tables.lookup('table', 'main') == 254
    assert tables.lookup('table', 'local') == 255
    assert tables.lookup('table', 'default') == 253
    assert tables.name_of(254) == 'main'
    assert tables.name_of(7) is None


def test_netns_own_directory(tmp_path):
    netns_etc = tmp_path / 'netns'
    _write(netns_etc / 'red' / 'iproute2' / 'rt_tables', '42 red_only\n')
    assert etc_dir_for('red', '/etc/iproute2', str(netns_etc)) == str(netns_etc / 'red' / 'iproute2')
    assert etc_dir_for('blue', '/etc/iproute2', str(netns_etc)) == '/etc/iproute2'
    assert etc_dir_for(None, '/etc/iproute2', str(netns_etc)) == '/etc/iproute2'
    tables = RtTables.load('red', etc_dir=str(tmp_path / 'etc'), usr_dirs=(), netns_etc_dir=str(netns_etc))
    assert tables.lookup('table', 'red_only') == 42


@pytest.mark.parametrize('value, number', [(100, 100), ('100', 100), (' 0x64 ', 100), ('main', 254),
                                           (4294967295, 4294967295)])
def test_lookup_numbers(value, number):
    assert RtTables().lookup('table', value) == number


@pytest.mark.parametrize('value, words', [
    ('nope', 'not a routing table number nor a name'),
    (0, 'outside the routing table range 1-4294967295'),
    (4294967296, 'outside the routing table range'),
    ('-1', 'outside the routing table range'),
    (True, 'not a routing table number'),
])
def test_lookup_errors_name_option_and_value(value, words):
    with pytest.raises(ValidationError) as err:
        RtTables().lookup('table', value)
    assert "option 'table'" in str(err.value)
    assert repr(value) in str(err.value)
    assert words in str(err.value)


def test_unknown_name_lists_known_names():
    with pytest.raises(ValidationError) as err:
        RtTables([(100, 'isp1')]).lookup('table', 'isp2')
    assert 'isp1 (100)' in str(err.value)
    assert 'unspec' not in str(err.value)


def test_zero_allowed_when_asked():
    assert RtTables().lookup('table', 0, allow_zero=True) == 0


def test_name_of_prefers_builtin_then_alphabetical():
    tables = RtTables([(254, 'zzz'), (100, 'b'), (100, 'a')])
    assert tables.name_of(254) == 'main'
    assert tables.name_of(100) == 'a'
