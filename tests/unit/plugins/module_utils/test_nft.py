# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the nftables layer: comments, hashes, rendering, placement."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import firewall as _firewall
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import nftables as _nft
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import nft as nft_runner
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError


# ---------------------------------------------------------------- comments and hashes

def test_comment_round_trip():
    comment = _nft.encode_comment('firewall_rule', 'web', 2, 100, 'abcdef01')
    assert comment == 'lnp:firewall_rule:web:2:100:abcdef01'
    assert _nft.decode_comment(comment) == {'kind': 'firewall_rule', 'name': 'web', 'index': 2,
                                            'order': 100, 'hash': 'abcdef01'}


def test_comment_name_with_colons():
    comment = _nft.encode_comment('dnat', 'a:b:1', 0, 0, '00000000')
    info = _nft.decode_comment(comment)
    assert info['name'] == 'a:b:1'
    assert info['index'] == 0


def test_negative_order_round_trips():
    info = _nft.decode_comment(_nft.encode_comment('firewall_rule', 'x', 0, -5, '00000000'))
    assert info['order'] == -5


@pytest.mark.parametrize('comment', [
    None, '', 'handmade', 'lnp:', 'lnp:other:x:0:0:00000000', 'lnp:dnat:x:0:00000000',
    'lnp:dnat::0:0:00000000', 'lnp:dnat:x:a:0:00000000', 'xlnp:dnat:x:0:0:00000000',
])
def test_foreign_comments(comment):
    assert _nft.decode_comment(comment) is None


def test_hash_is_stable():
    expr = [_nft.match_oifname('eth0'), _nft.match_saddr(['10.0.0.0/24']), _nft.counter(), _nft.masquerade()]
    # A fixed value: a change here changes every deployed rule's comment,
    # so every existing rule set would be replaced once on upgrade.
    assert _nft.rule_hash('postrouting', expr) == 'f4b42a79'
    assert _nft.rule_hash('postrouting', expr, 'ip') != _nft.rule_hash('postrouting', expr)
    assert _nft.rule_hash('input', expr) != _nft.rule_hash('postrouting', expr)


def test_hash_ignores_dict_key_order():
    one = [{'match': {'op': '==', 'left': {'meta': {'key': 'oifname'}}, 'right': 'eth0'}}]
    two = [{'match': {'right': 'eth0', 'left': {'meta': {'key': 'oifname'}}, 'op': '=='}}]
    assert _nft.rule_hash('postrouting', one) == _nft.rule_hash('postrouting', two)


def test_name_checks():
    assert _nft.check_name('masquerade', 'lan') == 'lan'
    for bad in ('', 'a"b', 'a\\b', 'a\nb'):
        with pytest.raises(ValidationError) as exc:
            _nft.check_name('masquerade', bad)
        assert exc.value.option == 'name'
    with pytest.raises(ValidationError) as exc:
        _nft.check_name('firewall_rule', 'n' * 100, 0, 100)
    assert '127' in str(exc.value)
    # the longest name that fits exactly
    name = 'n' * (127 - len('lnp:masquerade::9:0:00000000'))
    assert _nft.check_name('masquerade', name, 9, 0) == name


def test_ifname_patterns():
    assert _nft.check_ifname_pattern('out_interface', 'eth0') == 'eth0'
    assert _nft.check_ifname_pattern('out_interface', 'veth*') == 'veth*'
    for bad in ('a*b', '*', 'bad/name', 'x' * 16, 'a b', 'e"th'):
        with pytest.raises(ValidationError) as exc:
            _nft.check_ifname_pattern('out_interface', bad)
        assert exc.value.option == 'out_interface'


def test_parse_rate():
    assert _nft.parse_rate('log_rate', '10/minute') == (10, 'minute')
    for bad in ('10', '0/second', 'x/minute', '10/week', '-1/day'):
        with pytest.raises(ValidationError):
            _nft.parse_rate('log_rate', bad)


# ---------------------------------------------------------------- expression helpers

def test_address_matches():
    assert _nft.match_saddr(['10.0.0.0/24']) == {'match': {
        'op': '==', 'left': {'payload': {'protocol': 'ip', 'field': 'saddr'}},
        'right': {'prefix': {'addr': '10.0.0.0', 'len': 24}}}}
    many = _nft.match_daddr(['2001:db8::/64', '2001:db8:1::1/128'], negate=True)['match']
    assert many['op'] == '!='
    assert many['left'] == {'payload': {'protocol': 'ip6', 'field': 'daddr'}}
    assert many['right'] == {'set': [{'prefix': {'addr': '2001:db8::', 'len': 64}}, '2001:db8:1::1']}


