# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parts of a topology document that belong to other layers than _plan:
sysctl keys, routing table names, and a node's masquerade, dnat and firewall
entries (checked with the options of the modules of the same name, and
turned into their rule sets). ``expand_document`` is the whole check.

Each entry is one rule set of the collection's nftables table, built by the
same code as the module (so a topology rule and a module rule are identical,
comments and hashes included). All rule sets of a namespace are applied as
one nft transaction by the engine.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology import (
    ENTRY_RULE_KINDS,
    canonical_document,
    expand,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.rt_tables import RtTables
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.sysctl import parse_key, value_text

ROUTE_LOCALNET = 'net.ipv4.conf.all.route_localnet'


def entry_engine(key):
    """The engine of a document key (masquerade, dnat, firewall), imported on
    first use: the module runs from a zip, where every import is compiled
    again on each run, and most topologies have no nft entries at all."""
    if key == 'masquerade':
        from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import masquerade as engine
    elif key == 'dnat':
        from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import dnat as engine
    else:
        from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import firewall as engine
    return engine


def entry_spec(key):
    """The options of the module of the same name as document key KEY."""
    return entry_engine(key).ARGUMENT_SPEC


def _wrap(path, exc):
    option = exc.option if exc.option.startswith(path) else '%s.%s' % (path, exc.option)
    return ValidationError(option, exc.value, exc.reason)


def _options(path, key, entry):
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    spec = entry_spec(key)
    if not isinstance(entry, dict):
        raise ValidationError(path, entry, 'is not a mapping of %s options' % key)
    result = ArgumentSpecValidator(spec).validate(dict(entry))
    if result.error_messages:
        text = result.error_messages[0]
        found = re.search(r"argument '([^']+)'|value of ([A-Za-z_]+) must", text)
        option = (found.group(1) or found.group(2)) if found else None
        where = '%s.%s' % (path, option) if option in entry else path
        raise ValidationError(where, entry.get(option) if option in entry else entry, 'is not valid: %s' % text)
    params = result.validated_parameters
    if params.get('state') != 'present':
        raise ValidationError(path + '.state', params.get('state'), 'cannot be absent in a topology: drop the '
                              'entry and the topology removes its rule set (purge)')
    return params


def rule_set(key, params):
    """-> (kind, name, [RuleSpec], order, policy) of one validated entry."""
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.nftables import RuleSpec, check_name
    kind = ENTRY_RULE_KINDS[key]
    engine = entry_engine(key)
    if key == 'masquerade':
        name, rules = engine.validate(params)
        return kind, name, rules, 0, None
    if key == 'dnat':
        name = check_name(kind, params['name'])
        spec = engine.validate(params)
        rules = [RuleSpec(r['chain'], r['expr'], r['family']) for r in engine.build_rules(spec)]
        return kind, name, rules, 0, None
    if params.get('name') is None:
        if params.get('policy') is None:
            raise ValidationError('name', None, 'is required (only an entry that sets policy alone may omit it)')
        return kind, None, [], 0, params['policy']
    order = engine.check_position(params['position'])
    rule = engine.desired_rule(params)
    return kind, params['name'], engine.rule_specs(rule), rule.position if rule.position is not None else order, \
        params.get('policy')


def node_entries(path, value):
    """Validate a node's entries -> [{'key', 'params'}] (JSON-safe), and the
    sysctls they need ({key: value})."""
    out, sysctls, seen = [], {}, {}
    for key in ('masquerade', 'dnat', 'firewall'):
        entries = value.get(key) or []
        if not isinstance(entries, list):
            raise ValidationError('%s.%s' % (path, key), entries, 'is not a list')
        for i, entry in enumerate(entries):
            epath = '%s.%s[%d]' % (path, key, i)
            params = _options(epath, key, entry)
            try:
                kind, name, dummy, dummy, dummy = rule_set(key, params)
                if key == 'dnat' and entry_engine(key).validate(params).needs_route_localnet:
                    sysctls[ROUTE_LOCALNET] = '1'
            except ValidationError as exc:
                raise _wrap(epath, exc)
            if name is not None:
                if name in seen:
                    raise ValidationError(epath + '.name', name, 'is used twice in this node (also at %s)' % seen[name])
                seen[name] = epath
            if key == 'masquerade' and params.get('forwarding'):
                sysctls.update({'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1'})
            out.append({'key': key, 'params': params})
    return out, sysctls


class Extras(object):
    """What _plan.topology.expand asks of the other layers."""

    # Numbers and the kernel's own names: the target's rt_tables files are
    # not known on the controller.
    tables = RtTables()

    def table(self, path, value):
        return self.tables.lookup(path, value)

    @staticmethod
    def sysctl(path, key, value):
        parsed = parse_key(path, key)
        if parsed.is_glob:
            raise ValidationError(path, key, 'is a wildcard; a topology names each sysctl')
        return parsed.dotted, value_text(path, value)

    @staticmethod
    def entries(path, value):
        return node_entries(path, value)

    @staticmethod
    def check(path, check):
        """A validate entry's probe options, checked as the probe module checks them: a bad check stops
        the run before anything is built, not after."""
        from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.probe import check_expect, prepare
        options = check_options(check)
        try:
            check_expect(check.get('expect'), options)
            prepare(check['type'], check.get('target'), options)
        except ValidationError as exc:
            raise _wrap(path, exc)


def check_options(check):
    """The probe engine's options for one validate entry of a topology."""
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.probe import ProbeOptions
    return ProbeOptions(port=check.get('port'), count=check.get('count', 1), timeout=check.get('timeout', 1.0),
                        interval=0.2, max_hops=check.get('max_hops', 16),
                        path=check.get('path') if check['type'] == 'http' else None,
                        expect_status=check.get('expect_status'), expect_body=check.get('expect_body'),
                        query=check.get('query'), record_type=check.get('record_type'),
                        protocol=check.get('protocol'), expect_answer=check.get('expect_answer'))


EXTRAS = Extras()


def expand_document(document, prefix=''):
    """The whole validation and expansion of a topology document."""
    return expand(document, prefix, EXTRAS)


def module_document(document, prefix=''):
    """The module's side: the document as the action plugin expanded it, or
    (called without the action plugin) expanded and validated here."""
    return canonical_document(document, prefix, expand_document)
