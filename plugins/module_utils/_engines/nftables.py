# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's own nftables table, driven through nft's JSON interface.

Ownership
  Every rule this collection writes lives in ``table inet linuxnet`` and
  carries a comment ``lnp:<kind>:<name>:<index>:<order>:<hash8>``. A *rule
  set* is all rules of one (kind, name). Rules in our table without the
  ``lnp:`` prefix, and every other table, are foreign: never deleted, never
  moved, never flushed.

Idempotence
  hash8 is the first 8 hex digits of the sha256 of the canonical JSON of the
  desired rule (chain, family, expressions). A rule set is up to date when the
  comments found in each chain are exactly the desired ones, in order. We
  never compare nft's re-rendered expressions with ours. When anything
  differs the whole rule set is replaced: its old rules are deleted by handle
  and the new ones added at their sorted place, in one transaction.

Ordering
  Owned rules of a chain are kept sorted by (order, kind, name, index);
  foreign rules keep their place and are ignored by the sort.

Transactions
  ``Nft(netns)`` reads the table once (``nft -j list table inet linuxnet``)
  and keeps a model of it. ``plan_rule_set`` / ``plan_chain_policy`` change
  the model, record the diff and queue one tracker action; at apply time the
  model is turned into ONE ``nft -j -f -`` transaction (followed, when it
  empties a chain or the table, by the tidy-up described below). Each plan
  is first checked with ``nft -c -j -f -`` so a value nft or the kernel
  refuses fails before any change, with nft's message.

The table
  Created with the first owned rule (or policy); removed after the last
  owned rule, unless a chain policy is still set or something foreign (a
  rule, chain or set added by hand) lives in it: then the table stays, with
  the foreign objects untouched. Base chains exist only while an owned rule,
  a policy or a foreign rule uses them.

Removal is two steps, because nftables has no conditional delete and both
``delete table`` and ``delete chain`` are recursive (they take every rule in
them along, foreign ones included): the transaction only deletes owned rules
by handle (and sets policies); it never deletes a chain or the table. When
the plan leaves a chain of ours, or the whole table, without a reason to
exist, ``commit`` then re-reads the table and deletes (by handle) only what
that fresh reading shows to be still empty - so a rule or chain added by hand
between the first reading and the commit survives, and the table stays for
it. Between runs of this collection there is no window at all: a changing
run holds the namespace's nft lock (``_system/lock``) from its first reading
to the end of the tidy-up, so a run adding a rule never plans against a table
that another run is about to delete. What is left is a hand-made change
between the second reading and the tiny second transaction.

nft runs as a child process with an argument list, spawned while inside
``_netns.entered(netns)`` (the child inherits the namespace of the thread).
User input only ever lands in JSON values, never in nft syntax.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import hashlib
import json

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.lock import NamespaceLock
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.nft import (  # noqa: F401, pylint: disable=unused-import
    NFT_MISSING,
    NftError,
    find_nft,
    nft_available,
    require_nft,
    run_nft,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError, check_ifname

FAMILY = 'inet'
TABLE = 'linuxnet'
COMMENT_PREFIX = 'lnp:'
COMMENT_MAX = 127  # NFT_USERDATA_MAXLEN is 256, nft's own comment limit is 128 bytes incl. NUL
KINDS = ('masquerade', 'dnat', 'firewall_rule')
KIND_LABELS = {'masquerade': 'a masquerade', 'dnat': 'a dnat', 'firewall_rule': 'a firewall_rule'}

# name -> (type, hook, priority)
BASE_CHAINS = {
    'prerouting': ('nat', 'prerouting', -100),
    'output_nat': ('nat', 'output', -100),
    'postrouting': ('nat', 'postrouting', 100),
    'input': ('filter', 'input', 0),
    'forward': ('filter', 'forward', 0),
    'output': ('filter', 'output', 0),
}
CHAIN_ORDER = ('prerouting', 'output_nat', 'input', 'forward', 'output', 'postrouting')
FILTER_CHAINS = ('input', 'forward', 'output')


def check_ifname_pattern(option, value):
    """An interface name as nft matches it: a name, or a prefix ending in '*'
    (nft's wildcard: 'veth*'). Anything else a Linux name may not contain is refused."""
    if value is None:
        return value
    text = str(value)
    stem = text[:-1] if text.endswith('*') and not text.endswith('\\*') else text
    if '*' in stem or '\\' in stem:
        raise ValidationError(option, value, "is not an interface name pattern: '*' is only allowed at the end "
                                             "(a prefix match such as veth*), and '\\' not at all")
    if not stem and text == '*':
        raise ValidationError(option, value, "matches every interface; leave the option out instead")
    check_ifname(option, stem)
    if '"' in stem or "'" in stem:
        raise ValidationError(option, value, 'contains a quote, which is not allowed in an interface name here')
    return text


# ---------------------------------------------------------------------------
# Comments and hashes
# ---------------------------------------------------------------------------

def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=True)


def rule_hash(chain, expr, family=None):
    """First 8 hex digits of sha256 over the canonical JSON of the rule."""
    doc = {'chain': chain, 'family': family, 'expr': expr}
    return hashlib.sha256(canonical_json(doc).encode('ascii')).hexdigest()[:8]


