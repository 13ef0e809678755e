# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``net.*`` sysctls through /proc/sys, inside any network namespace.

Keys
  A key is held as its path below /proc/sys (a tuple of segments). The dotted
  form users write maps ``.`` to ``/`` and back, so an interface name that
  contains a dot (``eth0.100``) is written ``eth0/100`` in a dotted key, as
  sysctl(8) prints it. We also accept the dots as they are in the interface
  position (``net.ipv4.conf.eth0.100.rp_filter``: per-interface parameters
  never contain a dot, so the interface is everything between the directory
  and the last segment) and the slash form (``net/ipv4/conf/eth0.100/rp_filter``).

Globs
  A shell pattern (``*``, ``?``, ``[...]``) is allowed in the interface
  position of the per-interface directories only (``net.ipv4.conf.*.rp_filter``).
  Like sysctl(8) and systemd-sysctl, it matches every entry of the directory,
  including ``all`` and ``default``.

Everything that touches /proc/sys must run inside ``_netns.entered(netns)``:
the kernel resolves /proc/sys/net for the namespace of the calling thread.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import re
import stat

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

SYSCTL_ROOT = '/proc/sys'
# Directories whose entries are interfaces (plus 'all' and 'default').
PER_INTERFACE_DIRS = frozenset([
    ('net', 'ipv4', 'conf'),
    ('net', 'ipv4', 'neigh'),
    ('net', 'ipv6', 'conf'),
    ('net', 'ipv6', 'neigh'),
    ('net', 'mpls', 'conf'),
])
GLOB_CHARS = frozenset('*?[')
IFACE_POS = 3

DEFAULT_PERSIST_FILE = '/etc/sysctl.d/99-linuxnet.conf'
PERSIST_HEADER = [
    '# net.* sysctls set by linuxnet.plumbing.net_sysctl (one line per key).',
    '# Lines for other keys are left as they are; edit them freely.',
]


def _is_glob(segment):
    return any(c in GLOB_CHARS for c in segment)


class SysctlKey(object):
    """One sysctl key (literal or with a glob in the interface position)."""

    def __init__(self, parts, text=None):
        self.parts = tuple(parts)
        self.text = text if text is not None else self.dotted

    @property
    def is_glob(self):
        return any(_is_glob(p) for p in self.parts)

    @property
    def dotted(self):
        """The canonical dotted form, '.' inside a segment written as '/'."""
        return '.'.join(p.replace('.', '/') for p in self.parts)

    @property
    def persist_form(self):
        """The form for a sysctl.d line: dotted, or the slash form when a
        segment contains a dot (sysctl.d(5): a key whose first separator
        is '/' keeps its dots)."""
        if any('.' in p for p in self.parts):
            return '/'.join(self.parts)
        return self.dotted

    @property
    def path(self):
        return os.path.join(SYSCTL_ROOT, *self.parts)

    @property
    def interface(self):
        if len(self.parts) == IFACE_POS + 2 and self.parts[:IFACE_POS] in PER_INTERFACE_DIRS:
            return self.parts[IFACE_POS]
        return None

    def with_interface(self, name):
        parts = list(self.parts)
        parts[IFACE_POS] = name
        return SysctlKey(parts)

    def __eq__(self, other):
        return isinstance(other, SysctlKey) and self.parts == other.parts

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.parts)

    def __repr__(self):
        return 'SysctlKey(%r)' % (self.dotted,)


def split_key(text):
    """Text -> list of segments, or raise ValueError (no policy checks)."""
    text = text.strip()
    if not text:
        raise ValueError('is empty')
    first = re.search(r'[./]', text)
    if first is not None and first.group(0) == '/':
        parts = text.strip('/').split('/')
    else:
        parts = [p.replace('/', '.') for p in text.split('.')]
        if len(parts) > IFACE_POS + 2 and tuple(parts[:IFACE_POS]) in PER_INTERFACE_DIRS:
            # net.ipv4.conf.eth0.100.rp_filter: the interface is everything
            # between the directory and the parameter.
            parts = parts[:IFACE_POS] + ['.'.join(parts[IFACE_POS:-1]), parts[-1]]
    for part in parts:
        if not part:
            raise ValueError('has an empty segment')
        if part in ('.', '..') or '\0' in part or any(c.isspace() for c in part):
            raise ValueError('has an invalid segment %r' % part)
    return parts