def test_port_values():
    assert _nft.port_value(80) == 80
    assert _nft.port_value((8000, 8010)) == {'range': [8000, 8010]}
    assert _nft.port_value((80, 80)) == 80
    assert _nft.port_value([80, (8000, 8010)]) == {'set': [80, {'range': [8000, 8010]}]}
    assert _nft.port_value([443]) == 443
    assert _nft.match_l4('icmp') == [{'match': {'op': '==', 'left': {'meta': {'key': 'l4proto'}}, 'right': 'icmp'}}]


def test_log_with_rate():
    assert _nft.log('fw: ', '5/second') == [{'limit': {'rate': 5, 'per': 'second'}}, {'log': {'prefix': 'fw: '}}]
    assert _nft.log() == [{'log': None}]


def test_rulespec_family_adds_nfproto_only_when_needed():
    spec = _nft.RuleSpec('prerouting', [_nft.match_fib_daddr_local(), _nft.nat_target('dnat', 'ip', '10.0.0.2', 80)],
                         family='ip')
    assert spec.full_expr()[0] == _nft.match_nfproto('ip')
    spec = _nft.RuleSpec('postrouting', [_nft.match_saddr(['2001:db8::/64']), _nft.masquerade()], family='ip6')
    assert spec.full_expr() == spec.expr
    with pytest.raises(ValueError):
        _nft.RuleSpec('nochain', [])


# ---------------------------------------------------------------- renderer

@pytest.mark.parametrize('expr, text', [
    ([_nft.match_oifname('eth0'), _nft.match_saddr(['10.0.0.0/24']), _nft.counter(), _nft.masquerade()],
     'oifname "eth0" ip saddr 10.0.0.0/24 counter masquerade'),
    ([_nft.match_iifname('wan*'), _nft.match_daddr(['10.1.0.0/16', '10.2.0.0/16'], negate=True), _nft.verdict('accept')],
     'iifname "wan*" ip daddr != { 10.1.0.0/16, 10.2.0.0/16 } accept'),
    (_nft.match_l4('tcp', [22, (8000, 8010)]) + [_nft.match_ct_state(['new']), _nft.counter()]
     + _nft.log('fw: ', '10/minute') + [_nft.verdict('drop')],
     'tcp dport { 22, 8000-8010 } ct state new counter limit rate 10/minute log prefix "fw: " drop'),
    ([_nft.match_ct_state(['established', 'related']), _nft.verdict('accept')],
     'ct state { established, related } accept'),
    ([_nft.match_ct_status('dnat'), _nft.verdict('accept')], 'ct status dnat accept'),
    ([_nft.match_fib_daddr_local()] + _nft.match_l4('tcp', 80)
     + [_nft.counter(), _nft.nat_target('dnat', 'ip', '10.0.0.2', 8080)],
     'fib daddr type local tcp dport 80 counter dnat ip to 10.0.0.2:8080'),
    ([_nft.nat_target('dnat', 'ip6', '2001:db8::2', 8080)], 'dnat ip6 to [2001:db8::2]:8080'),
    ([_nft.nat_target('dnat', 'ip', '10.0.0.2')], 'dnat ip to 10.0.0.2'),
    ([{'dnat': {'family': 'ip', 'addr': {'map': {
        'key': {'numgen': {'mode': 'inc', 'mod': 2, 'offset': 0}},
        'data': {'set': [[0, {'concat': ['10.0.0.2', 80]}], [1, {'concat': ['10.0.0.3', 8080]}]]}}}}}],
     'dnat ip to numgen inc mod 2 map { 0 : 10.0.0.2 . 80, 1 : 10.0.0.3 . 8080 }'),
    ([_nft.match_l4proto('icmpv6'), _nft.verdict('reject')], 'meta l4proto icmpv6 reject'),
    ([{'reject': {'type': 'icmpx', 'expr': 'port-unreachable'}}], 'reject with icmpx port-unreachable'),
    ([{'counter': {'packets': 3, 'bytes': 180}}, {'drop': None}], 'counter drop'),
    ([{'limit': {'rate': 10, 'burst': 5, 'per': 'minute'}}], 'limit rate 10/minute burst 5 packets'),
    ([{'unknown_stmt': {'x': 1}}], '{"unknown_stmt":{"x":1}}'),
])
def test_render(expr, text):
    assert ' '.join(_nft.render_expr(e) for e in expr) == text