def encode_comment(kind, name, index, order, hash8):
    return '%s%s:%s:%d:%d:%s' % (COMMENT_PREFIX, kind, name, int(index), int(order), hash8)


def decode_comment(comment):
    """'lnp:kind:name:index:order:hash8' -> dict, or None when not ours.

    The name may itself contain ':' (the last three fields are numeric/hex).
    """
    if not isinstance(comment, str) or not comment.startswith(COMMENT_PREFIX):
        return None
    rest = comment[len(COMMENT_PREFIX):]
    head, sep, tail = rest.partition(':')
    if not sep or head not in KINDS:
        return None
    parts = tail.rsplit(':', 3)
    if len(parts) != 4 or not parts[0]:
        return None
    name, index, order, hash8 = parts
    try:
        index = int(index)
        order = int(order)
    except ValueError:
        return None
    return {'kind': head, 'name': name, 'index': index, 'order': order, 'hash': hash8}


def sort_key(info):
    return (info['order'], info['kind'], info['name'], info['index'])


def check_name(kind, name, max_index=0, order=0):
    """The rule set name must fit the comment; refuse quotes/control chars."""
    if name is None or not str(name):
        raise ValidationError('name', name, 'is empty; a rule set needs a name')
    name = str(name)
    for char in name:
        if char in '"\\' or ord(char) < 32 or ord(char) == 127:
            raise ValidationError('name', name, 'contains %r, which rule set names may not contain' % char)
    longest = encode_comment(kind, name, max_index, order, '0' * 8)
    if len(longest.encode('utf-8')) > COMMENT_MAX:
        raise ValidationError('name', name, 'is too long: the rule comment %r would be %d bytes, nftables allows %d'
                              % (longest, len(longest.encode('utf-8')), COMMENT_MAX))
    return name


# ---------------------------------------------------------------------------
# Expression helpers (JSON expression dicts, see libnftables-json(5))
# ---------------------------------------------------------------------------

def _match(left, right, op='=='):
    return {'match': {'op': op, 'left': left, 'right': right}}


def _meta(key):
    return {'meta': {'key': key}}


def _payload(protocol, field):
    return {'payload': {'protocol': protocol, 'field': field}}


def _family_of(prefix):
    return 'ip6' if ':' in str(prefix) else 'ip'


def _addr_value(prefix):
    """'10.0.0.0/24' -> prefix object; '10.0.0.1' or '/32' -> plain address."""
    text = str(prefix)
    if '/' in text:
        addr, plen = text.split('/', 1)
        plen = int(plen)
        full = 128 if ':' in addr else 32
        if plen == full:
            return addr
        return {'prefix': {'addr': addr, 'len': plen}}
    return text


def _addr_right(prefixes):
    if isinstance(prefixes, (list, tuple)):
        values = [_addr_value(p) for p in prefixes]
        if len(values) == 1:
            return values[0]
        return {'set': values}
    return _addr_value(prefixes)


def match_iifname(name, negate=False):
    return _match(_meta('iifname'), str(name), '!=' if negate else '==')


def match_oifname(name, negate=False):
    return _match(_meta('oifname'), str(name), '!=' if negate else '==')


def match_saddr(prefixes, family=None, negate=False):
    """ip/ip6 saddr PREFIX or { P1, P2 }; all prefixes of one family."""
    seq = prefixes if isinstance(prefixes, (list, tuple)) else [prefixes]
    family = family or _family_of(seq[0])
    return _match(_payload(family, 'saddr'), _addr_right(prefixes), '!=' if negate else '==')


def match_daddr(prefixes, family=None, negate=False):
    seq = prefixes if isinstance(prefixes, (list, tuple)) else [prefixes]
    family = family or _family_of(seq[0])
    return _match(_payload(family, 'daddr'), _addr_right(prefixes), '!=' if negate else '==')


def match_nfproto(family):
    """meta nfproto ipv4|ipv6 (family 'ip' or 'ip6')."""
    return _match(_meta('nfproto'), 'ipv6' if family == 'ip6' else 'ipv4')


def match_l4proto(proto):
    return _match(_meta('l4proto'), proto)


def port_value(ports):
    """int -> int; (lo, hi) -> range; list -> set of ints/ranges."""
    if isinstance(ports, list):
        values = [port_value(p) for p in ports]
        if len(values) == 1:
            return values[0]
        return {'set': values}
    if isinstance(ports, tuple):
        low, high = int(ports[0]), int(ports[1])
        if low == high:
            return low
        return {'range': [low, high]}
    return int(ports)


def match_l4(proto, dports=None, sports=None):
    """tcp/udp dport ...; without ports: meta l4proto PROTO.

    proto is 'tcp', 'udp', 'icmp' or 'icmpv6' (icmp types are not ports).
    """
    exprs = []
    if dports is None and sports is None:
        return [match_l4proto(proto)]
    if sports is not None:
        exprs.append(_match(_payload(proto, 'sport'), port_value(sports)))
    if dports is not None:
        exprs.append(_match(_payload(proto, 'dport'), port_value(dports)))
    return exprs


def match_ct_state(states):
    states = list(states)
    return _match({'ct': {'key': 'state'}}, states[0] if len(states) == 1 else {'set': states}, 'in')