def parse_key(option, text):
    """Validate a user key -> SysctlKey. Raises ValidationError."""
    if not isinstance(text, str):
        raise ValidationError(option, text, 'is not a string; write a sysctl key such as net.ipv4.ip_forward')
    try:
        parts = split_key(text)
    except ValueError as exc:
        raise ValidationError(option, text, '%s; write a sysctl key such as net.ipv4.ip_forward' % exc)
    if parts[0] != 'net' or len(parts) < 2:
        raise ValidationError(option, text, 'is outside net.*; only network sysctls (net.*) are managed here')
    key = SysctlKey(parts, text.strip())
    for pos, part in enumerate(parts):
        if not _is_glob(part):
            continue
        if pos != IFACE_POS or len(parts) != IFACE_POS + 2 or tuple(parts[:IFACE_POS]) not in PER_INTERFACE_DIRS:
            raise ValidationError(option, text, 'has a wildcard outside the interface position; wildcards are only '
                                  'allowed for the interface, as in net.ipv4.conf.*.rp_filter')
    return key


def expand(option, key, must_exist=True, netns=None):
    """Concrete keys for KEY in the current namespace (call inside entered()).

    A literal key that does not exist raises ValidationError when must_exist
    (else returns []). A glob returns the matching entries that have the
    parameter ('all' and 'default' first, then by name); a glob whose
    parameter exists nowhere in the directory raises ValidationError when
    must_exist, a glob that merely matches no interface returns [].
    """
    where = " in network namespace '%s'" % netns if netns else ''
    if not key.is_glob:
        if os.path.isfile(key.path):
            return [key]
        if not must_exist:
            return []
        if os.path.isdir(key.path):
            raise ValidationError(option, key.text, 'is a directory (%s), not a single sysctl' % key.path)
        raise ValidationError(option, key.text, 'does not exist%s (no %s)' % (where, key.path))
    parent = os.path.join(SYSCTL_ROOT, *key.parts[:IFACE_POS])
    param = key.parts[-1]
    try:
        entries = os.listdir(parent)
    except OSError:
        entries = []
    having = [e for e in entries if os.path.isfile(os.path.join(parent, e, param))]
    if not having:
        if not must_exist:
            return []
        raise ValidationError(option, key.text, "does not exist%s: no entry of %s has a parameter '%s'"
                              % (where, parent, param))
    pattern = key.parts[IFACE_POS]
    matched = [e for e in having if fnmatch.fnmatchcase(e, pattern)]
    return [key.with_interface(e) for e in sort_entries(matched)]


def sort_entries(names):
    first = [n for n in ('all', 'default') if n in names]
    return first + sorted(n for n in names if n not in ('all', 'default'))


def normalise(value):
    """Whitespace (tabs, newlines, runs of spaces) collapsed to one space."""
    if value is None:
        return None
    return ' '.join(str(value).split())


def _token(tok):
    if re.match(r'^-?\d+$', tok):
        return str(int(tok))
    return tok


def same_value(current, desired):
    """Compare sysctl values the way the kernel reads them back: normalised
    whitespace, and decimal numbers by value ('01' == '1')."""
    if current is None or desired is None:
        return current == desired
    return [_token(t) for t in normalise(current).split(' ')] == [_token(t) for t in normalise(desired).split(' ')]


