# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_sysctl's boot-order scan of the sysctl.d directories (boot_overrides).

Every test builds a fake root in tmp_path (ROOT/etc/sysctl.d, ROOT/run/sysctl.d,
ROOT/usr/lib/sysctl.d, ...) and reads it as systemd-sysctl would: nothing here
touches /etc or /proc.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

try:
    import ansible_collections.linuxnet.plumbing  # noqa: F401  pylint: disable=unused-import
except ImportError:  # plain pytest from the checkout: collections/ holds the link
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'collections'))

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import sysctl as _sysctl  # noqa: E402

GLOB = _sysctl.parse_key('name', 'net.ipv4.conf.*.rp_filter')
ALL = _sysctl.parse_key('name', 'net.ipv4.conf.all.rp_filter')
DEFAULT = _sysctl.parse_key('name', 'net.ipv4.conf.default.rp_filter')
LO = _sysctl.parse_key('name', 'net.ipv4.conf.lo.rp_filter')


def _write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def _persist(root, name='99-zz-test.conf'):
    return str(root / 'etc' / 'sysctl.d' / name)


def _new_lines(path, keys, value):
    lines = _sysctl.read_lines(path)
    for key in keys:
        lines = _sysctl.render_persist(lines, key, value)
    return lines


def _overrides(root, keys, value, persist=None):
    persist = persist or _persist(root)
    return _sysctl.boot_overrides(persist, _new_lines(persist, keys, value), keys, value)


def _short(found):
    """(key, file name, line, assigned, value) per entry."""
    return [(o['key'], os.path.basename(o['file']), o['line'], o['assigned'], o['value']) for o in found]


# -- where the scan happens -------------------------------------------------------

def test_sysctl_d_root():
    assert _sysctl.sysctl_d_root('/etc/sysctl.d/99-linuxnet.conf') == ''
    assert _sysctl.sysctl_d_root('/tmp/x/etc/sysctl.d/99-a.conf') == '/tmp/x'
    assert _sysctl.sysctl_d_root('/tmp/x/etc/sysctl.d/../sysctl.d/99-a.conf') == '/tmp/x'
    assert _sysctl.sysctl_d_root('/tmp/x/99-a.conf') is None
    assert _sysctl.sysctl_d_root('/run/sysctl.d/99-a.conf') is None
    assert _sysctl.sysctl_d_root('/etc/sysctl.conf') is None
    assert _sysctl.sysctl_d_root('/tmp/myetc/sysctl.d/99-a.conf') is None


def test_outside_etc_sysctl_d_no_scan(tmp_path):
    _write(tmp_path, 'etc/sysctl.d/10-strict.conf', 'net.ipv4.conf.lo.rp_filter = 1\n')
    persist = str(tmp_path / 'etc' / '99-zz-test.conf')
    assert _overrides(tmp_path, [GLOB], '2', persist=persist) == []


def test_nothing_to_scan(tmp_path):
    assert _overrides(tmp_path, [GLOB, ALL, DEFAULT], '2') == []


# -- which files, in which order --------------------------------------------------

def test_files_masking_and_name_order(tmp_path):
    _write(tmp_path, 'usr/lib/sysctl.d/50-default.conf', '')
    _write(tmp_path, 'usr/lib/sysctl.d/30-masked.conf', '')
    _write(tmp_path, 'run/sysctl.d/30-masked.conf', '')
    _write(tmp_path, 'etc/sysctl.d/30-masked.conf', '')
    _write(tmp_path, 'usr/local/lib/sysctl.d/20-local.conf', '')
    _write(tmp_path, 'lib/sysctl.d/50-default.conf', '')
    _write(tmp_path, 'lib/sysctl.d/60-lib.conf', '')
    _write(tmp_path, 'etc/sysctl.d/README.sysctl', '')
    _write(tmp_path, 'etc/sysctl.d/.hidden.conf', '')
    (tmp_path / 'etc' / 'sysctl.d' / 'dir.conf').mkdir()
    files = _sysctl.sysctl_d_files(str(tmp_path))
    root = str(tmp_path)
    assert files == [root + '/usr/local/lib/sysctl.d/20-local.conf', root + '/etc/sysctl.d/30-masked.conf',
                     root + '/usr/lib/sysctl.d/50-default.conf', root + '/lib/sysctl.d/60-lib.conf']
    extra = _persist(tmp_path, '40-new.conf')
    assert _sysctl.sysctl_d_files(root, extra=extra)[2] == extra


