# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``rule_sets`` option of masquerade, dnat and firewall_rule.

Each element takes the options of the module's single-rule-set form. The
elements are checked here, not by an Ansible ``suboptions`` spec, because
Ansible's messages name neither the element nor always the value; every
error here names the path (``rule_sets[3].port``) and the value, and all
elements are checked before the table is read, so a bad element changes
nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible.module_utils.common.validation import (
    check_type_bool,
    check_type_int,
    check_type_list,
    check_type_str,
)

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

OPTION = 'rule_sets'
_COERCE = {
    'str': check_type_str,
    'bool': check_type_bool,
    'int': check_type_int,
    'list': check_type_list,
    'raw': lambda value: value,
}


def element_spec(argument_spec, keys):
    """The per-element spec: the module's options named in KEYS, without `required`."""
    return dict((key, dict(argument_spec[key])) for key in keys)


def path_of(index, option=None):
    return '%s[%d]%s' % (OPTION, index, '' if option is None else '.' + option)


def _coerce(where, value, opt):
    kind = opt.get('type', 'str')
    try:
        value = _COERCE[kind](value)
        if kind == 'list' and opt.get('elements'):
            value = [_COERCE[opt['elements']](item) for item in value]
    except (TypeError, ValueError) as exc:
        raise ValidationError(where, value, 'is not of type %s%s (%s)'
                              % (kind, ' of %s' % opt['elements'] if opt.get('elements') else '', exc))
    choices = opt.get('choices')
    if choices:
        for item in value if kind == 'list' else [value]:
            if item not in choices:
                raise ValidationError(where, item, 'is not one of %s' % ', '.join(str(c) for c in choices))
    return value


def element_params(index, element, spec):
    """One element -> params dict with SPEC's defaults; ValidationError names the path."""
    if not isinstance(element, dict):
        raise ValidationError(path_of(index), element, 'is not a dictionary of rule set options')
    unknown = sorted(key for key in element if key not in spec)
    if unknown:
        raise ValidationError(path_of(index, unknown[0]), element[unknown[0]],
                              'is not an option of a rule set; the options are %s' % ', '.join(sorted(spec)))
    params = {}
    for key, opt in spec.items():
        value = element.get(key)
        params[key] = copy.deepcopy(opt.get('default')) if value is None else _coerce(path_of(index, key), value, opt)
    if params.get('name') in (None, ''):
        raise ValidationError(path_of(index, 'name'), element.get('name'), 'is required: every rule set needs a name')
    return params


def each_element(elements, spec, plan_one):
    """PLAN_ONE(params) for each element, in order; a ValidationError raised by
    it gets the element's path. Refuses a name listed twice."""
    seen = {}
    results = []
    for index, element in enumerate(elements):
        params = element_params(index, element, spec)
        name = params['name']
        if name in seen:
            raise ValidationError(path_of(index, 'name'), name, 'is listed twice (also %s)' % path_of(seen[name], 'name'))
        seen[name] = index
        try:
            results.append(plan_one(params))
        except ValidationError as exc:
            raise ValidationError(path_of(index, exc.option), exc.value, exc.reason)
    return results


def set_results(kind, plans, planned, reading, read_back=False):
    """[{name, state, rules, counters}] for each listed set. With READ_BACK,
    READING is an Nft taken after the change and gives the rules; otherwise
    (nothing changed, or check mode) the rules are as PLANNED
    (tracker.after['rule_sets']) and READING is the table as read before."""
    results = []
    by_name = reading.owned_by_name(kind)
    for plan in plans:
        rules = by_name.get(plan.name, [])
        lines = reading.rule_set_lines(kind, plan.name, rules) if read_back else planned.get(plan.name, [])
        results.append({'name': plan.name, 'state': plan.state, 'rules': lines,
                        'counters': reading.rule_counters(kind, plan.name, rules)})
    return results
