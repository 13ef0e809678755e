# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.linuxnet.plumbing.plugins.filter.wireguard import FilterModule

PUBLIC_KEY = FilterModule().filters()['wireguard_public_key']

# A throwaway pair made with `wg genkey | tee key | wg pubkey` for this test.
PRIVATE = 'gI02U+STczd3x2J1mTbPeWjNAbRlmSLbmNsy3DddLXI='
PUBLIC = 'Av2bB669vQYmdk4C3Nz67AIsLAtd+qfeCpcC8DH5tw8='


def test_the_public_key_is_what_wg_pubkey_prints():
    assert PUBLIC_KEY(PRIVATE) == PUBLIC


def test_surrounding_whitespace_is_ignored():
    assert PUBLIC_KEY(PRIVATE + '\n') == PUBLIC


@pytest.mark.parametrize('bad', ['', 'not base64!', PRIVATE[:-4], PRIVATE + 'AAAA', 42])
def test_a_bad_key_is_refused_without_being_shown(bad):
    with pytest.raises(AnsibleFilterError) as info:
        PUBLIC_KEY(bad)
    assert 'not shown' in str(info.value)
    if isinstance(bad, str) and bad:
        assert bad not in str(info.value)
