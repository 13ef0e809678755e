# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A topology's validate entries: the probe's own option checks run before anything is built (pure logic)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_nft import (
    check_options,
    expand_document as expand,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError


def doc(*checks):
    return {'nodes': {'a': {}, 'b': {}},
            'links': [{'endpoints': [{'node': 'a', 'name': 'eth0', 'address': ['10.9.0.1/24']},
                                     {'node': 'b', 'name': 'eth0', 'address': ['10.9.0.2/24']}]}],
            'validate': list(checks)}


def test_dns_over_tcp_and_http_body_reach_the_probe():
    out = expand(doc({'from': 'a', 'type': 'dns', 'target': '10.9.0.2', 'query': 'web.lab', 'protocol': 'tcp'},
                     {'from': 'a', 'type': 'http', 'target': '10.9.0.2', 'path': '/x', 'expect_body': 'ok'}))
    dns, http = out['validate']
    assert check_options(dns).protocol == 'tcp'
    assert check_options(http).expect_body == 'ok'
    assert check_options(http).path == '/x'
    assert check_options(dns).count == 1 and check_options(dns).timeout == 1.0


@pytest.mark.parametrize('check, option, value', [
    ({'from': 'a', 'type': 'tcp', 'target': '10.9.0.2', 'port': 70000}, 'validate[0].port', 70000),
    ({'from': 'a', 'type': 'tcp', 'target': '10.9.0.2'}, 'validate[0].port', None),
    ({'from': 'a', 'type': 'ping', 'target': '10.9.0.300'}, 'validate[0].target', '10.9.0.300'),
    ({'from': 'a', 'type': 'dns', 'target': '10.9.0.2', 'query': 'web.lab', 'protocol': 'sctp'},
     'validate[0].protocol', 'sctp'),
    ({'from': 'a', 'type': 'http', 'target': '10.9.0.2', 'expect_body': 'ok', 'expect': 'failure'},
     'validate[0].expect', 'failure'),
    ({'from': 'a', 'type': 'ping', 'target': '10.9.0.2', 'count': 0}, 'validate[0].count', 0),
])
def test_a_bad_check_is_refused_with_its_path(check, option, value):
    with pytest.raises(ValidationError) as info:
        expand(doc(check))
    assert (info.value.option, info.value.value) == (option, value)