def test_render_rule_with_comment():
    line = _nft.render_rule('postrouting', [_nft.counter(), _nft.masquerade()], 'lnp:masquerade:lan:1:0:abcdef01')
    assert line == 'postrouting: counter masquerade  # lnp:masquerade:lan:1'
    assert _nft.render_rule('input', [_nft.verdict('accept')], 'handmade') == 'input: accept  # handmade'


# ---------------------------------------------------------------- model and transactions

class FakeNft(_nft.Nft):
    """Nft without processes: the model is loaded from a JSON listing."""

    def __init__(self, doc=None):
        super(FakeNft, self).__init__('test', read=False)
        self.load(doc or {'nftables': []})

    def check(self):
        pass


def _listing(chains, rules, policies=None):
    """A `nft -j list table inet linuxnet` document; rules: (chain, handle, comment)."""
    items = [{'metainfo': {'json_schema_version': 1}}, {'table': {'family': 'inet', 'name': 'linuxnet', 'handle': 1}}]
    policies = policies or {}
    for i, name in enumerate(chains):
        ctype, hook, prio = _nft.BASE_CHAINS[name]
        items.append({'chain': {'family': 'inet', 'table': 'linuxnet', 'name': name, 'handle': i + 1, 'type': ctype,
                                'hook': hook, 'prio': prio, 'policy': policies.get(name, 'accept')}})
    for chain, handle, comment in rules:
        rule = {'family': 'inet', 'table': 'linuxnet', 'chain': chain, 'handle': handle,
                'expr': [{'counter': {'packets': handle, 'bytes': handle * 100}}, {'accept': None}]}
        if comment is not None:
            rule['comment'] = comment
        items.append({'rule': rule})
    return {'nftables': items}


def _spec(chain='input', port=80):
    return _nft.RuleSpec(chain, _nft.match_l4('tcp', port) + [_nft.counter(), _nft.verdict('accept')])


def _comment(kind, name, index, order, spec):
    return _nft.encode_comment(kind, name, index, order, _nft.rule_hash(spec.chain, spec.expr, spec.family))


def _placements(cmds):
    """[(verb, handle or None, comment)] of the rule commands."""
    out = []
    for cmd in cmds:
        verb = list(cmd)[0]
        obj = cmd[verb]
        if 'rule' in obj:
            out.append((verb, obj['rule'].get('handle'), obj['rule'].get('comment')))
        else:
            out.append((verb, list(obj)[0], obj[list(obj)[0]].get('name')))
    return out


def test_new_table_gets_table_chain_and_rules_in_order():
    nft = FakeNft()
    tracker = DifferenceTracker()
    specs = [_spec(port=80), _spec(port=443)]
    assert _nft.plan_rule_set(tracker, nft, 'firewall_rule', 'web', specs, order=100)
    cmds = nft.transaction()
    assert _placements(cmds) == [
        ('add', 'table', 'linuxnet'),
        ('add', 'chain', 'input'),
        ('add', None, _comment('firewall_rule', 'web', 0, 100, specs[0])),
        ('add', None, _comment('firewall_rule', 'web', 1, 100, specs[1])),
    ]
    assert cmds[1]['add']['chain']['policy'] == 'accept'
    assert tracker.changed
    assert tracker.after['rules'] == [
        'input: tcp dport 80 counter accept  # lnp:firewall_rule:web:0',
        'input: tcp dport 443 counter accept  # lnp:firewall_rule:web:1',
    ]
    assert tracker.before['rules'] == []


def test_unchanged_set_is_idempotent():
    spec = _spec()
    nft = FakeNft(_listing(['input'], [('input', 5, _comment('firewall_rule', 'web', 0, 100, spec))]))
    tracker = DifferenceTracker()
    assert not _nft.plan_rule_set(tracker, nft, 'firewall_rule', 'web', [spec], order=100)
    assert not tracker.changed
    assert tracker.before == tracker.after
    assert nft.transaction() == []


def test_changed_hash_or_order_replaces_the_set():
    spec = _spec()
    nft = FakeNft(_listing(['input'], [('input', 5, _comment('firewall_rule', 'web', 0, 100, spec))]))
    tracker = DifferenceTracker()
    assert _nft.plan_rule_set(tracker, nft, 'firewall_rule', 'web', [spec], order=50)
    assert _placements(nft.transaction()) == [
        ('delete', 5, None),
        ('add', None, _comment('firewall_rule', 'web', 0, 50, spec)),
    ]


