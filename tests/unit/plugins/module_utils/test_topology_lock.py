# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology engine reads a namespace's nft table under its nft lock when
the run may apply, and lets the lock go when it is done (the lock itself is
tested in test_lock.py; here only who asks for it, with a stand-in model)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import nftables as _nft
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import topology as _topology
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_nft import expand_document
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_reconcile import empty_record


class RecordingNft(object):
    made = []

    def __init__(self, netns=None, read=True, lock=False):
        self.netns, self.lock, self.closed = netns, lock, False
        RecordingNft.made.append(self)

    def load(self, doc):
        pass

    def close(self):
        self.closed = True


def test_nft_is_read_under_the_lock_only_by_runs_that_apply(monkeypatch):
    monkeypatch.setattr(_nft, 'Nft', RecordingNft)
    monkeypatch.setattr(_nft, 'nft_available', lambda: True)
    monkeypatch.setattr(_nft, 'plan_rule_set', lambda *args, **kwargs: False)
    RecordingNft.made = []
    doc = expand_document({'nodes': {'r': {'masquerade': [{'name': 'lan', 'out_interface': 'eth1'}]}}}, 'p-')
    engine = _topology.Engine('t', doc, 'p-', empty_record('t', 'p-'))
    entries = doc['nodes']['r']['nft']
    engine._plan_nft('r', entries, True)            # a check run
    engine.locking = True
    engine._plan_nft('r', entries, True)            # a run that applies
    engine._plan_nft('r', entries, False)           # a namespace still to be made: nothing to lock
    assert [(n.netns, n.lock) for n in RecordingNft.made] == [('p-r', False), ('p-r', True), (None, False)]
    # Each new model of a namespace releases the one before (its lock with it).
    assert [n.closed for n in RecordingNft.made] == [True, True, False]
    engine._release_nft()
    assert RecordingNft.made[2].closed