def test_masked_file_is_not_read(tmp_path):
    _write(tmp_path, 'usr/lib/sysctl.d/50-default.conf', 'net.ipv4.conf.lo.rp_filter = 1\n')
    _write(tmp_path, 'run/sysctl.d/50-default.conf', '# nothing here\n')
    assert _overrides(tmp_path, [GLOB], '2') == []
    # a link to /dev/null masks too
    os.remove(str(tmp_path / 'run' / 'sysctl.d' / '50-default.conf'))
    (tmp_path / 'etc' / 'sysctl.d').mkdir(parents=True)
    os.symlink('/dev/null', str(tmp_path / 'etc' / 'sysctl.d' / '50-default.conf'))
    assert _overrides(tmp_path, [GLOB], '2') == []


def test_masking_file_is_read(tmp_path):
    _write(tmp_path, 'usr/lib/sysctl.d/50-default.conf', 'net.ipv4.conf.lo.rp_filter = 2\n')
    path = _write(tmp_path, 'run/sysctl.d/50-default.conf', 'net.ipv4.conf.lo.rp_filter = 0\n')
    found = _overrides(tmp_path, [GLOB], '2')
    assert found == [{'key': 'net.ipv4.conf.*.rp_filter', 'file': path, 'line': 1,
                      'assigned': 'net.ipv4.conf.lo.rp_filter', 'value': '0'}]


def test_symlink_is_followed(tmp_path):
    # Debian: /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf
    _write(tmp_path, 'etc/sysctl.conf', '# sysctl.conf\nnet.ipv4.conf.all.rp_filter=1\n')
    (tmp_path / 'etc' / 'sysctl.d').mkdir()
    os.symlink('../sysctl.conf', str(tmp_path / 'etc' / 'sysctl.d' / '99-sysctl.conf'))
    persist = _persist(tmp_path, '99-linuxnet.conf')  # sorts before 99-sysctl.conf
    found = _overrides(tmp_path, [ALL], '2', persist=persist)
    assert found == [{'key': 'net.ipv4.conf.all.rp_filter', 'file': str(tmp_path / 'etc/sysctl.d/99-sysctl.conf'),
                      'line': 2, 'assigned': 'net.ipv4.conf.all.rp_filter', 'value': '1'}]
    # a broken link is read as empty
    os.symlink('nowhere.conf', str(tmp_path / 'etc' / 'sysctl.d' / '99-zzzz.conf'))
    assert len(_overrides(tmp_path, [ALL], '2', persist=persist)) == 1


# -- explicit keys: a later file wins ---------------------------------------------

def test_explicit_key_later_file_wins(tmp_path):
    _write(tmp_path, 'etc/sysctl.d/10-early.conf', 'net.ipv4.conf.all.rp_filter = 1\n')
    late = _write(tmp_path, 'usr/lib/sysctl.d/99-zzz-late.conf',
                  '# late\n\nnet.ipv4.conf.default.rp_filter = 1\nnet.ipv4.conf.all.rp_filter = 2\n')
    found = _overrides(tmp_path, [ALL, DEFAULT], '2')
    assert found == [{'key': 'net.ipv4.conf.default.rp_filter', 'file': late, 'line': 3,
                      'assigned': 'net.ipv4.conf.default.rp_filter', 'value': '1'}]


def test_explicit_key_only_the_last_assignment_counts(tmp_path):
    _write(tmp_path, 'etc/sysctl.d/99-zzz-a.conf', 'net.ipv4.conf.all.rp_filter = 1\n')
    _write(tmp_path, 'etc/sysctl.d/99-zzz-b.conf', 'net.ipv4.conf.all.rp_filter = 02\n')
    assert _overrides(tmp_path, [ALL], '2') == []
    _write(tmp_path, 'etc/sysctl.d/99-zzz-b.conf', 'net.ipv4.conf.all.rp_filter = 2\nnet.ipv4.conf.all.rp_filter = 0\n')
    assert _short(_overrides(tmp_path, [ALL], '2')) == [
        ('net.ipv4.conf.all.rp_filter', '99-zzz-b.conf', 2, 'net.ipv4.conf.all.rp_filter', '0')]


def test_explicit_key_spellings_and_dash_prefix(tmp_path):
    _write(tmp_path, 'etc/sysctl.d/99-zzz-late.conf',
           '; comment = 1\n#net.ipv4.conf.all.rp_filter = 0\n-net/ipv4/conf/all/rp_filter\t=  1 \n')
    assert _short(_overrides(tmp_path, [ALL], '2')) == [
        ('net.ipv4.conf.all.rp_filter', '99-zzz-late.conf', 3, 'net/ipv4/conf/all/rp_filter', '1')]