def test_rule_deleted_by_hand_is_restored():
    specs = [_spec(port=80), _spec(port=443)]
    nft = FakeNft(_listing(['input'], [('input', 5, _comment('firewall_rule', 'web', 0, 100, specs[0]))]))
    tracker = DifferenceTracker()
    assert _nft.plan_rule_set(tracker, nft, 'firewall_rule', 'web', specs, order=100)
    assert len(tracker.before['rules']) == 1
    assert [p[0] for p in _placements(nft.transaction())] == ['delete', 'add', 'add']


def test_new_set_sorted_between_owned_rules_and_foreign_rules_stay():
    a = _spec(port=1)
    c = _spec(port=3)
    listing = _listing(['input'], [
        ('input', 10, 'handmade'),
        ('input', 11, _comment('firewall_rule', 'a', 0, 100, a)),
        ('input', 12, 'handmade too'),
        ('input', 13, _comment('firewall_rule', 'c', 0, 100, c)),
    ])
    # b sorts between a and c: placed right after a's rule, i.e. inserted
    # (in order) before the rule that follows it, the foreign 12
    nft = FakeNft(listing)
    b = [_spec(port=2), _spec(port=22)]
    _nft.plan_rule_set(DifferenceTracker(), nft, 'firewall_rule', 'b', b, order=100)
    assert _placements(nft.transaction()) == [
        ('insert', 12, _comment('firewall_rule', 'b', 0, 100, b[0])),
        ('insert', 12, _comment('firewall_rule', 'b', 1, 100, b[1])),
    ]
    # order 10 sorts first: before a (handle 11), after the first foreign rule
    nft = FakeNft(listing)
    _nft.plan_rule_set(DifferenceTracker(), nft, 'firewall_rule', 'z', [_spec(port=9)], order=10)
    assert _placements(nft.transaction())[0][:2] == ('insert', 11)
    # order 200 sorts last: appended after c
    nft = FakeNft(listing)
    _nft.plan_rule_set(DifferenceTracker(), nft, 'firewall_rule', 'a2', [_spec(port=9)], order=200)
    assert _placements(nft.transaction())[0][:2] == ('add', None)


def test_replaced_set_keeps_its_place_among_foreign_rules():
    old = _spec(port=1)
    nft = FakeNft(_listing(['input'], [
        ('input', 10, 'first'),
        ('input', 11, _comment('firewall_rule', 'a', 0, 100, old)),
        ('input', 12, 'last'),
    ]))
    new = _spec(port=2)
    _nft.plan_rule_set(DifferenceTracker(), nft, 'firewall_rule', 'a', [new], order=100)
    assert _placements(nft.transaction()) == [
        ('delete', 11, None),
        ('insert', 12, _comment('firewall_rule', 'a', 0, 100, new)),
    ]


def test_sort_key_is_order_kind_name_index():
    keys = [(100, 'firewall_rule', 'b', 0), (0, 'masquerade', 'z', 1), (100, 'firewall_rule', 'a', 3),
            (0, 'dnat', 'z', 0)]
    infos = [dict(order=o, kind=k, name=n, index=i) for o, k, n, i in keys]
    assert [_nft.sort_key(i) for i in sorted(infos, key=_nft.sort_key)] == sorted(keys)


def _foreign_chain(doc, name='handmade', handle=90):
    """Add a regular chain (no hook) of someone else to a listing."""
    doc['nftables'].append({'chain': {'family': 'inet', 'table': 'linuxnet', 'name': name, 'handle': handle}})
    return doc


def _foreign_rule(doc, chain, handle, comment='handmade'):
    doc['nftables'].append({'rule': {'family': 'inet', 'table': 'linuxnet', 'chain': chain, 'handle': handle,
                                     'comment': comment, 'expr': [{'counter': {'packets': 0, 'bytes': 0}}]}})
    return doc


DELETE_TABLE = {'delete': {'table': {'family': 'inet', 'handle': 1}}}


