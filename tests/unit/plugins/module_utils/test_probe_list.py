# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe list form's checks and its concurrent runner (no namespace needed)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.probe_list import (
    probe_element,
    run_concurrently,
)

DEFAULTS = dict(netns=None, count=3, interval=0.2, timeout=2.0, max_hops=30, max_body=4096)


def test_runs_at_once_and_keeps_the_order():
    barrier = threading.Barrier(3, timeout=5)

    def call(value):
        def run():
            barrier.wait()      # only returns when all three run at the same time
            time.sleep(0.01 * (3 - value))
            return value
        return run

    assert run_concurrently([call(0), call(1), call(2)]) == [0, 1, 2]


def test_an_exception_is_raised_after_every_call_ended():
    ended = []

    def bad():
        raise RuntimeError('boom')

    def good():
        time.sleep(0.05)
        ended.append(True)
        return 1

    with pytest.raises(RuntimeError, match='boom'):
        run_concurrently([bad, good])
    assert ended == [True]


def test_element_inherits_the_module_defaults():
    element = probe_element(DEFAULTS, 0, dict(type='ping', target='192.0.2.1', count=None, timeout=0.5))
    assert element.options.count == 3
    assert element.options.timeout == 0.5
    assert element.netns is None
    assert element.expect is None


def test_expect_body_implies_success():
    element = probe_element(DEFAULTS, 0, dict(type='http', target='http://192.0.2.1/', expect_body='ok'))
    assert element.expect == 'success'


@pytest.mark.parametrize('element, option, text', [
    (dict(target='192.0.2.1'), 'probes[4].type', 'is required in each element of probes'),
    (dict(type='tcp', target='192.0.2.1'), 'probes[4].port', 'is required for tcp probes'),
    (dict(type='ping', target='192.0.2.300'), 'probes[4].target', ''),
    (dict(type='ping', target='192.0.2.1', count=0), 'probes[4].count', 'must be at least 1'),
    (dict(type='dns'), 'probes[4].query', 'is required for dns probes'),
    (dict(type='ping', target='192.0.2.1', netns='a/b'), 'probes[4].netns', ''),
    (dict(type='http', target='192.0.2.1', expect_status=200, expect='failure'), 'probes[4].expect',
     'cannot be combined with expect_status'),
])
def test_bad_elements_name_their_path(element, option, text):
    with pytest.raises(ValidationError) as info:
        probe_element(DEFAULTS, 4, element)
    assert info.value.option == option
    assert text in str(info.value)
