# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""policy_routes_fix (the policy_routes role's one call): the management connection and the refusals."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.modules import policy_routes_fix as prf

FIX = {'family': 'ipv4', 'table': 2, 'dev': 'eth3', 'gateway': '192.0.2.1', 'source': 'the host route of the table'}
PLAN = {'tables': [], 'fixes': [FIX], 'unresolved': []}
STILL = {'address': '203.0.113.9', 'source': '10.0.2.15', 'before': 'b', 'after': 'b', 'moved': False, 'by': [],
         'note': ''}


def params(**kw):
    base = dict(netns='', management_address='', connection='ssh')
    base.update(kw)
    return base


def test_management_from_the_modules_own_environment(monkeypatch):
    monkeypatch.setenv('SSH_CONNECTION', '203.0.113.9 51000 10.0.2.15 22')
    assert prf.management(params()) == dict(address='203.0.113.9', source='10.0.2.15', known=True, note='')
    monkeypatch.delenv('SSH_CONNECTION')
    unknown = prf.management(params())
    assert not unknown['known'] and 'set policy_routes_management_address' in unknown['note']
    assert prf.management(params(connection='podman'))['known']


def test_management_in_another_namespace_or_given(monkeypatch):
    monkeypatch.delenv('SSH_CONNECTION', raising=False)
    assert prf.management(params(netns='ns1'))['note'] == 'no management connection to protect in namespace ns1'
    assert prf.management(params(netns='ns1', management_address='192.0.2.7'))['address'] == '192.0.2.7'
    assert prf.management(params(management_address='none'))['known']
    with pytest.raises(ValidationError) as err:
        prf.management(params(management_address='10.0.2.300'))
    assert err.value.option == 'policy_routes_management_address' and '10.0.2.300' in str(err.value)


def test_refusals():
    unknown = dict(address='', source='', known=False, note='the management connection address is unknown')
    text = prf.refusal(unknown, PLAN, dict(STILL, address=''))
    assert text.startswith('policy_routes: the management connection address is unknown. Refusing to add 1 default')
    assert 'ipv4 table 2: default via 192.0.2.1 dev eth3' in text
    assert prf.refusal(unknown, dict(PLAN, fixes=[]), dict(STILL, address='')) is None
    known = dict(address='203.0.113.9', source='', known=True, note='')
    assert prf.refusal(known, PLAN, STILL) is None
    moved = dict(STILL, moved=True, after='192.0.2.1 dev eth3 (table 2, rule 1000)', by=[FIX])
    text = prf.refusal(known, PLAN, moved)
    assert "from 203.0.113.9 (to this host's 10.0.2.15) goes b; adding ipv4 table 2" in text
    assert 'would send it 192.0.2.1 dev eth3 (table 2, rule 1000). Nothing was changed.' in text