def test_removing_the_last_rule_deletes_the_rule_then_the_table_if_still_empty():
    spec = _spec(chain='postrouting')
    nft = FakeNft(_listing(['postrouting'], [('postrouting', 4, _comment('masquerade', 'lan', 0, 0, spec))]))
    tracker = DifferenceTracker()
    assert _nft.plan_rule_set(tracker, nft, 'masquerade', 'lan', [], state='absent')
    assert tracker.after['rules'] == []
    # the transaction deletes the owned rule by handle, never the table or a
    # chain (both are recursive in nftables: they would take along anything
    # added by hand since the table was read) ...
    assert nft.transaction() == [{'delete': {'rule': {'family': 'inet', 'table': 'linuxnet',
                                                      'chain': 'postrouting', 'handle': 4}}}]
    # ... the plan says the chain and the table should go ...
    assert nft.removals() == (['postrouting'], True)
    # ... and a fresh reading after the transaction decides: still empty ->
    # the table goes, by handle
    after = FakeNft(_listing(['postrouting'], []))
    assert after.tidy_commands(['postrouting'], True) == [DELETE_TABLE]


def test_tidy_keeps_what_was_added_by_hand_after_the_reading():
    """The race of issue 4: a foreign rule or chain lands in our table between
    the module's reading and its commit. The tidy-up re-reads and keeps it."""
    # a rule added by hand into our emptied chain: chain and table stay
    after = _foreign_rule(_listing(['postrouting'], []), 'postrouting', 7)
    assert FakeNft(after).tidy_commands(['postrouting'], True) == []
    # a foreign chain added to our table: the table stays, our empty chain goes (by handle)
    after = _foreign_chain(_listing(['postrouting'], []))
    assert FakeNft(after).tidy_commands(['postrouting'], True) == [
        {'delete': {'chain': {'family': 'inet', 'table': 'linuxnet', 'handle': 1}}}]
    # a set added by hand: the table stays
    after = _listing(['postrouting'], [])
    after['nftables'].append({'set': {'family': 'inet', 'table': 'linuxnet', 'name': 'blocked', 'type': 'ipv4_addr',
                                      'handle': 3}})
    assert FakeNft(after).tidy_commands(['postrouting'], True) == [
        {'delete': {'chain': {'family': 'inet', 'table': 'linuxnet', 'handle': 1}}}]
    # a drop policy set meanwhile keeps its chain and the table
    after = _listing(['postrouting', 'forward'], [], policies={'forward': 'drop'})
    assert FakeNft(after).tidy_commands(['postrouting'], True) == [
        {'delete': {'chain': {'family': 'inet', 'table': 'linuxnet', 'handle': 1}}}]
    # our chain re-used by another base chain of the same name but another hook: foreign, kept
    after = _listing([], [])
    after['nftables'].append({'chain': {'family': 'inet', 'table': 'linuxnet', 'name': 'postrouting', 'handle': 5,
                                        'type': 'filter', 'hook': 'forward', 'prio': 0, 'policy': 'accept'}})
    assert FakeNft(after).tidy_commands(['postrouting'], True) == []
    # the table is already gone: nothing to do
    assert FakeNft().tidy_commands(['postrouting'], True) == []
    # a plan that keeps the table never deletes it, even if the fresh reading is empty
    assert FakeNft(_listing(['postrouting'], [])).tidy_commands(['postrouting'], False) == [
        {'delete': {'chain': {'family': 'inet', 'table': 'linuxnet', 'handle': 1}}}]
    assert FakeNft(_listing(['postrouting', 'input'], [])).tidy_commands([], False) == []


def test_removal_keeps_the_table_for_foreign_rules_and_policies():
    spec = _spec(chain='postrouting')
    listing = _listing(['postrouting', 'input'], [
        ('postrouting', 4, _comment('masquerade', 'lan', 0, 0, spec)),
        ('input', 5, 'handmade'),
    ])
    nft = FakeNft(listing)
    _nft.plan_rule_set(DifferenceTracker(), nft, 'masquerade', 'lan', [], state='absent')
    assert _placements(nft.transaction()) == [('delete', 4, None)]
    assert nft.removals() == (['postrouting'], False)
    after = FakeNft(_listing(['postrouting', 'input'], [('input', 5, 'handmade')]))
    assert after.tidy_commands(['postrouting'], False) == [
        {'delete': {'chain': {'family': 'inet', 'table': 'linuxnet', 'handle': 1}}}]
    # a drop policy keeps its chain and the table
    listing = _listing(['postrouting', 'forward'], [('postrouting', 4, _comment('masquerade', 'lan', 0, 0, spec))],
                       policies={'forward': 'drop'})
    nft = FakeNft(listing)
    _nft.plan_rule_set(DifferenceTracker(), nft, 'masquerade', 'lan', [], state='absent')
    assert _placements(nft.transaction()) == [('delete', 4, None)]
    assert nft.removals() == (['postrouting'], False)


