# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Routing table names <-> numbers, the way iproute2 reads them.

iproute2 knows ``local`` (255), ``main`` (254) and ``default`` (253) by
itself and reads further names from ``rt_tables`` and ``rt_tables.d/*.conf``
under ``/usr/share/iproute2`` or ``/usr/lib/iproute2`` (the distribution's
defaults, newer iproute2) and ``/etc/iproute2`` (the administrator's, which
wins). ``ip netns exec NAME`` bind-mounts ``/etc/netns/NAME/iproute2`` over
``/etc/iproute2``; a namespace's own directory is honoured the same way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

BUILTIN_TABLES = {'default': 253, 'main': 254, 'local': 255}
RT_TABLE_MAX = 4294967295
ETC_DIR = '/etc/iproute2'
USR_DIRS = ('/usr/lib/iproute2', '/usr/share/iproute2')
NETNS_ETC_DIR = '/etc/netns'


def parse_rt_tables(text):
    """The (number, name) pairs of one rt_tables file, in file order.

    Lines are ``NUMBER NAME`` (decimal or 0x hex); ``#`` starts a comment;
    malformed lines are skipped (iproute2 complains and ignores them too).
    """
    out = []
    for line in text.splitlines():
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) < 2:
            continue
        try:
            number = int(fields[0], 0)
        except ValueError:
            continue
        if not 0 <= number <= RT_TABLE_MAX:
            continue
        out.append((number, fields[1]))
    return out


def _read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def table_files(etc_dir=ETC_DIR, usr_dirs=USR_DIRS):
    """The files to read, lowest precedence first."""
    files = []
    for base in tuple(usr_dirs) + (etc_dir,):
        files.append(os.path.join(base, 'rt_tables'))
        conf_dir = os.path.join(base, 'rt_tables.d')
        try:
            names = sorted(os.listdir(conf_dir))
        except OSError:
            names = []
        files.extend(os.path.join(conf_dir, n) for n in names if n.endswith('.conf'))
    return files


def etc_dir_for(netns, etc_dir=ETC_DIR, netns_etc_dir=NETNS_ETC_DIR):
    """/etc/netns/NAME/iproute2 when it exists (what `ip netns exec` shows), else /etc/iproute2."""
    if netns:
        own = os.path.join(netns_etc_dir, netns, 'iproute2')
        if os.path.isdir(own):
            return own
    return etc_dir


class RtTables(object):
    """Name <-> number map of routing tables."""

    def __init__(self, pairs=()):
        self.by_name = dict(BUILTIN_TABLES)
        for number, name in pairs:
            self.by_name[name] = number
        self.by_number = {}
        for name, number in sorted(self.by_name.items()):
            # Several names may share a number; the builtin name wins, then the first alphabetically.
            if number not in self.by_number or name in BUILTIN_TABLES:
                self.by_number[number] = name

    @classmethod
    def load(cls, netns=None, etc_dir=ETC_DIR, usr_dirs=USR_DIRS, netns_etc_dir=NETNS_ETC_DIR):
        pairs = []
        for path in table_files(etc_dir_for(netns, etc_dir, netns_etc_dir), usr_dirs):
            text = _read(path)
            if text is not None:
                pairs.extend(parse_rt_tables(text))
        return cls(pairs)

    def name_of(self, number):
        """The name of table NUMBER, or None."""
        return self.by_number.get(number)

    def lookup(self, option, value, allow_zero=False):
        """A table option (number, numeric string or name) -> number.

        An unknown name or a number out of range raises ValidationError.
        """
        if value is None:
            return None
        low = 0 if allow_zero else 1
        if isinstance(value, bool):
            raise ValidationError(option, value, 'is not a routing table number or name')
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip()
            if text in self.by_name:
                return self.by_name[text]
            try:
                number = int(text, 0)
            except ValueError:
                known = ', '.join('%s (%d)' % (n, t) for n, t in sorted(self.by_name.items(), key=lambda i: i[1]) if t)
                raise ValidationError(
                    option, value,
                    'is not a routing table number nor a name defined in /etc/iproute2/rt_tables or '
                    'rt_tables.d/*.conf; known names: %s' % known)
        if not low <= number <= RT_TABLE_MAX:
            raise ValidationError(option, value, 'is outside the routing table range %d-%d' % (low, RT_TABLE_MAX))
        return number
