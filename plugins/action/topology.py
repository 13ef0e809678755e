# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of linuxnet.plumbing.topology.

Reads ``src``, validates the whole document (nothing is sent to the target
when it is wrong), runs the module once, and renders the diagram — the
document's work that needs no target stays on the controller.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys

import yaml
from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.parsing.yaml.dumper import AnsibleDumper
from ansible.plugins.action import ActionBase

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_nft import expand_document
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology import EXPANDED_KEY
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_diagram import render
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_inventory import inventory
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_hosts import (
    groups,
    has_hosts,
    remap_links,
    split,
    strip_hosts,
    underlay_of,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

CONTROLLER_ONLY = ('src', 'diagram_file', 'inventory_file')

# Connections whose target is the machine running ansible-playbook, where the
# netns connection of an inventory host can reach the namespaces.
LOCAL_TRANSPORTS = ('local', 'linuxnet.plumbing.netns')


def read_document(path, src):
    """The topology document in the file at path (src is what the task said,
    for the messages)."""
    # A generated lab of hundreds of nodes is most often JSON: json reads it
    # ten times faster than even the C YAML loader, whose object building is
    # Python. Every other file goes through the C loader, which takes
    # milliseconds where the templating-aware loader takes seconds.
    as_json = path.endswith('.json')
    try:
        with open(path, 'rb') as handle:
            if as_json:
                data = json.load(handle)
            else:
                data = yaml.load(handle, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))
    except (IOError, OSError, ValueError, yaml.YAMLError) as exc:
        raise ValidationError('src', src, 'cannot be read as %s (%s)' % ('JSON' if as_json else 'YAML', to_native(exc)))
    if not isinstance(data, dict):
        raise ValidationError('src', src, 'does not hold a mapping (a topology document)')
    return data


def inventory_text(inv, name):
    """The inventory as the YAML file inventory_file gets."""
    head = ('# The namespaces of topology %s as inventory hosts (linuxnet.plumbing.topology wrote this file).\n'
            '# Use it on the machine that holds them: ansible -i THIS_FILE all -m ansible.builtin.ping\n' % name)
    # Ansible's dumper: the values are Ansible's tagged strings, which the
    # safe dumper refuses.
    return head + yaml.dump(inv, Dumper=AnsibleDumper, default_flow_style=False, sort_keys=True)