def test_empty_leftover_table_is_removed_by_a_removal_run():
    nft = FakeNft(_listing(['postrouting'], []))
    tracker = DifferenceTracker()
    assert _nft.plan_rule_set(tracker, nft, 'masquerade', 'lan', [], state='absent')
    assert nft.transaction() == []
    assert nft.removals() == (['postrouting'], True)
    assert tracker.before['rules'] == tracker.after['rules'] == []


def _fake_nft_process(monkeypatch, listings):
    """run_nft replaced: records the calls; each `list` returns the next of LISTINGS."""
    sent = []
    listings = list(listings)

    def fake_run(netns, args, stdin=None):
        sent.append((args, None if stdin is None else json.loads(stdin)))
        if 'list' in args:
            doc = listings.pop(0)
            if doc is None:
                return 1, '', 'Error: No such file or directory'
            return 0, json.dumps(doc), ''
        return 0, '', ''

    monkeypatch.setattr(_nft, 'run_nft', fake_run)
    return sent


def test_commit_removes_the_rule_then_rereads_and_deletes_the_empty_table(monkeypatch):
    spec = _spec(chain='postrouting')
    sent = _fake_nft_process(monkeypatch, [_listing(['postrouting'], [])])
    nft = FakeNft(_listing(['postrouting'], [('postrouting', 4, _comment('masquerade', 'lan', 0, 0, spec))]))
    tracker = DifferenceTracker()
    _nft.plan_rule_set(tracker, nft, 'masquerade', 'lan', [], state='absent')
    tracker.apply(False)
    assert [args for args, doc in sent] == [['-j', '-f', '-'], ['-j', 'list', 'table', 'inet', 'linuxnet'],
                                            ['-j', '-f', '-']]
    deleted_rule = {'family': 'inet', 'table': 'linuxnet', 'chain': 'postrouting', 'handle': 4}
    assert sent[0][1]['nftables'][1:] == [{'delete': {'rule': deleted_rule}}]
    assert sent[2][1]['nftables'][1:] == [DELETE_TABLE]


def test_commit_keeps_the_table_when_a_foreign_rule_arrived_meanwhile(monkeypatch):
    spec = _spec(chain='postrouting')
    # between the module's reading and its commit someone adds a rule by hand
    # into our postrouting chain
    sent = _fake_nft_process(monkeypatch, [_foreign_rule(_listing(['postrouting'], []), 'postrouting', 9)])
    nft = FakeNft(_listing(['postrouting'], [('postrouting', 4, _comment('masquerade', 'lan', 0, 0, spec))]))
    tracker = DifferenceTracker()
    _nft.plan_rule_set(tracker, nft, 'masquerade', 'lan', [], state='absent')
    tracker.apply(False)
    # the rule delete, the re-reading, and no second transaction
    assert [args for args, doc in sent] == [['-j', '-f', '-'], ['-j', 'list', 'table', 'inet', 'linuxnet']]
    assert all('table' not in c.get('delete', {}) and 'chain' not in c.get('delete', {})
               for c in sent[0][1]['nftables'])


def test_commit_of_an_emptied_table_already_gone(monkeypatch):
    sent = _fake_nft_process(monkeypatch, [None])
    nft = FakeNft(_listing(['postrouting'], []))
    tracker = DifferenceTracker()
    assert _nft.plan_rule_set(tracker, nft, 'masquerade', 'lan', [], state='absent')
    tracker.apply(False)
    # no first transaction (nothing to delete by handle), the reading finds no table
    assert [args for args, doc in sent] == [['-j', 'list', 'table', 'inet', 'linuxnet']]


def test_absent_set_in_missing_table_is_a_no_op():
    nft = FakeNft()
    tracker = DifferenceTracker()
    assert not _nft.plan_rule_set(tracker, nft, 'masquerade', 'lan', [], state='absent')
    assert not tracker.changed
    assert nft.transaction() == []


def test_name_used_by_another_kind():
    spec = _spec(chain='prerouting')
    nft = FakeNft(_listing(['prerouting'], [('prerouting', 4, 'lnp:dnat:web:0:0:deadbeef')]))
    with pytest.raises(ValidationError) as exc:
        _nft.plan_rule_set(DifferenceTracker(), nft, 'masquerade', 'web', [spec])
    assert exc.value.option == 'name'
    assert 'is already used by a dnat rule set' in str(exc.value)


