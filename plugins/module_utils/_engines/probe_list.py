# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe module's list form: many probes, checked first, run at once.

A lab proves itself with a dozen probes; one module call per probe costs
Ansible's fixed price per task a dozen times, and probes that wait (an
expected failure waits its whole timeout) would wait one after the other.
Here every element is checked before anything is sent, then each probe runs
in its own thread (entering a namespace only moves the calling thread), so
the call lasts about as long as its slowest probe.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError, check_netns_name
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.probe import (
    ProbeError,
    ProbeOptions,
    check_expect,
    effective_expect,
    expectation_message,
    prepare,
    run_probe,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import netns_exists, netns_path

# ProbeOptions fields an option of the module fills (dns_servers is the engine's own).
OPTION_FIELDS = ('port', 'count', 'timeout', 'interval', 'max_hops', 'path', 'max_body', 'expect_status',
                 'expect_body', 'query', 'record_type', 'protocol', 'expect_answer')
# The module options that describe one probe; the others are defaults for every element.
SINGLE_ONLY = ('type', 'target', 'port', 'path', 'expect_status', 'expect_body', 'query', 'record_type',
               'protocol', 'expect_answer', 'expect')
DEFAULTED = ('netns', 'count', 'interval', 'timeout', 'max_hops', 'max_body')


class Element(object):
    """One checked element of the list."""

    def __init__(self, index, netns, probe_type, target, options, expect):
        self.index = index
        self.netns = netns
        self.type = probe_type
        self.target = target
        self.options = options
        self.expect = expect

    def run(self):
        try:
            result = run_probe(self.netns, self.type, self.target, self.options)
        except (ProbeError, OSError) as exc:
            # One probe that cannot run (a namespace gone meanwhile) is that
            # element's failure, not the end of the others.
            result = dict(success=False, type=self.type, target=self.target, msg='%s %s from %s: %s' % (
                self.type, self.target, self.netns or 'this namespace', exc),
                _summary=str(exc), _description='%s %s' % (self.type, self.target), _expected=None)
        result['netns'] = self.netns
        result['expect'] = self.expect
        result['passed'] = expectation_message(result, self.expect, self.netns) is None
        return result

    def failure(self, result):
        """None when the element met what it expected, else 'probes[N]: message'."""
        if result['passed']:
            return None
        message = expectation_message(result, self.expect, self.netns) or result['msg']
        return 'probes[%d]: %s' % (self.index, message)


def probe_element(params, index, element):
    """Check element INDEX of the module's probes against the module's defaults -> Element.

    Raises ValidationError naming probes[INDEX].OPTION."""
    merged = dict(element)
    for option in DEFAULTED:
        if merged.get(option) is None:
            merged[option] = params[option]
    if merged['netns'] == '':
        merged['netns'] = None      # '' spells "the namespace the module runs in", as for netns
    path = 'probes[%d]' % index
    try:
        if merged.get('type') is None:
            raise ValidationError('type', None, 'is required in each element of probes')
        check_netns_name('netns', merged['netns'])
        if merged['netns'] is not None and not netns_exists(merged['netns']):
            raise ValidationError('netns', merged['netns'], 'is not an existing network namespace (nothing mounted at '
                                  '%s)' % netns_path(merged['netns']))
        options = ProbeOptions(**dict((field, merged.get(field)) for field in OPTION_FIELDS))
        check_expect(merged.get('expect'), options)
        if merged['type'] == 'dns' and merged.get('query') is None:
            raise ValidationError('query', None, 'is required for dns probes')
        prepare(merged['type'], merged.get('target'), options)
    except ValidationError as exc:
        raise ValidationError('%s.%s' % (path, exc.option), exc.value, exc.reason)
    return Element(index, merged['netns'], merged['type'], merged.get('target'), options,
                   effective_expect(merged.get('expect'), options))


def run_concurrently(calls):
    """Call each of CALLS in its own thread; their return values, in order.
    An exception in one call is raised here once all have ended."""
    results = [None] * len(calls)
    errors = []

    def worker(index, call):
        try:
            results[index] = call()
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