def value_text(option, value):
    """A user value (str, int, bool, list of those) -> the text to write."""
    if value is None:
        raise ValidationError(option, value, 'is required when state=present')
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, (list, tuple)):
        if not value:
            raise ValidationError(option, value, 'is an empty list')
        return ' '.join(value_text(option, v) for v in value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        raise ValidationError(option, value, 'is a dictionary; give a string, a number or a list of numbers')
    text = normalise(value)
    if not text:
        raise ValidationError(option, value, 'is empty')
    return text


def is_read_only(key):
    try:
        return not os.stat(key.path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    except OSError:
        return False


def read_value(key):
    """The normalised value of one concrete key (inside entered())."""
    with open(key.path, 'r') as handle:
        return normalise(handle.read())


def write_value(key, value):
    """Write one value; OSError carries the kernel's refusal."""
    fd = os.open(key.path, os.O_WRONLY)
    try:
        os.write(fd, (value + '\n').encode('utf-8'))
    finally:
        os.close(fd)


def in_initial_netns():
    """True unless we can tell that this process is not in the namespace of
    PID 1 (the host's, or a container's own)."""
    try:
        return os.stat('/proc/self/ns/net').st_ino == os.stat('/proc/1/ns/net').st_ino
    except OSError:
        return True


# -- sysctl.d files -----------------------------------------------------------

def _line_key(line):
    """The key of a sysctl.d assignment line as a tuple of segments, or None
    for comments, blank lines and lines we cannot parse."""
    text = line.strip()
    if not text or text[0] in '#;' or '=' not in text:
        return None
    name = text.split('=', 1)[0].strip()
    if name.startswith('-'):
        name = name[1:].strip()
    try:
        return tuple(split_key(name))
    except ValueError:
        return None


def _line_value(line):
    return normalise(line.split('=', 1)[1])


def persisted_value(lines, key):
    """The value the file gives KEY (the last assignment wins), or None."""
    found = None
    for line in lines:
        if _line_key(line) == key.parts:
            found = _line_value(line)
    return found


def render_persist(lines, key, value):
    """New list of lines with KEY set to VALUE (None removes it).

    Surgical: lines for other keys, comments and blank lines stay as they
    are; an existing line for KEY with the same value is kept verbatim; a
    line with another value is rewritten in place; a missing key is appended.
    """
    out = []
    seen = False
    for line in lines:
        if _line_key(line) != key.parts:
            out.append(line)
            continue
        seen = True
        if value is None:
            continue
        if same_value(_line_value(line), value):
            out.append(line)
        else:
            prefix = '-' if line.strip().startswith('-') else ''
            out.append('%s%s = %s' % (prefix, key.persist_form, value))
    if value is not None and not seen:
        if not out:
            out.extend(PERSIST_HEADER)
        out.append('%s = %s' % (key.persist_form, value))
    return out


def read_lines(path):
    """Lines of PATH without line ends; [] when it does not exist."""
    try:
        with open(path, 'r') as handle:
            return handle.read().splitlines()
    except IOError as exc:
        if getattr(exc, 'errno', None) == 2:
            return []
        raise


# -- boot order of the sysctl.d files (systemd-sysctl, sysctl.d(5)) -----------

# Highest priority first: a file name in an earlier directory masks the same
# name in the later ones.
SYSCTL_D_DIRS = ('etc/sysctl.d', 'run/sysctl.d', 'usr/local/lib/sysctl.d', 'usr/lib/sysctl.d', 'lib/sysctl.d')
_ETC_SYSCTL_D = '/etc/sysctl.d'


class Assignment(object):
    """One ``KEY = VALUE`` line of a sysctl.d file."""

    __slots__ = ('path', 'line', 'parts', 'assigned', 'value', 'rank')

    def __init__(self, path, line, parts, assigned, value, rank=0):
        self.path = path
        self.line = line
        self.parts = parts
        self.assigned = assigned
        self.value = value
        self.rank = rank

    @property
    def is_glob(self):
        return any(_is_glob(p) for p in self.parts)

    def __repr__(self):
        return 'Assignment(%r, %d, %r = %r)' % (self.path, self.line, self.assigned, self.value)


def sysctl_d_root(persist_file):
    """ROOT when PERSIST_FILE is ROOT/etc/sysctl.d/NAME ('' for the real
    /etc/sysctl.d), else None (a file systemd-sysctl does not read the way
    /etc/sysctl.d is read: no boot-order scan)."""
    directory = os.path.dirname(os.path.normpath(persist_file))
    if directory == _ETC_SYSCTL_D:
        return ''
    if directory.endswith(_ETC_SYSCTL_D):
        return directory[:-len(_ETC_SYSCTL_D)]
    return None


def sysctl_d_files(root, extra=None):
    """The sysctl.d files systemd-sysctl reads below ROOT, in the order it
    applies them: ``*.conf`` of every directory of SYSCTL_D_DIRS, a name in
    an earlier directory masking the same name in the later ones, then sorted
    by file name. Hidden files and directories are left out; symlinks count
    as the file they name (a link to /dev/null masks). EXTRA (a path in
    ROOT/etc/sysctl.d, the file about to be written) is included whether or
    not it exists yet."""
    base = root.rstrip('/')
    chosen = {}
    if extra is not None:
        chosen[os.path.basename(extra)] = os.path.normpath(extra)
    for sub in SYSCTL_D_DIRS:
        directory = '%s/%s' % (base, sub)
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            if name in chosen or name.startswith('.') or not name.endswith('.conf'):
                continue
            path = os.path.join(directory, name)
            if os.path.isdir(path):
                continue
            chosen[name] = path
    return [chosen[name] for name in sorted(chosen)]


def parse_assignments(path, lines, rank=0):
    """The assignment lines of one file, in order (one pass; comments, blank
    and unparsable lines skipped; a leading '-' only silences errors)."""
    found = []
    for number, line in enumerate(lines, 1):
        parts = _line_key(line)
        if parts is None:
            continue
        name = line.split('=', 1)[0].strip()
        if name.startswith('-'):
            name = name[1:].strip()
        found.append(Assignment(path, number, parts, name, _line_value(line), rank))
    return found


def _read_quietly(path):
    """Lines of a sysctl.d file; [] when it cannot be read (a broken link,
    a file systemd-sysctl would skip with an error)."""
    try:
        return read_lines(path)
    except (IOError, OSError):
        return []


def boot_assignments(root, persist_file, persist_lines):
    """Every assignment systemd-sysctl would read below ROOT, in boot order,
    with PERSIST_LINES standing in for the content of PERSIST_FILE."""
    persist = os.path.normpath(persist_file)
    found = []
    for rank, path in enumerate(sysctl_d_files(root, extra=persist)):
        lines = persist_lines if path == persist else _read_quietly(path)
        found.extend(parse_assignments(path, lines, rank))
    return found


def glob_matches(pattern, parts):
    """True when the explicit key PARTS matches the glob key PATTERN, segment
    by segment."""
    return len(pattern) == len(parts) and all(fnmatch.fnmatchcase(p, g) for p, g in zip(parts, pattern))


def find_boot_overrides(root, persist_file, persist_lines, keys, value):
    """The assignments of the other sysctl.d files below ROOT that give a key
    of KEYS (persisted with VALUE in PERSIST_FILE, whose new content is
    PERSIST_LINES) another value at boot, as systemd-sysctl merges them:

    * an explicit key: its last assignment, when that is in a file sorting
      after PERSIST_FILE and has another value;
    * a glob: for each explicit key it matches, set in any file (explicit
      beats glob whatever the order), the key's last assignment when it has
      another value -- PERSIST_FILE included, where an explicit line written
      for another value (an earlier pin) beats the glob just the same; and
      the last assignment of the same pattern when it is in a later file
      with another value. Explicit keys that are themselves in KEYS are left
      to the first rule.

    Another glob that overlaps the pattern is not looked at.
    Returns a list of dicts: key (persist form), file, line, assigned, value.
    """
    persist = os.path.normpath(persist_file)
    last = {}
    for item in boot_assignments(root, persist, persist_lines):
        last[item.parts] = item
    explicit = set(k.parts for k in keys if not k.is_glob)
    found = []
    for key in keys:
        if key.is_glob:
            candidates = [a for a in last.values()
                          if not a.is_glob and a.parts not in explicit and glob_matches(key.parts, a.parts)]
            if key.parts in last:
                candidates.append(last[key.parts])
        else:
            candidates = [last[key.parts]] if key.parts in last else []
        for item in sorted(candidates, key=lambda a: (a.rank, a.line)):
            # The task's own lines for KEY carry VALUE: only other lines differ.
            if same_value(item.value, value):
                continue
            found.append({'key': key.persist_form, 'file': item.path, 'line': item.line,
                          'assigned': item.assigned, 'value': item.value})
    return found


def boot_overrides(persist_file, persist_lines, keys, value):
    """find_boot_overrides() below the root PERSIST_FILE's directory implies,
    or [] when it is not in an etc/sysctl.d directory (no scan)."""
    root = sysctl_d_root(persist_file)
    if root is None:
        return []
    return find_boot_overrides(root, persist_file, persist_lines, keys, value)