def test_policy_plan():
    nft = FakeNft()
    tracker = DifferenceTracker()
    assert not _nft.plan_chain_policy(tracker, nft, 'forward', 'accept')
    assert _nft.plan_chain_policy(tracker, nft, 'forward', 'drop')
    assert tracker.before['policy'] == {'forward': 'accept'}
    assert tracker.after['policy'] == {'forward': 'drop'}
    cmds = nft.transaction()
    assert cmds[0] == {'add': {'table': {'family': 'inet', 'name': 'linuxnet'}}}
    assert cmds[1]['add']['chain']['policy'] == 'drop'
    # back to accept on a chain without rules: the policy is set back first,
    # then chain and table go (after a fresh reading)
    nft = FakeNft(_listing(['forward'], [], policies={'forward': 'drop'}))
    assert _nft.plan_chain_policy(DifferenceTracker(), nft, 'forward', 'accept')
    cmds = nft.transaction()
    assert [c['add']['chain']['policy'] for c in cmds] == ['accept']
    assert nft.removals() == (['forward'], True)
    with pytest.raises(ValidationError):
        _nft.plan_chain_policy(DifferenceTracker(), FakeNft(), 'postrouting', 'drop')


def test_policy_and_rules_in_one_transaction():
    nft = FakeNft()
    tracker = DifferenceTracker()
    _nft.plan_rule_set(tracker, nft, 'firewall_rule', 'ssh', [_spec(chain='forward', port=22)], order=100)
    _nft.plan_chain_policy(tracker, nft, 'forward', 'drop')
    cmds = nft.transaction()
    assert [c for c in cmds if 'chain' in c.get('add', {})][0]['add']['chain']['policy'] == 'drop'
    assert len(tracker.actions) == 2


def test_several_policies_with_the_rules_in_one_transaction():
    nft = FakeNft(_listing(['input'], [], policies={'input': 'drop'}))
    tracker = DifferenceTracker()
    _nft.plan_rule_set(tracker, nft, 'firewall_rule', 'ssh', [_spec(port=22)], order=100)
    assert _nft.plan_chain_policies(tracker, nft, {'input': 'drop', 'forward': 'drop', 'output': 'accept'})
    assert tracker.before['policy'] == {'input': 'drop', 'forward': 'accept', 'output': 'accept'}
    assert tracker.after['policy'] == {'input': 'drop', 'forward': 'drop', 'output': 'accept'}
    assert tracker.actions[1:] == ['set the forward chain policy to drop']
    chains = [c['add']['chain'] for c in nft.transaction() if 'chain' in c.get('add', {})]
    assert [(c['name'], c['policy']) for c in chains] == [('forward', 'drop')]
    assert not _nft.plan_chain_policies(DifferenceTracker(), nft, {'input': 'drop', 'forward': 'drop'})
    with pytest.raises(ValidationError) as exc:
        _nft.plan_chain_policies(DifferenceTracker(), FakeNft(), {'forward': 'reject'})
    assert exc.value.option == 'policies.forward' and exc.value.value == 'reject'


def test_commit_sends_once(monkeypatch):
    sent = []

    def fake_run(netns, args, stdin=None):
        sent.append((netns, args, stdin))
        return 0, '', ''

    monkeypatch.setattr(_nft, 'run_nft', fake_run)
    nft = FakeNft()
    tracker = DifferenceTracker()
    _nft.plan_rule_set(tracker, nft, 'firewall_rule', 'ssh', [_spec(port=22)], order=100)
    _nft.plan_chain_policy(tracker, nft, 'input', 'drop')
    tracker.apply(False)
    assert len(sent) == 1
    assert sent[0][1] == ['-j', '-f', '-']
    assert sent[0][0] == 'test'


def test_counters_and_summary():
    spec = _spec(chain='postrouting')
    comment = _comment('masquerade', 'lan', 0, 0, spec)
    nft = FakeNft(_listing(['postrouting'], [('postrouting', 4, comment), ('postrouting', 6, 'handmade')]))
    assert nft.rule_counters('masquerade', 'lan') == [
        {'comment': comment, 'chain': 'postrouting', 'packets': 4, 'bytes': 400}]
    summary = nft.summary()
    assert summary['table'] is True
    assert summary['foreign_rules'] == 1
    assert summary['rules'][0]['name'] == 'lan'
    assert summary['rules'][0]['packets'] == 4