def test_explicit_key_earlier_file_loses(tmp_path):
    _write(tmp_path, 'usr/lib/sysctl.d/50-default.conf', 'net.ipv4.conf.default.rp_filter = 1\n')
    assert _overrides(tmp_path, [DEFAULT], '2') == []


def test_comments_and_bad_lines_ignored(tmp_path):
    _write(tmp_path, 'etc/sysctl.d/99-zzz-late.conf',
           '# net.ipv4.conf.all.rp_filter = 1\n; net.ipv4.conf.all.rp_filter = 1\n'
           'net.ipv4.conf.all.rp_filter\n = 1\nnet..ipv4 = 1\n')
    assert _overrides(tmp_path, [ALL, GLOB], '2') == []


# -- globs: explicit beats glob, the same glob later wins -------------------------

def test_glob_explicit_key_in_any_file_wins(tmp_path):
    early = _write(tmp_path, 'etc/sysctl.d/10-strict.conf', 'net.ipv4.conf.lo.rp_filter = 1\n')
    late = _write(tmp_path, 'usr/lib/sysctl.d/99-zzz-late.conf',
                  'net.ipv4.conf.eth1.rp_filter = 0\nnet.ipv4.conf.eth2.rp_filter = 2\n'
                  'net.ipv4.conf.eth0.100.rp_filter = 1\nnet.ipv6.conf.lo.forwarding = 1\n')
    found = _overrides(tmp_path, [GLOB], '2')
    assert found == [
        {'key': 'net.ipv4.conf.*.rp_filter', 'file': early, 'line': 1,
         'assigned': 'net.ipv4.conf.lo.rp_filter', 'value': '1'},
        {'key': 'net.ipv4.conf.*.rp_filter', 'file': late, 'line': 1,
         'assigned': 'net.ipv4.conf.eth1.rp_filter', 'value': '0'},
        {'key': 'net.ipv4.conf.*.rp_filter', 'file': late, 'line': 3,
         'assigned': 'net.ipv4.conf.eth0.100.rp_filter', 'value': '1'},
    ]


def test_glob_pattern_is_matched_segment_wise(tmp_path):
    _write(tmp_path, 'etc/sysctl.d/10-strict.conf',
           'net.ipv4.conf.eth1.rp_filter = 1\nnet.ipv4.conf.eni7.rp_filter = 1\nnet.ipv4.conf.eni7.log_martians = 1\n')
    eni = _sysctl.parse_key('name', 'net.ipv4.conf.eni*.rp_filter')
    assert _short(_overrides(tmp_path, [eni], '2')) == [
        ('net.ipv4.conf.eni*.rp_filter', '10-strict.conf', 2, 'net.ipv4.conf.eni7.rp_filter', '1')]


def test_glob_same_pattern_later_file_wins(tmp_path):
    _write(tmp_path, 'usr/lib/sysctl.d/50-default.conf', 'net.ipv4.conf.*.rp_filter = 1\n')
    late = _write(tmp_path, 'run/sysctl.d/99-zzz-late.conf', '-net/ipv4/conf/*/rp_filter = 0\n')
    found = _overrides(tmp_path, [GLOB], '2')
    assert found == [{'key': 'net.ipv4.conf.*.rp_filter', 'file': late, 'line': 1,
                      'assigned': 'net/ipv4/conf/*/rp_filter', 'value': '0'}]
    os.remove(late)
    assert _overrides(tmp_path, [GLOB], '2') == []


def test_glob_other_pattern_not_looked_at(tmp_path):
    _write(tmp_path, 'etc/sysctl.d/99-zzz-late.conf', 'net.ipv4.conf.eth*.rp_filter = 1\n')
    assert _overrides(tmp_path, [GLOB], '2') == []


def test_glob_explicit_task_keys_reported_once(tmp_path):
    _write(tmp_path, 'etc/sysctl.d/10-early.conf', 'net.ipv4.conf.all.rp_filter = 1\n')
    _write(tmp_path, 'etc/sysctl.d/99-zzz-late.conf', 'net.ipv4.conf.default.rp_filter = 1\n')
    # all: the task's own explicit line (later) wins; default: reported for the explicit key only
    assert _short(_overrides(tmp_path, [ALL, DEFAULT, GLOB], '2')) == [
        ('net.ipv4.conf.default.rp_filter', '99-zzz-late.conf', 1, 'net.ipv4.conf.default.rp_filter', '1')]


# -- the persist file's new content ----------------------------------------------