def match_ct_status(status):
    return _match({'ct': {'key': 'status'}}, status, 'in')


def match_fib_daddr_local():
    return _match({'fib': {'result': 'type', 'flags': ['daddr']}}, 'local')


def counter():
    return {'counter': None}


def verdict(name):
    """accept, drop, reject, return, continue -> expression."""
    if name == 'reject':
        return {'reject': None}
    return {name: None}


def masquerade():
    return {'masquerade': None}


def limit(rate, per, burst=None):
    obj = {'rate': int(rate), 'per': per}
    if burst is not None:
        obj['burst'] = int(burst)
    return {'limit': obj}


def parse_rate(option, value):
    """'10/minute' -> (10, 'minute')."""
    text = str(value).strip()
    num, sep, unit = text.partition('/')
    units = ('second', 'minute', 'hour', 'day')
    if not sep or unit not in units or not num.isdigit() or int(num) < 1:
        raise ValidationError(option, value, 'is not a rate; write it as N/second, N/minute, N/hour or N/day')
    return int(num), unit


def log(prefix=None, rate=None, level=None):
    """A log statement, preceded by a limit when RATE ('10/minute') is given.

    Returns a list of expressions (limit + log) to splice into a rule.
    """
    exprs = []
    if rate is not None:
        num, unit = rate if isinstance(rate, tuple) else parse_rate('log_rate', rate)
        exprs.append(limit(num, unit))
    obj = {}
    if prefix:
        obj['prefix'] = prefix
    if level:
        obj['level'] = level
    exprs.append({'log': obj or None})
    return exprs


def nat_target(kind, family, addr, port=None):
    """{'dnat': {'family': 'ip', 'addr': '10.0.0.2', 'port': 80}} and the like."""
    obj = {'family': family, 'addr': addr}
    if port is not None:
        obj['port'] = port_value(port)
    return {kind: obj}


# ---------------------------------------------------------------------------
# Renderer: JSON expressions -> readable nft-like text (not parsed back)
# ---------------------------------------------------------------------------

def _quote(value):
    return '"%s"' % value


