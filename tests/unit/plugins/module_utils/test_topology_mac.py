# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An endpoint's fixed MAC address: validated, planned on creation and repaired on drift (pure logic)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_nft import (
    expand_document as expand,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_reconcile import desired_links
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.rtnl_batch import (
    link_message,
    mac_bytes,
    mac_text,
)


def doc(mac):
    return {'nodes': {'a': {}, 'b': {}, 'sw': {}}, 'bridges': {'br0': {'node': 'sw'}},
            'links': [{'endpoints': [{'node': 'a', 'name': 'eth0', 'mac': mac}, 'b:eth0']},
                      {'endpoints': [{'node': 'b', 'name': 'eth1'}, {'bridge': 'br0', 'mac': mac}]}]}


@pytest.mark.parametrize('given, canonical', [
    ('02:00:5E:01:00:0A', '02:00:5e:01:00:0a'),
    ('02-00-5e-01-00-0a', '02:00:5e:01:00:0a'),
    ('aa:bb:cc:dd:ee:ff', 'aa:bb:cc:dd:ee:ff'),
])
def test_canonical_form_reaches_both_kinds_of_end(given, canonical):
    wanted = desired_links(expand(doc(given), 'p-'))
    assert wanted['a']['eth0']['mac'] == canonical
    assert wanted['sw']['b-eth1']['mac'] == canonical
    assert wanted['b']['eth0']['mac'] is None


def test_an_endpoint_without_mac_keeps_its_canonical_shape():
    out = expand(doc(None), 'p-')
    assert 'mac' not in out['links'][0]['endpoints'][1]


@pytest.mark.parametrize('mac', ['01:00:5e:00:00:01', '00:00:00:00:00:00', '02:00:5e:00:01', 'zz:00:5e:00:00:01',
                                 '0200.5e00.0001', 42])
def test_bad_macs_name_the_path_and_the_value(mac):
    with pytest.raises(ValidationError) as info:
        expand(doc(mac), 'p-')
    assert info.value.option == 'links[0].endpoints[0].mac'
    assert info.value.value == mac


def test_mac_round_trips_through_netlink_bytes():
    assert mac_bytes('02:00:5e:01:00:0a') == b'\x02\x00\x5e\x01\x00\x0a'
    assert mac_text(b'\x02\x00\x5e\x01\x00\x0a') == '02:00:5e:01:00:0a'
    # IFLA_ADDRESS (1): 4-byte header, 6 bytes, padded to 8.
    assert link_message(index=3, mac='02:00:5e:01:00:0a').endswith(b'\x0a\x00\x01\x00\x02\x00\x5e\x01\x00\x0a\x00\x00')
