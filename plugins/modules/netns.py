#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: netns
short_description: Manage named network namespaces
version_added: 0.1.0
description:
  - Creates and removes named network namespaces, the same kind C(ip netns add) makes
    (a bind mount under C(/run/netns/NAME)), so they are usable by C(ip netns exec) and by every module
    of this collection through its O(ignore:netns) option.
  - Brings the loopback interface of the namespace up; services bound to a local address and probes of
    the namespace's own addresses do not work without it.
  - Optionally gives the namespace its own resolver configuration in C(/etc/netns/NAME/resolv.conf),
    which C(ip netns exec) and the P(linuxnet.plumbing.netns#connection) connection plugin show to
    programs as C(/etc/resolv.conf). The host's C(/etc/resolv.conf) is never touched.
    The file is written atomically with mode 0644 (its directory 0755), whatever the umask.
  - Removal first deletes the virtual interfaces inside the namespace (veth pairs, bridges, macvlans...),
    so that their names, and the names of veth peers in other namespaces, can be used again right away
    instead of after the kernel's asynchronous namespace cleanup.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns.attributes
options:
  name:
    description:
      - Name of the namespace. A name containing C(/), C(..) or NUL is refused.
    type: str
    required: true
  nameservers:
    description:
      - Addresses (IPv4 or IPv6) written as C(nameserver) lines to C(/etc/netns/NAME/resolv.conf).
      - When omitted, an existing file is left as it is. An empty list removes the file.
      - The file is removed together with the namespace.
    type: list
    elements: str
  search:
    description:
      - Search domains written as a C(search) line to C(/etc/netns/NAME/resolv.conf).
      - Only used together with O(nameservers).
    type: list
    elements: str
  state:
    description:
      - V(present) creates the namespace, V(absent) removes it with its virtual interfaces and its
        resolver configuration.
    type: str
    choices: [present, absent]
    default: present
requirements:
  - pyroute2 0.7 or newer on the managed host (C(apt-get install python3-pyroute2) or C(pip install pyroute2))
  - root on the managed host
notes:
  - Processes still running inside a removed namespace keep it alive (without a name) until they exit.
seealso:
  - module: linuxnet.plumbing.veth
  - module: linuxnet.plumbing.net_info
'''

EXAMPLES = r'''
- name: Create two namespaces
  linuxnet.plumbing.netns:
    name: "{{ item }}"
  loop: [ns1, ns2]

- name: Give ns1 its own resolver
  linuxnet.plumbing.netns:
    name: ns1
    nameservers:
      - 10.0.2.1
    search:
      - lab.example

- name: Remove a namespace and everything virtual inside it
  linuxnet.plumbing.netns:
    name: ns2
    state: absent
'''

RETURN = r'''
name:
  description: The namespace name.
  returned: always
  type: str
  sample: ns1
path:
  description: The bind mount that holds the namespace.
  returned: always
  type: str
  sample: /run/netns/ns1
resolv_conf:
  description: Path of the namespace's resolver configuration, when it has one after the run.
  returned: always
  type: str
  sample: /etc/netns/ns1/resolv.conf
actions:
  description: The changes made (or, in check mode, that would be made), one line each.
  returned: always
  type: list
  elements: str
  sample: ["create namespace ns1", "bring up lo in ns1"]
diff:
  description: State before and after.
  returned: when diff mode is on
  type: dict
  sample:
    before: {state: absent, loopback_up: false, nameservers: null}
    after: {state: present, loopback_up: true, nameservers: ["10.0.2.1"]}
'''

import errno
import os

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import new_module, run_module
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.files import write_file
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import Netlink, NetlinkError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import (
    create_netns,
    netns_exists,
    netns_path,
    remove_netns,
    resolv_conf_path,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    check_netns_name,
    parse_address,
    ValidationError,
)

HEADER = '# Managed by linuxnet.plumbing.netns: resolver of network namespace %s\n'


def render_resolv_conf(name, nameservers, search):
    lines = [HEADER % name]
    if search:
        lines.append('search %s\n' % ' '.join(search))
    lines.extend('nameserver %s\n' % ns for ns in nameservers)
    return ''.join(lines)


def read_file(path):
    try:
        with open(path) as handle:
            return handle.read()
    except IOError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise


def parse_nameservers(content):
    if content is None:
        return None
    return [line.split()[1] for line in content.splitlines()
            if line.startswith('nameserver') and len(line.split()) > 1]


def remove_file(path):
    if os.path.exists(path):
        os.unlink(path)
    try:
        os.rmdir(os.path.dirname(path))
    except OSError:
        pass  # not empty: other per-namespace files the user keeps there


def loopback_up(name):
    with Netlink(name) as nl:
        lo = nl.link('lo')
        return bool(lo and lo['up'])


def set_loopback_up(name):
    with Netlink(name) as nl:
        nl.set_up(nl.link('lo')['index'])


def purge_and_remove(name):
    with Netlink(name) as nl:
        for link in nl.links():
            if link['kind'] is None:
                continue  # physical devices go back to the host namespace by themselves
            try:
                nl.delete_link(link['index'])
            except NetlinkError as exc:
                if exc.code != errno.ENODEV:  # gone with its peer or parent
                    raise
    remove_netns(name)


def read_state(name, conf, with_nameservers):
    """The namespace as the diff describes it, read again after the actions."""
    exists = netns_exists(name)
    now = dict(name=name, state='present' if exists else 'absent', loopback_up=loopback_up(name) if exists else False)
    if with_nameservers:
        now['nameservers'] = parse_nameservers(read_file(conf))
    return now


def validate(params):
    name = check_netns_name('name', params['name'])
    servers = params['nameservers']
    if servers is not None:
        servers = [str(parse_address('nameservers', s)) for s in servers]
    for domain in params['search'] or []:
        if not domain or any(c.isspace() for c in domain) or '#' in domain:
            raise ValidationError('search', domain, 'is not a valid search domain')
    return name, servers


def body(module):
    name, servers = validate(module.params)
    state = module.params['state']
    search = module.params['search'] or []
    conf = resolv_conf_path(name)
    exists = netns_exists(name)
    conf_now = read_file(conf)

    tracker = DifferenceTracker()
    tracker.compare('name', name, name)
    tracker.compare('state', 'present' if exists else 'absent', state)
    lo_now = loopback_up(name) if exists else False

    if state == 'present':
        if not exists:
            tracker.add('create namespace %s' % name, create_netns, name)
        tracker.compare('loopback_up', lo_now, True)
        if not lo_now:
            tracker.add('bring up lo in %s' % name, set_loopback_up, name)
        if servers is not None:
            tracker.compare('nameservers', parse_nameservers(conf_now), servers or None)
            wanted = render_resolv_conf(name, servers, search) if servers else None
            if wanted != conf_now:
                if wanted is None:
                    tracker.add('remove %s' % conf, remove_file, conf)
                else:
                    tracker.add('write %s' % conf, write_file, conf, wanted)
    else:
        tracker.compare('loopback_up', lo_now, False)
        tracker.compare('nameservers', parse_nameservers(conf_now), None)
        if exists:
            tracker.add('remove namespace %s with its virtual interfaces' % name, purge_and_remove, name)
        if conf_now is not None:
            tracker.add('remove %s' % conf, remove_file, conf)

    tracker.apply(module.check_mode)
    tracker.verify(lambda: read_state(name, conf, 'nameservers' in tracker.after))
    has_conf = os.path.exists(conf) if not module.check_mode else (
        state == 'present' and (servers if servers is not None else conf_now is not None))
    return tracker.result(name=name, path=netns_path(name), resolv_conf=conf if has_conf else None)


def main():
    module = new_module(
        argument_spec=dict(
            name=dict(type='str', required=True),
            nameservers=dict(type='list', elements='str'),
            search=dict(type='list', elements='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        with_netns=False,
    )
    run_module(module, body)


if __name__ == '__main__':
    main()