def _render_value(value):
    if isinstance(value, dict):
        if 'prefix' in value:
            return '%s/%s' % (_render_value(value['prefix']['addr']), value['prefix']['len'])
        if 'range' in value:
            return '%s-%s' % (_render_value(value['range'][0]), _render_value(value['range'][1]))
        if 'set' in value:
            return '{ %s }' % ', '.join(_render_set_elem(v) for v in value['set'])
        if 'concat' in value:
            return ' . '.join(_render_value(v) for v in value['concat'])
        if 'elem' in value:
            return _render_value(value['elem'].get('val'))
        if 'map' in value:
            return '%s map %s' % (_render_value(value['map']['key']), _render_value(value['map']['data']))
        return _render_left(value)
    if isinstance(value, list):
        if len(value) == 2 and not isinstance(value[0], (list, dict)):
            return '%s : %s' % (_render_value(value[0]), _render_value(value[1]))
        return ', '.join(_render_value(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _render_set_elem(value):
    if isinstance(value, list) and len(value) == 2:
        return '%s : %s' % (_render_value(value[0]), _render_value(value[1]))
    return _render_value(value)


def _render_left(left):
    if not isinstance(left, dict):
        return _render_value(left)
    if 'meta' in left:
        return left['meta']['key'] if left['meta']['key'] in ('iifname', 'oifname') else 'meta %s' % left['meta']['key']
    if 'payload' in left:
        pay = left['payload']
        if 'protocol' in pay:
            return '%s %s' % (pay['protocol'], pay['field'])
        return '@%s,%s,%s' % (pay.get('base'), pay.get('offset'), pay.get('len'))
    if 'ct' in left:
        return 'ct %s' % left['ct']['key']
    if 'fib' in left:
        return 'fib %s %s' % (' . '.join(left['fib'].get('flags', [])), left['fib']['result'])
    if 'numgen' in left:
        ngen = left['numgen']
        text = 'numgen %s mod %s' % (ngen['mode'], ngen['mod'])
        if ngen.get('offset'):
            text += ' offset %s' % ngen['offset']
        return text
    return canonical_json(left)


def _render_match(match):
    left = _render_left(match['left'])
    right = match['right']
    if isinstance(left, str) and left in ('iifname', 'oifname') and isinstance(right, str):
        right_text = _quote(right)
    else:
        right_text = _render_value(right)
    op = match.get('op', '==')
    if op in ('==', 'in'):
        return '%s %s' % (left, right_text)
    return '%s %s %s' % (left, op, right_text)


def _render_nat(kind, obj):
    if obj is None:
        return kind
    text = kind
    fam = obj.get('family')
    if fam:
        text += ' %s' % fam
    addr = obj.get('addr')
    port = obj.get('port')
    if addr is not None or port is not None:
        text += ' to'
        if addr is not None:
            addr_text = _render_value(addr)
            if port is not None and fam == 'ip6' and not isinstance(addr, dict):
                addr_text = '[%s]' % addr_text
            text += ' ' + addr_text
        if port is not None:
            text += ':%s' % _render_value(port)
    return text


def render_expr(expr):
    """One JSON statement -> its nft text."""
    if not isinstance(expr, dict) or len(expr) != 1:
        return canonical_json(expr)
    key, val = list(expr.items())[0]
    if key == 'match':
        return _render_match(val)
    if key == 'counter':
        if isinstance(val, dict) and 'packets' in val:
            return 'counter'
        return 'counter'
    if key in ('accept', 'drop', 'continue', 'return'):
        return key
    if key in ('jump', 'goto'):
        return '%s %s' % (key, val.get('target'))
    if key == 'reject':
        if not val:
            return 'reject'
        text = 'reject'
        if val.get('type'):
            text += ' with %s %s' % (val['type'], val.get('expr', ''))
        return text.strip()
    if key in ('masquerade', 'snat', 'dnat', 'redirect'):
        return _render_nat(key, val)
    if key == 'log':
        text = 'log'
        if val and val.get('prefix') is not None:
            text += ' prefix %s' % _quote(val['prefix'])
        if val and val.get('level'):
            text += ' level %s' % val['level']
        return text
    if key == 'limit':
        text = 'limit rate %s/%s' % (val.get('rate'), val.get('per', 'second'))
        if val.get('burst'):
            text += ' burst %s packets' % val['burst']
        return text
    if key == 'notrack':
        return 'notrack'
    return canonical_json(expr)


def render_rule(chain, expr, comment=None):
    """'chain: match ... counter verdict  # lnp:kind:name:index'."""
    text = '%s: %s' % (chain, ' '.join(render_expr(e) for e in expr))
    if comment:
        info = decode_comment(comment)
        if info:
            text += '  # %s%s:%s:%d' % (COMMENT_PREFIX, info['kind'], info['name'], info['index'])
        else:
            text += '  # %s' % comment
    return text


# ---------------------------------------------------------------------------
# Desired rules
# ---------------------------------------------------------------------------

class RuleSpec(object):
    """One desired rule: its chain, JSON expressions and optional family.

    family 'ip' / 'ip6' restricts the rule to that address family: when the
    expressions do not already match an ip / ip6 header field, the layer
    prepends ``meta nfproto ipv4|ipv6``. None: the expressions decide (a rule
    without addresses in the inet table serves both families).
    """

    def __init__(self, chain, expr, family=None):
        if chain not in BASE_CHAINS:
            raise ValueError('unknown chain %r' % chain)
        if family not in (None, 'ip', 'ip6'):
            raise ValueError('unknown family %r' % family)
        self.chain = chain
        self.family = family
        self.expr = list(expr)

    def full_expr(self):
        # A JSON round trip copies these plain JSON values several times
        # faster than deepcopy (it matters for hundreds of rules per call).
        expr = json.loads(json.dumps(self.expr))
        if self.family and not _mentions_family(expr, self.family):
            expr.insert(0, match_nfproto(self.family))
        return expr

    def __repr__(self):
        return 'RuleSpec(%r, %r, family=%r)' % (self.chain, self.expr, self.family)


def _mentions_family(expr, family):
    for stmt in expr:
        match = stmt.get('match') if isinstance(stmt, dict) else None
        if match and isinstance(match.get('left'), dict):
            pay = match['left'].get('payload')
            if pay and pay.get('protocol') == family:
                return True
            meta = match['left'].get('meta')
            if meta and meta.get('key') == 'nfproto':
                return True
    return False


# ---------------------------------------------------------------------------
# The model of our table
# ---------------------------------------------------------------------------

class _Rule(object):
    __slots__ = ('chain', 'handle', 'comment', 'expr', 'info', 'key', 'packets', 'bytes')

    def __init__(self, chain, expr, comment=None, handle=None, packets=None, nbytes=None):
        self.chain = chain
        self.handle = handle
        self.comment = comment
        self.expr = expr
        self.info = decode_comment(comment)
        self.key = sort_key(self.info) if self.info is not None else None
        self.packets = packets
        self.bytes = nbytes

    @property
    def owned(self):
        return self.info is not None

    def text(self):
        return render_rule(self.chain, self.expr, self.comment)


def _counters_of(expr):
    for stmt in expr:
        if isinstance(stmt, dict) and isinstance(stmt.get('counter'), dict):
            return stmt['counter'].get('packets'), stmt['counter'].get('bytes')
    return None, None


class Nft(object):
    """The owned table of one namespace: read once, changed as one transaction.

    With lock=True (every run that may change the table) the namespace's nft
    lock is taken before the table is read and held until the with-block
    ends, so read, plan and commit (with its tidy-up) of concurrent runs never
    interleave. Readers that change nothing need no lock: one nft list is
    atomic.
    """

    def __init__(self, netns=None, read=True, lock=False):
        self.netns = netns
        self._lock = NamespaceLock('nft', netns).acquire() if lock else None
        self.table_exists = False
        self.table_handle = None
        self.chains = {}          # name -> dict(type, hook, prio, policy, handle, foreign)
        self.chain_order = []     # names as read
        self.rules = {}           # chain -> [_Rule] in kernel order
        self.other_objects = []   # sets, maps, ... found in our table (foreign)
        self._initial = None
        self._deleted = []        # (chain, handle)
        self._committed = False
        self._dirty = False
        if read:
            try:
                self.read()
            except BaseException:
                self.close()
                raise

    def close(self):
        """Release the lock (if taken); the model stays readable."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- reading ----------------------------------------------------------
    def read(self):
        rc, out, err = run_nft(self.netns, ['-j', 'list', 'table', FAMILY, TABLE])
        if rc != 0:
            if 'No such file or directory' in err or 'does not exist' in err:
                self.load({'nftables': []})
                return
            raise NftError('nft -j list table %s %s failed: %s' % (FAMILY, TABLE, err.strip() or out.strip()))
        self.load(json.loads(out))

    def load(self, doc):
        """Build the model from `nft -j list table inet linuxnet` output."""
        self.table_exists = False
        self.table_handle = None
        self.chains = {}
        self.chain_order = []
        self.rules = {}
        self.other_objects = []
        for item in doc.get('nftables', []):
            if 'table' in item:
                tab = item['table']
                if tab.get('family') == FAMILY and tab.get('name') == TABLE:
                    self.table_exists = True
                    self.table_handle = tab.get('handle')
            elif 'chain' in item:
                chain = item['chain']
                name = chain['name']
                self.chains[name] = {
                    'type': chain.get('type'), 'hook': chain.get('hook'), 'prio': chain.get('prio'),
                    'policy': chain.get('policy'), 'handle': chain.get('handle'),
                    'foreign': name not in BASE_CHAINS or chain.get('hook') != BASE_CHAINS[name][1],
                    'exists': True,
                }
                self.chain_order.append(name)
                self.rules.setdefault(name, [])
            elif 'rule' in item:
                rule = item['rule']
                expr = rule.get('expr', [])
                packets, nbytes = _counters_of(expr)
                self.rules.setdefault(rule['chain'], []).append(
                    _Rule(rule['chain'], expr, rule.get('comment'), rule.get('handle'), packets, nbytes))
            elif 'metainfo' not in item:
                self.other_objects.append(item)
        self._initial = {
            'table': self.table_exists,
            'chains': copy.deepcopy(self.chains),
        }

    # -- queries ----------------------------------------------------------
    def owned_rules(self, kind=None, name=None):
        result = []
        for chain in self._chain_names():
            for rule in self.rules.get(chain, []):
                if not rule.owned:
                    continue
                if kind is not None and rule.info['kind'] != kind:
                    continue
                if name is not None and rule.info['name'] != name:
                    continue
                result.append(rule)
        return result

    def rule_counters(self, kind=None, name=None, rules=None):
        """[{comment, chain, packets, bytes}] of owned rules as read (RULES:
        a set's rules from owned_by_name(), instead of a search)."""
        rules = self.owned_rules(kind, name) if rules is None else rules
        return [{'comment': r.comment, 'chain': r.chain, 'packets': r.packets, 'bytes': r.bytes}
                for r in rules if r.handle is not None]

    def rule_set_lines(self, kind, name, rules=None):
        rules = self.owned_rules(kind, name) if rules is None else rules
        return [r.text() for r in sorted(rules, key=lambda r: (r.info['index'], r.chain))]

    def owned_by_name(self, kind):
        """{name: [rule]} of KIND's sets, in one pass over the table."""
        result = {}
        for rule in self.owned_rules(kind):
            result.setdefault(rule.info['name'], []).append(rule)
        return result

    def kinds_of(self, name):
        return sorted(set(r.info['kind'] for r in self.owned_rules(name=name)))

    def policy(self, chain):
        info = self.chains.get(chain)
        if not info or not info.get('policy'):
            return 'accept'
        return info['policy']

    def summary(self):
        """The owned rules and policies (for net_info)."""
        rules = []
        for rule in self.owned_rules():
            rules.append({'chain': rule.chain, 'kind': rule.info['kind'], 'name': rule.info['name'],
                          'index': rule.info['index'], 'order': rule.info['order'], 'comment': rule.comment,
                          'rule': rule.text(), 'handle': rule.handle,
                          'packets': rule.packets, 'bytes': rule.bytes})
        policies = dict((c, self.chains[c].get('policy')) for c in FILTER_CHAINS
                        if c in self.chains and self.chains[c].get('policy'))
        foreign = sum(1 for chain in self.rules for r in self.rules[chain] if not r.owned)
        return {'table': self.table_exists, 'rules': rules, 'policies': policies, 'foreign_rules': foreign}

    def _chain_names(self):
        names = [c for c in self.chain_order if c in self.rules]
        names += [c for c in CHAIN_ORDER if c in self.rules and c not in names]
        names += [c for c in self.rules if c not in names]
        return names

    # -- planning (model changes) -----------------------------------------
    def _remove_set(self, kind, name):
        """Drop the set's rules from the model -> {chain: index of its first rule}."""
        places = {}
        for chain in list(self.rules):
            keep = []
            for rule in self.rules[chain]:
                if rule.owned and rule.info['kind'] == kind and rule.info['name'] == name:
                    if rule.handle is not None:
                        self._deleted.append((chain, rule.handle))
                    places.setdefault(chain, len(keep))
                    continue
                keep.append(rule)
            self.rules[chain] = keep
        return places

    def _insert_owned(self, rule, hint=None):
        """Place RULE after the last owned rule that sorts before it, else
        before the first owned rule that sorts after it; in a chain without
        other owned rules at HINT (where the set's old rules were), else at
        the end. Foreign rules are never moved.

        The scan runs from the end: rules of a list of sets arrive mostly in
        order, so each usually stops at the last rule."""
        chain_rules = self.rules.setdefault(rule.chain, [])
        key = rule.key
        pos = None
        first_after = None
        for i in range(len(chain_rules) - 1, -1, -1):
            other = chain_rules[i]
            if other.key is None:
                continue
            if other.key < key:
                pos = i + 1
                break
            if other.key > key:
                first_after = i
        if pos is None:
            pos = first_after
        if pos is None:
            pos = len(chain_rules) if hint is None else min(hint, len(chain_rules))
        chain_rules.insert(pos, rule)

    def _ensure_chain(self, chain):
        if chain not in self.chains:
            ctype, hook, prio = BASE_CHAINS[chain]
            self.chains[chain] = {'type': ctype, 'hook': hook, 'prio': prio, 'policy': None,
                                  'handle': None, 'foreign': False, 'exists': False}
            self.chain_order.append(chain)
            self.rules.setdefault(chain, [])

    def set_policy(self, chain, policy):
        self._ensure_chain(chain)
        self.chains[chain]['policy'] = policy
        self.chains[chain]['policy_set'] = True
        self._dirty = True

    def replace_rule_set(self, kind, name, rules, order=0, existing=True, comments=None):
        """Model: drop the set's rules, add the new ones at their sorted place.

        existing=False (the set has no rule yet) skips the search for old
        rules; COMMENTS (the rules' comments, when the caller has them) saves
        hashing them again."""
        places = self._remove_set(kind, name) if existing else {}
        if comments is None:
            comments = _comments(kind, name, order, rules)
        for spec, comment in zip(rules, comments):
            expr = spec.full_expr()
            self._ensure_chain(spec.chain)
            self._insert_owned(_Rule(spec.chain, expr, comment), places.get(spec.chain))
        self._dirty = True

    # -- the transaction ----------------------------------------------------
    def _keep_chain(self, chain):
        """Does the chain still have a reason to exist after the plan?

        A foreign chain, a chain with rules (ours or foreign) or with a drop
        policy stays; an empty accept chain of ours goes.
        """
        info = self.chains[chain]
        if info.get('foreign'):
            return True
        if self.rules.get(chain):
            return True
        return info.get('policy') not in (None, 'accept')

    def keep_table(self):
        """Does the table still have a reason to exist after the plan?"""
        if self.other_objects:
            return True
        return any(self._keep_chain(c) for c in self.chains)

    def transaction(self):
        """The JSON commands turning the kernel's table into the model.

        Only additive commands, policy changes and deletions of owned rules
        by handle: never ``delete chain`` or ``delete table`` (both would take
        foreign rules along that may have been added since the table was
        read). What the plan leaves empty is removed afterwards by commit()
        (see removals() and tidy_commands()).
        """
        cmds = []
        table_ref = {'family': FAMILY, 'name': TABLE}
        if not self.table_exists:
            if not self.keep_table():
                return cmds
            cmds.append({'add': {'table': dict(table_ref)}})
        initial_chains = self._initial['chains'] if self._initial else {}
        for chain in self._chain_names_for_tx():
            info = self.chains[chain]
            if info.get('foreign'):
                continue
            old = initial_chains.get(chain)
            if old is None and not self._keep_chain(chain):
                continue
            policy = info.get('policy') or 'accept'
            if old is None or (old.get('policy') or 'accept') != policy:
                ctype, hook, prio = BASE_CHAINS[chain]
                obj = {'family': FAMILY, 'table': TABLE, 'name': chain, 'type': ctype, 'hook': hook,
                       'prio': prio, 'policy': policy}
                cmds.append({'add': {'chain': obj}})
        for chain, handle in self._deleted:
            cmds.append({'delete': {'rule': {'family': FAMILY, 'table': TABLE, 'chain': chain, 'handle': handle}}})
        for chain in self._chain_names_for_tx():
            cmds.extend(self._add_commands(chain))
        return cmds

    def removals(self):
        """What the plan leaves without a reason to exist: (chains, table).

        chains: our existing base chains that end up with no rule and an
        accept policy; table: True when nothing at all is left in the table.
        commit() removes them after the transaction, re-checked on a fresh
        reading of the table.
        """
        if not self.table_exists:
            return [], False
        initial_chains = self._initial['chains'] if self._initial else {}
        chains = [c for c in self._chain_names_for_tx()
                  if c in initial_chains and not self.chains[c].get('foreign') and not self._keep_chain(c)]
        return chains, not self.keep_table()

    def tidy_commands(self, chains, table):
        """On a FRESH reading of the table: delete what is still empty.

        CHAINS and TABLE are what the plan meant to remove (removals()). The
        table goes only when this reading finds nothing in it that has a
        reason to stay (no rule, no foreign chain, no drop policy, no set);
        otherwise each of CHAINS that is still one of ours and empty goes,
        and the rest stays. Deletions are by handle, so a table or chain
        re-created in the meantime is not hit.
        """
        if not self.table_exists:
            return []
        if table and not self.keep_table():
            ref = {'family': FAMILY}
            if self.table_handle is not None:
                ref['handle'] = self.table_handle
            else:
                ref['name'] = TABLE
            return [{'delete': {'table': ref}}]
        cmds = []
        for chain in chains:
            info = self.chains.get(chain)
            if info is None or info.get('foreign') or self._keep_chain(chain):
                continue
            ref = {'family': FAMILY, 'table': TABLE}
            if info.get('handle') is not None:
                ref['handle'] = info['handle']
            else:
                ref['name'] = chain
            cmds.append({'delete': {'chain': ref}})
        return cmds

    def _chain_names_for_tx(self):
        names = [c for c in self.chain_order if c in self.chains]
        return names

    def _add_commands(self, chain):
        """Commands placing the new rules of CHAIN (those without a handle).

        Only two placements are used, both reliable in nft's JSON input:
        ``insert`` with the handle of the next existing rule (the new rule
        goes right before it; a run of new rules before the same rule is
        inserted in order), and a plain ``add`` (append) for the new rules
        after the last existing one. (``add`` with a handle, "after H", is
        ignored by nft 1.0.6's JSON parser: the rule is appended.)
        """
        cmds = []
        pending = []

        def rule_obj(rule, handle=None):
            obj = {'family': FAMILY, 'table': TABLE, 'chain': chain, 'expr': rule.expr}
            if rule.comment:
                obj['comment'] = rule.comment
            if handle is not None:
                obj['handle'] = handle
            return obj

        for rule in self.rules.get(chain, []):
            if rule.handle is None:
                pending.append(rule)
                continue
            cmds.extend({'insert': {'rule': rule_obj(new, rule.handle)}} for new in pending)
            pending = []
        cmds.extend({'add': {'rule': rule_obj(new)}} for new in pending)
        return cmds

    def document(self, cmds=None):
        return {'nftables': [{'metainfo': {'json_schema_version': 1}}] + list(self.transaction() if cmds is None else cmds)}

    def check(self):
        """Validate the pending transaction with nft -c; raises NftError."""
        cmds = self.transaction()
        if not cmds:
            return
        rc, out, err = run_nft(self.netns, ['-c', '-j', '-f', '-'], canonical_json(self.document(cmds)))
        if rc != 0:
            raise NftError('nft refused the rules: %s' % (err.strip() or out.strip()))

    def commit(self):
        """Send the pending transaction once (later calls do nothing), then
        remove what it left empty (see tidy())."""
        if self._committed:
            return
        self._committed = True
        cmds = self.transaction()
        chains, table = self.removals()
        if cmds:
            rc, out, err = run_nft(self.netns, ['-j', '-f', '-'], canonical_json(self.document(cmds)))
            if rc != 0:
                raise NftError('nft -j -f - failed: %s' % (err.strip() or out.strip()))
        if chains or table:
            self.tidy(chains, table)

    def tidy(self, chains, table):
        """Re-read the table and delete CHAINS / the TABLE if still empty."""
        fresh = Nft(self.netns)
        cmds = fresh.tidy_commands(chains, table)
        if not cmds:
            return
        rc, out, err = run_nft(self.netns, ['-j', '-f', '-'], canonical_json(self.document(cmds)))
        if rc != 0:
            raise NftError('the owned rules were removed, but removing the emptied %s failed: %s'
                           % ('table %s %s' % (FAMILY, TABLE) if 'table' in cmds[0]['delete'] else 'chains',
                              err.strip() or out.strip()))


# ---------------------------------------------------------------------------
# Planning (module side)
# ---------------------------------------------------------------------------

def _per_chain(pairs):
    result = {}
    for chain, comment in pairs:
        result.setdefault(chain, []).append(comment)
    return result


def _comments(kind, name, order, rules):
    return [encode_comment(kind, name, i, order, rule_hash(spec.chain, spec.expr, spec.family))
            for i, spec in enumerate(rules)]


def _set_index(nft):
    """{(kind, name): [rule]} and {name: set(kinds)} of the owned rules as read:
    one pass over the table, however many sets are planned."""
    by_set = {}
    kinds = {}
    for rule in nft.owned_rules():
        by_set.setdefault((rule.info['kind'], rule.info['name']), []).append(rule)
        kinds.setdefault(rule.info['name'], set()).add(rule.info['kind'])
    return by_set, kinds


def _plan_one(nft, index, kind, name, rules, order, state):
    """Change the model for one set; (before, after, action) or None when it is up to date."""
    rules = list(rules or [])
    name = check_name(kind, name, max(len(rules) - 1, 0), order)
    by_set, kinds = index
    others = sorted(k for k in kinds.get(name, ()) if k != kind)
    if others:
        raise ValidationError('name', name, 'is already used by %s rule set' % KIND_LABELS.get(others[0], others[0]))
    current = by_set.get((kind, name), [])
    before = [r.text() for r in sorted(current, key=lambda r: (r.info['index'], r.chain))]
    desired = [] if state == 'absent' else rules
    comments = _comments(kind, name, order, desired)
    if _per_chain((r.chain, r.comment) for r in current) == _per_chain(
            (spec.chain, comment) for spec, comment in zip(desired, comments)):
        return before, before, None
    after = [render_rule(spec.chain, spec.full_expr(), comment) for spec, comment in zip(desired, comments)]
    nft.replace_rule_set(kind, name, desired, order, existing=bool(current), comments=comments)
    if state == 'absent':
        action = 'remove %s rule set %s (%d rules)' % (kind, name, len(current))
    elif current:
        action = 'replace %s rule set %s (%d rules)' % (kind, name, len(rules))
    else:
        action = 'add %s rule set %s (%d rules)' % (kind, name, len(rules))
    return before, after, action


def _queue_empty_table_tidy(tracker, nft):
    """Left empty earlier (its last rules were foreign ones, since deleted by
    hand): a removing run tidies it up."""
    if nft.table_exists and not nft.keep_table():
        tracker.add('remove the empty table %s %s' % (FAMILY, TABLE), nft.commit)
        return True
    return False


def plan_rule_set(tracker, nft, kind, name, rules, order=0, state='present'):
    """Bring the rule set (KIND, NAME) to RULES (state present) or remove it.

    Records tracker.compare('rules', before_lines, after_lines) and queues one
    action that commits the Nft transaction at apply time. Raises
    ValidationError for a name used by another kind or one too long, and
    NftError when nft refuses the rules (checked with nft -c first).
    """
    if kind not in KINDS:
        raise ValueError('unknown rule kind %r' % kind)
    before, after, action = _plan_one(nft, _set_index(nft), kind, name, rules, order, state)
    tracker.compare('rules', before, after)
    if action is None:
        return state == 'absent' and _queue_empty_table_tidy(tracker, nft)
    nft.check()
    tracker.add(action, nft.commit)
    return True


class RuleSetPlan(object):
    """One element of a list of rule sets: NAME with RULES (or state absent)."""

    def __init__(self, name, rules=(), order=0, state='present'):
        self.name = name
        self.rules = list(rules)
        self.order = order
        self.state = state


def plan_rule_sets(tracker, nft, kind, plans, purge=False, verify=True):
    """Bring every rule set of PLANS (RuleSetPlan list) to its state in ONE
    transaction; with PURGE also remove KIND's sets not listed.

    Records tracker.compare('rule_sets', {name: lines}, {name: lines}) of the
    sets that change, and one action per changed set (they all commit the
    same transaction). VERIFY
    checks the transaction with nft -c now: needed in check mode, where it is
    the only test of the rules; a real run may leave it out (verify=False),
    because its one transaction is atomic and queued before any other action,
    so a refusal changes nothing either - and hundreds of rules are not sent
    to nft twice. Returns (the names removed by purge, {name: planned lines}
    of every listed set).
    """
    if kind not in KINDS:
        raise ValueError('unknown rule kind %r' % kind)
    index = _set_index(nft)
    listed = set(p.name for p in plans)
    purged = sorted(n for (k, n) in index[0] if k == kind and n not in listed) if purge else []
    before, after, actions, planned = {}, {}, [], {}
    for position, plan in enumerate(list(plans) + [RuleSetPlan(n, state='absent') for n in purged]):
        try:
            old, new, action = _plan_one(nft, index, kind, plan.name, plan.rules, plan.order, plan.state)
        except ValidationError as exc:
            raise ValidationError('rule_sets[%d].%s' % (position, exc.option), exc.value, exc.reason)
        if action is not None:
            # Only the sets that change: hundreds of unchanged ones would bury the change (and slow every run).
            before[plan.name], after[plan.name] = old, new
            actions.append(action)
        planned[plan.name] = new
    tracker.compare('rule_sets', before, after)
    if not actions:
        if purge or any(p.state == 'absent' for p in plans):
            _queue_empty_table_tidy(tracker, nft)
        return purged, planned
    if verify:
        nft.check()
    for action in actions:
        tracker.add(action, nft.commit)
    return purged, planned


def plan_chain_policy(tracker, nft, chain, policy):
    """Set the default policy of our filter chain CHAIN (input, forward, output).

    'accept' on a chain that does not exist is already true (no change). A
    drop policy keeps the chain and the table even without rules.
    """
    return plan_chain_policies(tracker, nft, {chain: policy}, options=('chain', 'policy'))


def plan_chain_policies(tracker, nft, policies, options=None):
    """plan_chain_policy() for several chains, {chain: policy}, in the same transaction
    (with whatever else is pending on NFT). OPTIONS: how errors name (chain, policy);
    by default policies.CHAIN. -> whether a policy changes."""
    for chain, policy in sorted(policies.items()):
        if chain not in FILTER_CHAINS:
            raise ValidationError(options[0] if options else 'policies', chain,
                                  'has no policy; policies apply to %s' % ', '.join(FILTER_CHAINS))
        if policy not in ('accept', 'drop'):
            raise ValidationError(options[1] if options else 'policies.%s' % chain, policy,
                                  'is not a chain policy; use accept or drop')
    current = dict((chain, nft.policy(chain)) for chain in policies)
    tracker.compare('policy', current, dict(policies))
    changes = [chain for chain in FILTER_CHAINS if chain in policies and current[chain] != policies[chain]]
    if not changes:
        return False
    for chain in changes:
        nft.set_policy(chain, policies[chain])
    nft.check()
    for chain in changes:
        tracker.add('set the %s chain policy to %s' % (chain, policies[chain]), nft.commit)
    return True