def test_missing_nft_message(monkeypatch):
    monkeypatch.setattr(nft_runner, 'find_nft', lambda: None)
    assert not nft_runner.nft_available()
    with pytest.raises(_nft.NftError) as exc:
        _nft.run_nft(None, ['list', 'ruleset'])
    assert 'apt-get install nftables' in str(exc.value)


# ---------------------------------------------------------------- user values never become nft syntax

INJECTION_NAME = 'x; flush ruleset'
INJECTION_PREFIX = 'drop; flush ruleset '
INJECTION_IFNAME = 'eth0;drop'   # a valid Linux interface name: no space, '/' or ':'


def _strings(value):
    """Every string in a JSON document (keys excluded)."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_user_values_travel_as_single_json_strings(monkeypatch):
    """A name, a log prefix and an interface name full of nft syntax reach nft
    as JSON string values, each whole: the comment, the log prefix and the
    iifname match carry them byte for byte, and no other string of the
    document contains any part of them."""
    sent = []
    monkeypatch.setattr(_nft, 'run_nft', lambda netns, args, stdin=None: sent.append((args, stdin)) or (0, '', ''))
    rule = _firewall.desired_rule(dict(
        name=INJECTION_NAME, chain='input', action='drop', protocol='tcp', port=22, source=None, destination=None,
        in_interface=INJECTION_IFNAME, out_interface=None, ct_state=None, log=True, log_prefix=INJECTION_PREFIX,
        log_rate=None, log_group=None, position=100, policy=None, state='present'))
    nft = FakeNft()
    tracker = DifferenceTracker()
    assert _nft.plan_rule_set(tracker, nft, 'firewall_rule', INJECTION_NAME, _firewall.rule_specs(rule), order=100)
    tracker.apply(False)
    assert len(sent) == 1 and sent[0][0] == ['-j', '-f', '-']
    doc = json.loads(sent[0][1])     # nft reads JSON (-j): the whole input is one JSON document
    rules = [c['add']['rule'] for c in doc['nftables'] if 'rule' in c.get('add', {})]
    assert len(rules) == 1
    comment = rules[0]['comment']
    assert comment.startswith('lnp:firewall_rule:' + INJECTION_NAME + ':0:100:')
    assert _nft.decode_comment(comment)['name'] == INJECTION_NAME
    expr = rules[0]['expr']
    assert {'match': {'op': '==', 'left': {'meta': {'key': 'iifname'}}, 'right': INJECTION_IFNAME}} in expr
    assert {'log': {'prefix': INJECTION_PREFIX}} in expr
    strings = _strings(doc)
    assert sorted(v for v in strings if 'flush' in v) == sorted([comment, INJECTION_PREFIX])
    assert sorted(v for v in strings if ';' in v) == sorted([INJECTION_IFNAME, comment, INJECTION_PREFIX])


@pytest.mark.parametrize('kind', _nft.KINDS)
def test_injected_name_is_stored_literally_in_the_comment(kind):
    spec = _spec(chain='postrouting')
    nft = FakeNft()
    _nft.plan_rule_set(DifferenceTracker(), nft, kind, 'y } ; delete table ip nat ; {', [spec])
    (cmd,) = [c for c in nft.transaction() if 'rule' in c.get('add', {})]
    info = _nft.decode_comment(cmd['add']['rule']['comment'])
    assert info['kind'] == kind and info['name'] == 'y } ; delete table ip nat ; {'


def test_values_that_would_close_a_string_are_refused():
    with pytest.raises(ValidationError) as exc:
        _nft.check_name('masquerade', 'x" ; flush ruleset ; "')
    assert exc.value.option == 'name' and exc.value.value == 'x" ; flush ruleset ; "'
    with pytest.raises(ValidationError) as exc:
        _firewall.check_log_prefix('x" ; flush ruleset ; "')
    assert exc.value.option == 'log_prefix' and 'x" ; flush ruleset ; "' in str(exc.value)
    for option in ('in_interface', 'out_interface'):
        with pytest.raises(ValidationError) as exc:
            _nft.check_ifname_pattern(option, 'eth0; drop')
        assert exc.value.option == option and "'eth0; drop'" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            _firewall.check_interface(option, 'eth0; drop')
        assert exc.value.option == option and "'eth0; drop'" in str(exc.value)