def write_if_changed(dest, text, check_mode):
    """Write a controller file when its content differs (never in check mode);
    text None removes it. The file is an output, like the diagram: writing it
    does not count as a change of the managed host."""
    dest = os.path.expanduser(dest)
    old = None
    if os.path.exists(dest):
        with open(dest) as handle:
            old = handle.read()
    if old != text and not check_mode:
        if text is None:
            os.remove(dest)
        else:
            with open(dest, 'w') as handle:
                handle.write(text)
    return dest


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def _load_src(self, src):
        try:
            path = self._find_needle('files', src)
        except AnsibleError as exc:
            raise ValidationError('src', src, 'is not a readable file (%s)' % to_native(exc))
        return read_document(path, src)

    def _part(self, args, task_vars, prefix):
        """This host's part of a document whose nodes name their hosts:
        (whole canonical document, {node: host}, part, {part link: link})."""
        document = args['topology']
        play_hosts = list(task_vars.get('ansible_play_hosts_all') or [])
        whole = expand_document(strip_hosts(document), prefix)
        hostvars = task_vars.get('hostvars') or {}
        underlay = dict((h, underlay_of(h, hostvars.get(h) or {})) for h in play_hosts)
        me = task_vars.get('inventory_hostname')
        # Addresses and MTUs come from the inventory and facts, which every
        # host sees alike (both ends of a link must agree); this host's
        # interface may also be a play or task variable (only it uses that).
        if me in underlay:
            underlay[me]['interface'] = underlay_of(me, task_vars)['interface']
        part, links_map = split(document, args.get('name'), me, play_hosts, underlay)
        try:
            part = expand_document(part, prefix)
        except ValidationError as exc:
            raise remap_links(exc, links_map)
        return whole, groups(document), part, links_map

    def _check_inventory_file(self, args):
        """inventory_file lists namespaces that the netns connection reaches:
        those of this machine, in a topology that lives on one host."""
        dest = args.get('inventory_file')
        if not dest:
            return
        if has_hosts(args.get('topology')):
            raise ValidationError('inventory_file', dest, 'is for a topology on one host; this one names the hosts of its '
                                  'nodes, whose namespaces the netns connection cannot reach from here')
        transport = getattr(self._connection, 'transport', None)
        if transport not in LOCAL_TRANSPORTS:
            raise ValidationError('inventory_file', dest, 'needs the topology on the machine that runs ansible-playbook '
                                  '(connection local), where the netns connection reaches its namespaces; '
                                  'this task connects with %s' % transport)

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        fmt = args.get('diagram_format') or 'mermaid'
        diagram = doc = None
        links_map = {}
        single_host = False
        try:
            if args.get('src') and args.get('topology') is not None:
                raise ValidationError('src', args['src'], 'cannot be combined with topology')
            if args.get('src'):
                args['topology'] = self._load_src(args['src'])
            if fmt not in ('mermaid', 'dot'):
                raise ValidationError('diagram_format', fmt, 'is not mermaid or dot')
            self._check_inventory_file(args)
            state = args.get('state') or 'present'
            if args.get('topology') is not None or state == 'present':
                prefix = args.get('prefix') or ''
                if has_hosts(args.get('topology')) and state == 'absent':
                    # Each host removes what its record lists: no part, and
                    # so no underlay, is needed to take a lab down.
                    document = args.pop('topology')
                    diagram = render(expand_document(strip_hosts(document), prefix), fmt, groups(document))
                elif has_hosts(args.get('topology')):
                    whole, hosts, doc, links_map = self._part(args, task_vars, prefix)
                    diagram = render(whole, fmt, hosts)
                else:
                    doc = expand_document(args.get('topology'), prefix)
                    diagram = render(doc, fmt)
                    single_host = True
        except ValidationError as exc:
            result.update(failed=True, msg=to_text(exc), option=exc.option, value=exc.value, changed=False)
            return result
        module_args = dict((k, v) for k, v in args.items() if k not in CONTROLLER_ONLY)
        if doc is not None:
            # Validated here already: the module takes it as it is. As one
            # JSON text (which a dict option accepts): the module's argument
            # handling deep-copies and walks a mapping several times, a tenth
            # of a second for a lab of hundreds of nodes; a string it copies
            # for free and json.loads once.
            module_args['topology'] = json.dumps(dict(doc, **{EXPANDED_KEY: args.get('prefix') or ''}),
                                                 separators=(',', ':'), sort_keys=True)
        result.update(self._execute_module(module_name='linuxnet.plumbing.topology', module_args=module_args,
                                           task_vars=task_vars))
        if 'invocation' in result:
            result['invocation'] = {'module_args': dict(self._task.args)}
        if result.get('failed') and links_map and result.get('option'):
            # The target names the links of this host's part: name the user's.
            error = remap_links(ValidationError(result['option'], result.get('value'), ''), links_map)
            result['msg'] = to_text(result.get('msg', '')).replace(result['option'], error.option, 1)
            result['option'] = error.option
        if diagram is not None:
            result['diagram'] = diagram
            if args.get('diagram_file') and not result.get('failed'):
                result['diagram_file'] = write_if_changed(args['diagram_file'], diagram, self._task.check_mode)
        if single_host and state == 'present':
            python = (task_vars or {}).get('ansible_playbook_python') or sys.executable
            result['inventory'] = inventory(doc, args['name'], args.get('prefix') or '', python)
        if args.get('inventory_file') and not result.get('failed'):
            text = inventory_text(result['inventory'], args['name']) if 'inventory' in result else None
            result['inventory_file'] = write_if_changed(args['inventory_file'], text, self._task.check_mode)
        return result