def test_persist_file_new_content_used(tmp_path):
    _write(tmp_path, 'etc/sysctl.d/10-strict.conf', 'net.ipv4.conf.lo.rp_filter = 1\n')
    persist = _write(tmp_path, 'etc/sysctl.d/99-zz-test.conf',
                     'net.ipv4.conf.*.rp_filter = 1\nnet.ipv4.conf.all.rp_filter = 1\n')
    # The file on disk says 1 everywhere; its new content says 2: only lo is left.
    assert _short(_overrides(tmp_path, [GLOB, ALL], '2')) == [
        ('net.ipv4.conf.*.rp_filter', '10-strict.conf', 1, 'net.ipv4.conf.lo.rp_filter', '1')]
    # An explicit lo line in the (later) persist file beats 10-strict.conf: nothing left.
    lines = _new_lines(persist, [GLOB, ALL, LO], '2')
    assert _sysctl.boot_overrides(persist, lines, [GLOB], '2') == []
    assert _sysctl.boot_overrides(persist, lines, [LO], '2') == []
    # ... and only the new content counts, not what is on disk.
    assert _sysctl.boot_overrides(persist, ['net.ipv4.conf.*.rp_filter = 2'], [GLOB], '2') != []


def test_persist_file_masks_same_name(tmp_path):
    _write(tmp_path, 'usr/lib/sysctl.d/99-zz-test.conf', 'net.ipv4.conf.all.rp_filter = 0\n')
    persist = _persist(tmp_path)
    assert _sysctl.boot_overrides(persist, ['net.ipv4.conf.all.rp_filter = 2', 'net.ipv4.conf.*.rp_filter = 2'],
                                  [ALL, GLOB], '2') == []


def test_explicit_line_of_the_persist_file_beats_its_glob(tmp_path):
    # An interface pinned by an earlier run with another value (the mode changed since): the pin wins at boot.
    persist = _persist(tmp_path)
    found = _sysctl.boot_overrides(persist, ['net.ipv4.conf.all.rp_filter = 2', 'net.ipv4.conf.lo.rp_filter = 1',
                                             'net.ipv4.conf.*.rp_filter = 2'], [ALL, GLOB], '2')
    assert found == [dict(key='net.ipv4.conf.*.rp_filter', file=persist, line=2,
                          assigned='net.ipv4.conf.lo.rp_filter', value='1')]
    # ... and once the pin carries the glob's value, nothing is left.
    assert _sysctl.boot_overrides(persist, ['net.ipv4.conf.all.rp_filter = 2', 'net.ipv4.conf.lo.rp_filter = 2',
                                            'net.ipv4.conf.*.rp_filter = 2'], [ALL, GLOB], '2') == []


def test_persist_file_sorting_last_wins(tmp_path):
    _write(tmp_path, 'etc/sysctl.d/99-linuxnet.conf', 'net.ipv4.conf.all.rp_filter = 1\n')
    _write(tmp_path, 'usr/lib/sysctl.d/99-sysctl.conf', 'net.ipv4.conf.all.rp_filter = 1\n')
    assert _overrides(tmp_path, [ALL], '2', persist=_persist(tmp_path, '99-zz-linuxnet.conf')) == []
    # Both later files set 1; the last one (99-sysctl.conf) is the assignment that wins at boot.
    assert _short(_overrides(tmp_path, [ALL], '2', persist=_persist(tmp_path, '90-linuxnet.conf'))) == [
        ('net.ipv4.conf.all.rp_filter', '99-sysctl.conf', 1, 'net.ipv4.conf.all.rp_filter', '1')]


def test_values_compared_like_the_kernel(tmp_path):
    _write(tmp_path, 'etc/sysctl.d/99-zzz-late.conf', 'net.ipv4.ip_local_port_range = 20000\t 30000\n')
    key = _sysctl.parse_key('name', 'net.ipv4.ip_local_port_range')
    assert _overrides(tmp_path, [key], '20000 30000') == []
    assert _short(_overrides(tmp_path, [key], '20000 30001')) == [
        ('net.ipv4.ip_local_port_range', '99-zzz-late.conf', 1, 'net.ipv4.ip_local_port_range', '20000 30000')]


def test_dotted_interface_key(tmp_path):
    _write(tmp_path, 'etc/sysctl.d/99-zzz-late.conf', 'net.ipv4.conf.eth0/100.rp_filter = 1\n')
    key = _sysctl.parse_key('name', 'net.ipv4.conf.eth0.100.rp_filter')
    assert _short(_overrides(tmp_path, [key], '2')) == [
        ('net/ipv4/conf/eth0.100/rp_filter', '99-zzz-late.conf', 1, 'net.ipv4.conf.eth0/100.rp_filter', '1')]
