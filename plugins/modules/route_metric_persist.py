#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: route_metric_persist
short_description: Set the persisted default-route metric of one interface in the host's network configuration
version_added: 0.1.0
description:
  - Helper of the P(linuxnet.plumbing.route_metric#role) role (collection roles cannot carry their own modules).
    Finds which backend configures O(device)
    (netplan, NetworkManager keyfiles, systemd-networkd, ifupdown) and sets the default-route metric there.
  - Edits are surgical, only the metric values (or one new line or section holding them) change; every other
    line, setting and comment of the files stays byte for byte, line endings included (a file with CRLF line
    endings keeps them, and new lines get them too).
  - Standard library only; no backend tool is run.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
options:
  device:
    description: The interface name.
    type: str
    required: true
  mac:
    description: The interface's MAC address (matches C(match.macaddress), C(mac-address=), C(MACAddress=)).
    type: str
  families:
    description: The address families to set.
    type: list
    elements: str
    choices: [ipv4, ipv6]
    default: [ipv4, ipv6]
  metric:
    description: The metric, 0-4294967295.
    type: int
    required: true
  backend:
    description: The backend to edit; C(auto) edits every backend that configures O(device).
    type: str
    choices: [auto, netplan, networkmanager, networkd, ifupdown]
    default: auto
  root:
    description: The directory the configuration paths (C(/etc/...)) are relative to; C(/) on a real host.
    type: path
    default: /
extends_documentation_fragment:
  - linuxnet.plumbing.netns.attributes
notes:
  - The diff shows each changed file's text before and after.
'''

EXAMPLES = r'''
- name: Set metric 1000 on eth1's default routes in whatever configures eth1
  linuxnet.plumbing.route_metric_persist:
    device: eth1
    metric: 1000
'''

RETURN = r'''
backends:
  description: The backends found configuring the device (empty when none was found).
  returned: always
  type: list
  elements: str
  sample: [netplan]
files:
  description: One entry per configuration file of the device, with the edits made (or predicted in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{"path": "/etc/netplan/50-fleet.yaml", "backend": "netplan", "changed": true,
            "edits": ["ethernets.eth1.routes[0].metric: 100 -> 1000"]}]
changes:
  description: One line per edit, prefixed with the file.
  returned: always
  type: list
  elements: str
  sample: ["/etc/netplan/50-fleet.yaml: ethernets.eth1.routes[0].metric: 100 -> 1000"]
notes:
  description: Findings left for a human (no backend found, settings that cannot carry a metric).
  returned: always
  type: list
  elements: str
  sample: ["netplan: /etc/netplan/50-fleet.yaml: eth1 uses gateway4, which cannot carry a metric"]
'''

import fnmatch
import glob
import io
import ipaddress
import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.files import write_file

METRIC_MAX = 4294967295
NETPLAN_DEVICE_TYPES = ('ethernets', 'bonds', 'bridges', 'vlans', 'wifis', 'modems', 'tunnels', 'vrfs',
                        'dummy-devices', 'virtual-ethernets', 'nm-devices')
TRUE_WORDS = ('true', 'yes', 'on', 'y')


class PersistError(Exception):
    """A file that cannot be edited safely (named in the message)."""


def family_of_address(text):
    try:
        return 'ipv%d' % ipaddress.ip_address(text.split('%')[0]).version
    except ValueError:
        return None


def family_of_prefix(text):
    try:
        return 'ipv%d' % ipaddress.ip_network(text, strict=False).version
    except ValueError:
        return None


def is_default_prefix(text):
    if text in ('default', '0.0.0.0/0', '::/0', '0/0'):
        return True
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False


def split_lines(text):
    return text.splitlines(True)


def eol_of(lines):
    for line in lines:
        if line.endswith('\r\n'):
            return '\r\n'
        if line.endswith('\n'):
            return '\n'
    return '\n'


def _strip_eol(line):
    return line.rstrip('\r\n')


def _eol(line):
    return line[len(_strip_eol(line)):]


class Editor(object):
    """Line replacements and insertions on a list of lines, applied at once.

    The file's own line endings are kept: replaced lines keep theirs, new lines get the file's
    (the first line ending found, LF when there is none)."""

    def __init__(self, text):
        self.lines = split_lines(text)
        self.eol = eol_of(self.lines)
        self.replace = {}
        self.inserts = {}   # index -> [(depth, order, lines)] inserted after line index
        self.appends = []

    def set_line(self, index, content):
        self.replace[index] = content + _eol(self.lines[index])

    def insert_after(self, index, contents, depth=0):
        """Insert CONTENTS (lines without line ends) after line INDEX.

        Several blocks can end on the same line (in YAML a mapping inside a sequence item inside a
        device, say), so several insertions can share an anchor: the deepest one (largest DEPTH,
        the indentation of the block it goes into) comes first, right after the anchor, so that it
        stays inside its block; shallower ones follow it, and equal depths keep the calling order."""
        group = self.inserts.setdefault(index, [])
        group.append((-depth, len(group), list(contents)))

    def append(self, contents):
        self.appends.extend(contents)

    def _inserted(self, index):
        return [new for dummy, dummy2, contents in sorted(self.inserts.get(index, [])) for new in contents]

    def text(self):
        out = []
        for index, line in enumerate(self.lines):
            line = self.replace.get(index, line)
            if index in self.inserts and not line.endswith('\n'):
                line += self.eol
            out.append(line)
            for new in self._inserted(index):
                out.append(new + self.eol)
        if self.appends:
            if out and not out[-1].endswith('\n'):
                out[-1] += self.eol
            out.extend(new + self.eol for new in self.appends)
        return ''.join(out)


# -- a small block-style YAML reader with line positions (netplan) -----------

class YEntry(object):
    def __init__(self, key, line, col, value, vstart, vend):
        self.key = key
        self.line = line
        self.col = col
        self.value = value      # scalar text (unquoted) or None
        self.raw_value = None
        self.vstart = vstart    # columns of the value text in the line
        self.vend = vend
        self.child = None


class YNode(object):
    def __init__(self, kind, col, start):
        self.kind = kind        # 'map', 'seq' or 'scalar'
        self.col = col
        self.start = start
        self.end = start
        self.entries = []       # map: YEntry list
        self.items = []         # seq: YNode list
        self.value = None

    def get(self, key):
        for entry in self.entries:
            if entry.key == key:
                return entry
        return None

    def child(self, key):
        entry = self.get(key)
        return entry.child if entry is not None else None

    def scalar(self, key):
        entry = self.get(key)
        return entry.value if entry is not None else None


def _unquote(text):
    if len(text) >= 2 and text[0] == text[-1] and text[0] in '"\'':
        return text[1:-1]
    return text


def _value_span(text, start):
    """(value, start, end) of a plain/quoted scalar at text[start:], comment removed."""
    while start < len(text) and text[start] == ' ':
        start += 1
    end = len(text)
    quote = None
    for pos in range(start, len(text)):
        char = text[pos]
        if quote:
            if char == quote:
                quote = None
        elif char in '"\'' and pos == start:
            quote = char
        elif char == '#' and pos > start and text[pos - 1] in ' \t':
            end = pos
            break
    while end > start and text[end - 1] in ' \t':
        end -= 1
    return text[start:end], start, end


def _split_key(text):
    """'key: value' -> (key, value_offset) or None; value_offset None for 'key:'."""
    if text[:1] in '"\'':
        close = text.find(text[0], 1)
        if close < 0:
            return None
        rest = text[close + 1:]
        if rest.startswith(':') and (len(rest) == 1 or rest[1] in ' \t'):
            return text[1:close], close + 2
        return None
    match = re.match(r'^([^#\s][^#]*?):(?:[ \t]|$)', text)
    if not match or match.group(1).startswith(('- ', '[', '{')):
        return None
    return match.group(1), match.end()


class YamlDoc(object):
    def __init__(self, text, path):
        self.path = path
        self.lines = split_lines(text)
        tokens = []
        for index, raw in enumerate(self.lines):
            line = _strip_eol(raw)
            stripped = line.strip()
            if not stripped or stripped.startswith('#') or stripped in ('---', '...'):
                continue
            if '\t' in line[:len(line) - len(line.lstrip())]:
                raise PersistError('%s line %d: tab indentation is not supported' % (path, index + 1))
            col = len(line) - len(line.lstrip(' '))
            tokens.append([index, col, col])   # line, column of the text, column in the raw line
        self.tokens = tokens
        self.root = None
        if tokens:
            self.root, pos = self._node(0, tokens[0][1])
            if pos < len(tokens):
                raise PersistError('%s line %d: unexpected indentation' % (path, tokens[pos][0] + 1))

    def _text(self, tok):
        return _strip_eol(self.lines[tok[0]])[tok[2]:]

    def _is_item(self, tok):
        text = self._text(tok)
        return text == '-' or text.startswith('- ')

    def _node(self, pos, col):
        if self._is_item(self.tokens[pos]):
            return self._seq(pos, col)
        if _split_key(self._text(self.tokens[pos])) is None:
            node = YNode('scalar', col, self.tokens[pos][0])
            node.value = _unquote(_value_span(self._text(self.tokens[pos]), 0)[0])
            pos += 1
            while pos < len(self.tokens) and self.tokens[pos][1] > col:
                pos += 1   # a multi-line scalar
            node.end = self.tokens[pos - 1][0]
            return node, pos
        return self._map(pos, col)

    def _map(self, pos, col):
        node = YNode('map', col, self.tokens[pos][0])
        while pos < len(self.tokens) and self.tokens[pos][1] == col and not self._is_item(self.tokens[pos]):
            tok = self.tokens[pos]
            text = self._text(tok)
            split = _split_key(text)
            if split is None:
                raise PersistError('%s line %d: cannot read %r' % (self.path, tok[0] + 1, text.strip()))
            key, offset = split
            value, vstart, vend = _value_span(text, offset)
            entry = YEntry(key, tok[0], col, _unquote(value) if value else None, tok[2] + vstart, tok[2] + vend)
            entry.raw_value = value
            pos += 1
            if not value:
                if pos < len(self.tokens) and self.tokens[pos][1] > col:
                    entry.child, pos = self._node(pos, self.tokens[pos][1])
                elif pos < len(self.tokens) and self.tokens[pos][1] == col and self._is_item(self.tokens[pos]):
                    entry.child, pos = self._seq(pos, col)
            else:
                while pos < len(self.tokens) and self.tokens[pos][1] > col:
                    pos += 1   # block scalar or continued plain scalar
            node.entries.append(entry)
            node.end = self.tokens[pos - 1][0]
        return node, pos

    def _seq(self, pos, col):
        node = YNode('seq', col, self.tokens[pos][0])
        while pos < len(self.tokens) and self.tokens[pos][1] == col and self._is_item(self.tokens[pos]):
            tok = self.tokens[pos]
            text = self._text(tok)
            rest = text[1:]
            skip = len(rest) - len(rest.lstrip(' '))
            if not rest.strip():
                pos += 1
                if pos < len(self.tokens) and self.tokens[pos][1] > col:
                    item, pos = self._node(pos, self.tokens[pos][1])
                else:
                    item = YNode('scalar', col, tok[0])
            else:
                inner = col + 1 + skip
                self.tokens[pos] = [tok[0], inner, tok[2] + 1 + skip]
                item, pos = self._node(pos, inner)
            node.items.append(item)
            node.end = self.tokens[pos - 1][0]
        return node, pos


def _yaml_scalar(text):
    return text.strip().lower() in TRUE_WORDS if text else False


def _indent_step(doc):
    cols = sorted(set(tok[1] for tok in doc.tokens if tok[1] > 0))
    return cols[0] if cols else 2


def netplan_devices(doc, device, mac):
    """[(type, id, YNode)] of the netplan definitions that configure DEVICE."""
    out = []
    network = doc.root.child('network') if doc.root is not None and doc.root.kind == 'map' else None
    if network is None or network.kind != 'map':
        return out
    for dtype in NETPLAN_DEVICE_TYPES:
        devices = network.child(dtype)
        if devices is None or devices.kind != 'map':
            continue
        for entry in devices.entries:
            node = entry.child
            if node is None or node.kind != 'map':
                continue
            match = node.child('match')
            hit = entry.key == device or node.scalar('set-name') == device
            if match is not None and match.kind == 'map':
                if match.scalar('name') and fnmatch.fnmatchcase(device, match.scalar('name')):
                    hit = True
                if mac and match.scalar('macaddress') and match.scalar('macaddress').lower() == mac.lower():
                    hit = True
            if hit:
                out.append((dtype, entry.key, node))
    return out


def edit_netplan(text, path, device, mac, families, metric):
    """-> (new_text, edits, notes, matched)"""
    doc = YamlDoc(text, path)
    editor = Editor(text)
    edits, notes = [], []
    step = _indent_step(doc)
    found = netplan_devices(doc, device, mac)
    value = str(metric)
    for dtype, ident, node in found:
        where = '%s.%s' % (dtype, ident)
        for family in families:
            short = '4' if family == 'ipv4' else '6'
            handled = False
            if _yaml_scalar(node.scalar('dhcp' + short)):
                handled = True
                key = 'dhcp%s-overrides' % short
                overrides = node.get(key)
                if overrides is None:
                    # at the end of the device: after anything a later insertion adds to the
                    # block that ends there too (see Editor.insert_after)
                    editor.insert_after(node.end, [' ' * node.col + key + ':',
                                                   ' ' * (node.col + step) + 'route-metric: ' + value],
                                        depth=node.col)
                    edits.append('%s.%s.route-metric: (unset) -> %s' % (where, key, value))
                elif overrides.child is None and overrides.raw_value:
                    raise PersistError('%s line %d: %s.%s is written in flow style; write it as a block mapping'
                                       % (path, overrides.line + 1, where, key))
                else:
                    _netplan_set(doc, editor, overrides.child, 'route-metric', value, step, overrides,
                                 '%s.%s' % (where, key), edits)
            routes = node.get('routes')
            if routes is not None and routes.child is None and routes.raw_value and routes.raw_value != '[]':
                raise PersistError('%s line %d: %s.routes is written in flow style; write it as a block sequence'
                                   % (path, routes.line + 1, where))
            if routes is not None and routes.child is not None and routes.child.kind == 'seq':
                for index, item in enumerate(routes.child.items):
                    if item.kind != 'map':
                        continue
                    to, via = item.scalar('to'), item.scalar('via')
                    if not to or not is_default_prefix(to):
                        continue
                    rfamily = family_of_prefix(to) if to != 'default' else family_of_address(via or '')
                    if rfamily != family:
                        continue
                    handled = True
                    _netplan_set(doc, editor, item, 'metric', value, step, None,
                                 '%s.routes[%d]' % (where, index), edits)
            if node.get('gateway' + short) is not None:
                notes.append('netplan: %s: %s uses gateway%s, which cannot carry a metric; '
                             'write the default route under routes: instead' % (path, where, short))
                handled = True
            if not handled:
                notes.append('netplan: %s: %s has no %s default route (no dhcp%s, no default in routes)'
                             % (path, where, 'IPv4' if short == '4' else 'IPv6', short))
    return editor.text(), edits, notes, bool(found)


def _netplan_set(doc, editor, node, key, value, step, parent_entry, where, edits):
    entry = node.get(key) if node is not None else None
    if entry is not None:
        if entry.value != value:
            raw = _strip_eol(doc.lines[entry.line])
            if entry.line in editor.replace:
                raw = _strip_eol(editor.replace[entry.line])
            editor.set_line(entry.line, raw[:entry.vstart] + value + raw[entry.vend:])
            edits.append('%s.%s: %s -> %s' % (where, key, entry.value, value))
        return
    if node is None:
        # 'key:' with nothing under it
        editor.insert_after(parent_entry.line, [' ' * (parent_entry.col + step) + key + ': ' + value],
                            depth=parent_entry.col + step)
    else:
        editor.insert_after(node.end, [' ' * node.col + key + ': ' + value], depth=node.col)
    edits.append('%s.%s: (unset) -> %s' % (where, key, value))


# -- INI-style files (NetworkManager keyfiles, systemd-networkd) -------------

class IniSection(object):
    def __init__(self, name, line):
        self.name = name
        self.line = line
        self.keys = []          # (key, line index, value, value start column)
        self.last = line        # last content line

    def get(self, key):
        found = None
        for item in self.keys:
            if item[0] == key:
                found = item
        return found

    def value(self, key):
        item = self.get(key)
        return item[2] if item is not None else None


class IniDoc(object):
    def __init__(self, text):
        self.lines = split_lines(text)
        self.sections = []
        current = None
        for index, raw in enumerate(self.lines):
            line = _strip_eol(raw)
            stripped = line.strip()
            if not stripped or stripped[0] in '#;':
                continue
            if stripped.startswith('[') and stripped.endswith(']'):
                current = IniSection(stripped[1:-1].strip(), index)
                self.sections.append(current)
                continue
            if current is None or '=' not in line:
                continue
            key, rest = line.split('=', 1)
            start = len(key) + 1 + (len(rest) - len(rest.lstrip()))
            current.keys.append((key.strip(), index, rest.strip(), start))
            current.last = index

    def section(self, name):
        for sec in self.sections:
            if sec.name == name:
                return sec
        return None

    def all(self, name):
        return [sec for sec in self.sections if sec.name == name]


def _ini_set(doc, editor, section, key, value, where, edits, sep='='):
    item = section.get(key)
    if item is not None:
        if item[2] != value:
            raw = _strip_eol(doc.lines[item[1]])
            end = len(raw.rstrip())
            editor.set_line(item[1], raw[:item[3]] + value + raw[end:])
            edits.append('[%s] %s: %s -> %s' % (where, key, item[2], value))
        return
    editor.insert_after(section.last, ['%s%s%s' % (key, sep, value)])
    edits.append('[%s] %s: (unset) -> %s' % (where, key, value))


def nm_matches(doc, device, mac):
    conn = doc.section('connection')
    if conn is None:
        return False
    if conn.value('interface-name') == device:
        return True
    if mac:
        for sec in doc.sections:
            value = sec.value('mac-address')
            if value and value.lower() == mac.lower():
                return True
    return False


def edit_networkmanager(text, path, device, mac, families, metric):
    doc = IniDoc(text)
    editor = Editor(text)
    edits, notes = [], []
    if not nm_matches(doc, device, mac):
        return text, edits, notes, False
    value = str(metric)
    for family in families:
        sec = doc.section(family)
        method = sec.value('method') if sec is not None else None
        if method in ('disabled', 'ignore'):
            notes.append('networkmanager: %s: %s method is %s, nothing to set' % (path, family, method))
            continue
        if sec is None:
            editor.append(['', '[%s]' % family, 'route-metric=%s' % value])
            edits.append('[%s] route-metric: (unset) -> %s' % (family, value))
            continue
        _ini_set(doc, editor, sec, 'route-metric', value, family, edits)
        for key, index, rvalue, start in list(sec.keys):
            if not re.match(r'^route\d+$', key):
                continue
            parts = rvalue.split(',')
            if len(parts) >= 3 and is_default_prefix(parts[0].strip()) and parts[2].strip() != value:
                old = parts[2].strip()
                parts[2] = value
                raw = _strip_eol(doc.lines[index])
                editor.set_line(index, raw[:start] + ','.join(parts))
                edits.append('[%s] %s metric: %s -> %s' % (family, key, old, value))
    return editor.text(), edits, notes, True


def networkd_matches(doc, device, mac):
    match = doc.section('Match')
    if match is None:
        return False
    names = ' '.join(v for k, i, v, s in match.keys if k == 'Name').split()
    macs = ' '.join(v for k, i, v, s in match.keys if k in ('MACAddress', 'PermanentMACAddress')).split()
    if not names and not macs:
        return False
    if names and not any(fnmatch.fnmatchcase(device, pattern) for pattern in names):
        return False
    if macs and not (mac and mac.lower() in [m.lower() for m in macs]):
        return False
    return True


def edit_networkd(text, path, device, mac, families, metric):
    doc = IniDoc(text)
    editor = Editor(text)
    edits, notes = [], []
    if not networkd_matches(doc, device, mac):
        return text, edits, notes, False
    value = str(metric)
    network = doc.section('Network')
    dhcp = (network.value('DHCP') if network is not None else None) or 'no'
    dhcp = dhcp.lower()
    for family in families:
        short = '4' if family == 'ipv4' else '6'
        handled = False
        if dhcp in TRUE_WORDS + ('both', 'ipv' + short):
            handled = True
            name = 'DHCPv' + short
            sec = doc.section(name)
            if sec is None:
                editor.append(['', '[%s]' % name, 'RouteMetric=%s' % value])
                edits.append('[%s] RouteMetric: (unset) -> %s' % (name, value))
            else:
                _ini_set(doc, editor, sec, 'RouteMetric', value, name, edits)
        if family == 'ipv6' and doc.section('IPv6AcceptRA') is not None:
            handled = True
            _ini_set(doc, editor, doc.section('IPv6AcceptRA'), 'RouteMetric', value, 'IPv6AcceptRA', edits)
        for index, sec in enumerate(doc.all('Route')):
            gateway = sec.value('Gateway')
            dest = sec.value('Destination')
            if not gateway or (dest and not is_default_prefix(dest)):
                continue
            gfamily = {'_dhcp4': 'ipv4', '_ipv6ra': 'ipv6'}.get(gateway) or family_of_address(gateway)
            if dest and dest != 'default':
                gfamily = family_of_prefix(dest) or gfamily
            if gfamily != family:
                continue
            handled = True
            _ini_set(doc, editor, sec, 'Metric', value, 'Route#%d' % (index + 1), edits)
        if network is not None:
            for key, index, gvalue, start in network.keys:
                if key == 'Gateway' and family_of_address(gvalue) == family:
                    handled = True
                    notes.append('networkd: %s: [Network] Gateway=%s cannot carry a metric; '
                                 'use a [Route] section with Gateway= and Metric= instead' % (path, gvalue))
        if not handled:
            notes.append('networkd: %s: no %s default route (DHCP=%s, no default [Route])'
                         % (path, 'IPv4' if short == '4' else 'IPv6', dhcp))
    return editor.text(), edits, notes, True


# -- ifupdown ----------------------------------------------------------------

IFUPDOWN_KEYWORDS = ('iface', 'mapping', 'auto', 'source', 'source-directory', 'rename',
                     'no-auto-down', 'no-scripts')


def _ifupdown_keyword(word):
    return word in IFUPDOWN_KEYWORDS or word.startswith('allow-')


def ifupdown_stanzas(text):
    """[{'iface', 'family', 'method', 'line', 'options': [(name, line, value, start)], 'last'}],
    and the list of (kind, argument) includes."""
    lines = split_lines(text)
    stanzas, includes = [], []
    current = None
    for index, raw in enumerate(lines):
        line = _strip_eol(raw)
        stripped = line.strip()
        if not stripped or stripped.startswith('#'):
            continue
        words = stripped.split()
        if _ifupdown_keyword(words[0]):
            current = None
            if words[0] == 'iface' and len(words) >= 4:
                current = {'iface': words[1], 'family': words[2], 'method': words[3], 'line': index,
                           'options': [], 'last': index}
                stanzas.append(current)
            elif words[0] in ('source', 'source-directory') and len(words) >= 2:
                includes.append((words[0], stripped.split(None, 1)[1]))
            continue
        if current is not None:
            start = len(line) - len(line.lstrip()) + len(words[0])
            rest = line[start:]
            start += len(rest) - len(rest.lstrip())
            current['options'].append((words[0], index, ' '.join(words[1:]), start))
            current['last'] = index
    return stanzas, includes


def edit_ifupdown(text, path, device, mac, families, metric):
    stanzas, dummy = ifupdown_stanzas(text)
    editor = Editor(text)
    lines = split_lines(text)
    edits, notes = [], []
    value = str(metric)
    mine = [s for s in stanzas if s['iface'] == device]
    for family in families:
        fam = 'inet' if family == 'ipv4' else 'inet6'
        for stanza in [s for s in mine if s['family'] == fam]:
            where = 'iface %s %s %s' % (device, fam, stanza['method'])
            options = dict((o[0], o) for o in stanza['options'])
            if stanza['method'] == 'static' and 'gateway' not in options:
                notes.append('ifupdown: %s: %s has no gateway, so no default route to set a metric on'
                             % (path, where))
                continue
            if stanza['method'] not in ('static', 'dhcp') or (fam == 'inet6' and stanza['method'] == 'dhcp'):
                notes.append('ifupdown: %s: %s has no metric option' % (path, where))
                continue
            if 'metric' in options:
                opt = options['metric']
                if opt[2] != value:
                    raw = _strip_eol(lines[opt[1]])
                    end = len(raw.rstrip())
                    editor.set_line(opt[1], raw[:opt[3]] + value + raw[end:])
                    edits.append('%s: metric %s -> %s' % (where, opt[2], value))
                continue
            if stanza['options']:
                first = _strip_eol(lines[stanza['options'][0][1]])
                indent = first[:len(first) - len(first.lstrip())]
            else:
                indent = '    '
            editor.insert_after(stanza['last'], [indent + 'metric ' + value])
            edits.append('%s: metric (unset) -> %s' % (where, value))
    return editor.text(), edits, notes, bool(mine)


# -- finding the files -------------------------------------------------------

def _rooted(root, path):
    return os.path.join(root, path.lstrip('/'))


def ifupdown_files(root):
    """/etc/network/interfaces and what it sources, in reading order."""
    out = []

    def visit(path, depth):
        if depth > 8 or path in out or not os.path.isfile(path):
            return
        out.append(path)
        with open(path) as handle:
            dummy, includes = ifupdown_stanzas(handle.read())
        base = os.path.dirname(path)
        for kind, arg in includes:
            target = _rooted(root, arg) if arg.startswith('/') else os.path.join(base, arg)
            if kind == 'source':
                for item in sorted(glob.glob(target)):
                    visit(item, depth + 1)
            elif os.path.isdir(target):
                for name in sorted(os.listdir(target)):
                    if re.match(r'^[a-zA-Z0-9_-]+$', name):
                        visit(os.path.join(target, name), depth + 1)

    visit(_rooted(root, '/etc/network/interfaces'), 0)
    return out


def netplan_files(root):
    return sorted(glob.glob(_rooted(root, '/etc/netplan/*.yaml')) + glob.glob(_rooted(root, '/etc/netplan/*.yml')))


def nm_files(root):
    folder = _rooted(root, '/etc/NetworkManager/system-connections')
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, name) for name in os.listdir(folder)
                  if os.path.isfile(os.path.join(folder, name)) and not name.endswith('~'))


def networkd_files(root):
    return sorted(glob.glob(_rooted(root, '/etc/systemd/network/*.network')))


BACKENDS = (
    ('netplan', netplan_files, edit_netplan),
    ('networkmanager', nm_files, edit_networkmanager),
    ('networkd', networkd_files, edit_networkd),
    ('ifupdown', ifupdown_files, edit_ifupdown),
)


def plan(root, device, mac, families, metric, backend='auto'):
    """Read every candidate file and compute the edits. Pure: writes nothing.

    -> dict(backends, files=[{path, backend, changed, edits, before, after}], notes)
    """
    result = {'backends': [], 'files': [], 'notes': []}
    for name, lister, editor in BACKENDS:
        if backend not in ('auto', name):
            continue
        matched_here = False
        for path in lister(root):
            try:
                # newline='': the text as it is on disk, CRLF line ends included (universal
                # newlines would turn them into LF, and the write would keep that)
                with io.open(path, 'r', newline='') as handle:
                    before = handle.read()
            except (IOError, OSError, UnicodeDecodeError) as exc:
                result['notes'].append('%s: %s cannot be read: %s' % (name, path, exc))
                continue
            after, edits, notes, matched = editor(before, path, device, mac, families, metric)
            result['notes'].extend(notes)
            if not matched:
                continue
            matched_here = True
            result['files'].append({'path': path, 'backend': name, 'changed': after != before,
                                    'edits': edits, 'before': before, 'after': after})
            if name == 'networkd':
                break   # networkd applies the first matching .network file only
        if matched_here:
            result['backends'].append(name)
    if not result['backends']:
        result['notes'].append('no %s configuration found for %s: nothing persisted'
                               % ('network' if backend == 'auto' else backend, device))
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            device=dict(type='str', required=True),
            mac=dict(type='str'),
            families=dict(type='list', elements='str', choices=['ipv4', 'ipv6'], default=['ipv4', 'ipv6']),
            metric=dict(type='int', required=True),
            backend=dict(type='str', choices=['auto', 'netplan', 'networkmanager', 'networkd', 'ifupdown'],
                         default='auto'),
            root=dict(type='path', default='/'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not 0 <= params['metric'] <= METRIC_MAX:
        module.fail_json(msg="route_metric_value: value %r is outside the range 0-%d" % (params['metric'], METRIC_MAX))
    if not os.path.isdir(params['root']):
        module.fail_json(msg="route_metric_config_root: value %r is not a directory" % params['root'])
    try:
        result = plan(params['root'], params['device'], params['mac'], params['families'], params['metric'],
                      params['backend'])
    except PersistError as exc:
        module.fail_json(msg='route_metric: cannot edit the configuration safely, nothing changed: %s' % exc)
    changed_files = [f for f in result['files'] if f['changed']]
    if not module.check_mode:
        for item in changed_files:
            # encoded as it is, no newline translation: CRLF files keep their line ends;
            # the file keeps its mode and owner (it belongs to the network configuration tool)
            try:
                write_file(item['path'], item['after'], keep_existing_mode=True)
            except ModuleFailure as exc:
                module.fail_json(msg='route_metric: %s' % exc.msg, path=item['path'])
    diff = [{'before_header': f['path'], 'after_header': f['path'], 'before': f['before'], 'after': f['after']}
            for f in changed_files]
    changes = ['%s: %s' % (f['path'], edit) for f in result['files'] for edit in f['edits']]
    module.exit_json(
        changed=bool(changed_files),
        backends=result['backends'],
        files=[dict((k, f[k]) for k in ('path', 'backend', 'changed', 'edits')) for f in result['files']],
        changes=changes,
        notes=result['notes'],
        diff=diff,
    )


if __name__ == '__main__':
    main()
