#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: wireguard
short_description: Manage a WireGuard device (kernel, or wireguard-go over tun) and its peers
version_added: 1.1.0
description:
  - Makes sure a WireGuard device exists in a network namespace, with its private key, listen port, fwmark
    and exactly the listed peers; or removes it.
  - Uses the kernel's WireGuard link (created through netlink) where the kernel has WireGuard, and otherwise
    starts C(wireguard-go DEV) inside the namespace (userspace WireGuard over tun; it daemonises itself).
    A running device is never restarted, whichever implementation made it.
  - The running configuration is read with C(wg showconf) and compared with the options; C(wg setconf) (the
    configuration on stdin, never on a command line) runs only when they differ, and the device is read
    again afterwards - the module fails naming what is still different.
  - Keys are kept. Without O(private_key) an existing device keeps its key, and a new one gets a key from
    C(wg genkey). Private and preshared keys never appear in results or diffs (they show as V((hidden))); the
    device's public key is returned.
  - Every option is validated before anything changes; errors name the option and the value (a secret is
    described by its length, not shown).
  - With O(address) and O(up) the same call also sets the device's addresses and brings it up, as
    C(wg-quick) does, so that a tunnel end needs no separate M(linuxnet.plumbing.ip_address) and
    M(linuxnet.plumbing.link) tasks. Routes stay with M(linuxnet.plumbing.ip_route).
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
options:
  name:
    description:
      - Name of the device, 1 to 15 bytes.
      - wireguard-go's control socket C(/var/run/wireguard/NAME.sock) is shared by all namespaces of a host,
        so a name that wireguard-go runs in one namespace cannot be used in another (the module fails).
      - A link of that name that is not a WireGuard device is an error; it is never changed or deleted.
    type: str
    required: true
  state:
    description:
      - V(present) makes the device and its configuration as described.
      - V(absent) stops its wireguard-go daemon or deletes the kernel link, and removes O(pid_file). When the
        namespace is gone, only a daemon recorded in O(pid_file) is stopped.
    type: str
    choices: [present, absent]
    default: present
  implementation:
    description:
      - How a new device is made. V(auto) uses the kernel's WireGuard where the kernel has it, otherwise
        C(wireguard-go). V(kernel) fails (before any change) without kernel WireGuard; V(wireguard-go) always uses
        the userspace implementation.
      - An existing device is kept whichever implementation made it.
    type: str
    choices: [auto, kernel, wireguard-go]
    default: auto
  private_key:
    description:
      - The device's private key, base64 of 32 bytes as C(wg genkey) prints it.
      - When omitted, the key comes from O(private_key_file) when that file exists; otherwise an existing device keeps
        its key and a new device gets a generated one (its public key is returned in RV(device)).
    type: str
  private_key_file:
    description:
      - File that keeps the device's private key across runs, so that a device deleted and made again (or started
        again after a reboot) gets the same key. Absolute path; the file gets mode 0600, a missing directory 0700.
      - When the file exists and O(private_key) is omitted, its key is the device's key. When it is missing, the
        device's current key (a new device's generated one) is written to it. With O(private_key), the file is
        rewritten when it holds another key.
      - A file that exists but does not hold a WireGuard key is an error (before any change; the content is not
        shown); it is never overwritten unless O(private_key) is given.
      - O(state=absent) leaves the file alone (the key is kept for the next O(state=present)).
    type: path
    version_added: 1.1.0
  listen_port:
    description: UDP port the device listens on, 1 to 65535. When omitted, the port is not managed.
    type: int
  fwmark:
    description: Firewall mark of the device's outgoing packets, 0 (off) to 4294967295. Not managed when omitted.
    type: int
  peers:
    description:
      - The peers of the device; exactly these (others are removed). When omitted, the peers are not managed.
    type: list
    elements: dict
    suboptions:
      public_key:
        description: The peer's public key (base64 of 32 bytes).
        type: str
        required: true
      preshared_key:
        description: A preshared key (base64 of 32 bytes), as C(wg genpsk) prints it.
        type: str
      allowed_ips:
        description:
          - Prefixes routed to and accepted from this peer, IPv4 and IPv6, without host bits (an address alone
            is a /32 or /128).
        type: list
        elements: str
        default: []
      endpoint:
        description:
          - The peer's address and port, V(HOST:PORT) (an IPv6 address in brackets, V([2001:db8::1]:51820)).
          - When omitted, the endpoint the device has learned from the peer is kept.
        type: str
      persistent_keepalive:
        description: Seconds between keepalive packets to the peer, 0 (off) to 65535.
        type: int
        default: 0
  address:
    description:
      - The device's addresses with prefix length, IPv4 and IPv6 mixed (V(10.99.0.1/24), V(2001:db8:99::1/64));
        exactly these (others are removed, IPv6 link-local ones kept), as M(linuxnet.plumbing.ip_address) does
        with C(exclusive=true). An address without prefix length is refused.
      - An empty list removes every address except the IPv6 link-local ones.
      - When omitted, the addresses are not managed.
    type: list
    elements: str
    version_added: 1.1.0
  up:
    description:
      - V(true) brings the device up, V(false) takes it down (the daemon and configuration stay).
      - When omitted, the up state is not managed.
    type: bool
    version_added: 1.1.0
  pid_file:
    description:
      - File that records the pid of the wireguard-go daemon (absolute path; directories are made with mode 0755,
        the file 0644). It lets O(state=absent) stop a daemon whose namespace was deleted.
      - Not used for a kernel device.
    type: path
requirements:
  - C(wg) (Debian package C(wireguard-tools)) on the managed host
  - C(wireguard-go) on the managed host where the kernel has no WireGuard
notes:
  - Nothing of this is persisted across reboots; run the module at boot.
  - The role C(linuxnet.plumbing.vpn_split_tunnel) builds a split tunnel between two ends with this module.
seealso:
  - module: linuxnet.plumbing.ip_address
  - module: linuxnet.plumbing.link
'''

EXAMPLES = r'''
- name: A WireGuard gateway device in namespace vpn-gw listening on 51820, with one client peer
  linuxnet.plumbing.wireguard:
    name: wg-gw
    netns: vpn-gw
    private_key: "{{ vault_gateway_private_key }}"
    listen_port: 51820
    peers:
      - public_key: "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
        allowed_ips: [10.99.0.2/32, "2001:db8:99::2/128"]
  register: gateway

- name: The client end, which reaches the gateway on 192.0.2.1, addressed and up (a key is generated once and kept)
  linuxnet.plumbing.wireguard:
    name: wg-client
    netns: client
    address: [10.99.0.2/24, "2001:db8:99::2/64"]
    up: true
    peers:
      - public_key: "{{ gateway.device.public_key }}"
        allowed_ips: [10.0.0.0/24, 10.99.0.1/32]
        endpoint: 192.0.2.1:51820
        persistent_keepalive: 25

- name: Remove the client device (stops its wireguard-go daemon)
  linuxnet.plumbing.wireguard:
    name: wg-client
    netns: client
    state: absent
'''

RETURN = r'''
device:
  description:
    - The device after the run, read back from it (in check mode, as the run would leave it). No private or
      preshared key is shown.
    - With O(state=absent) only C(name), C(netns) and C(state).
    - C(addresses) (the device's addresses, IPv4 first) only when O(address) is given, C(up) only when O(up) is
      given.
  returned: always
  type: dict
  sample:
    name: wg-gw
    netns: vpn-gw
    state: present
    implementation: wireguard-go
    pid: 4242
    public_key: "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw="
    private_key: (hidden)
    listen_port: 51820
    fwmark: null
    peers:
      - public_key: "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
        preshared_key: null
        allowed_ips: [10.99.0.2/32, "2001:db8:99::2/128"]
        endpoint: null
        persistent_keepalive: 0
    addresses: [10.99.0.1/24, "2001:db8:99::1/64"]
    up: true
actions:
  description: One line per change made (or, in check mode, that would be made); keys are named by public key only.
  returned: always
  type: list
  elements: str
  sample:
    - "start wireguard-go wg-gw"
    - "configure wg-gw: private key, listen port, peer xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=: missing"
    - "add address 10.99.0.1/24 to wg-gw"
    - "bring wg-gw up"
diff:
  description: The device before and after, as dictionaries like RV(device) (also without diff mode).
  returned: always
  type: dict
  sample:
    before: {state: absent, name: wg-gw, netns: vpn-gw}
    after: {state: present, name: wg-gw, netns: vpn-gw, implementation: wireguard-go, listen_port: 51820}
'''

import os

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker, describe_difference
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import (
    ModuleFailure,
    new_module,
    run_module,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_ifname,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.addresses import (
    current_addresses,
    desired_addresses,
    plan_addresses,
    settled,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.wireguard import (
    HIDDEN,
    check_key,
    compare,
    desired_conf,
    hide_keys,
    merged,
    parse_conf,
    render_conf,
    view,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import wireguard as wg
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import Netlink, kernel_supports

ARGUMENT_SPEC = dict(
    name=dict(type='str', required=True),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    implementation=dict(type='str', choices=['auto', 'kernel', 'wireguard-go'], default='auto'),
    private_key=dict(type='str', no_log=True),
    private_key_file=dict(type='path', no_log=False),
    listen_port=dict(type='int'),
    fwmark=dict(type='int'),
    peers=dict(type='list', elements='dict', options=dict(
        public_key=dict(type='str', required=True),
        preshared_key=dict(type='str', no_log=True),
        allowed_ips=dict(type='list', elements='str', default=[]),
        endpoint=dict(type='str'),
        persistent_keepalive=dict(type='int', default=0),
    )),
    address=dict(type='list', elements='str'),
    up=dict(type='bool'),
    pid_file=dict(type='path'),
)

EMPTY = {'interface': {}, 'peers': {}}


def where(netns):
    return "network namespace '%s'" % netns if netns else 'the current network namespace'


class Plan(object):
    def __init__(self, module):
        self.params = module.params
        self.check_mode = module.check_mode
        self.netns = self.params['netns']
        self.name = self.params['name']
        self.device = wg.Device(self.netns, self.name, self.params['pid_file'])

    def validate(self):
        check_ifname('name', self.name)
        pid_file = self.params['pid_file']
        if pid_file is not None and not os.path.isabs(pid_file):
            raise ValidationError('pid_file', pid_file, 'is not an absolute path')
        key_file = self.params['private_key_file']
        self.file_key = None
        if key_file is not None:
            if not os.path.isabs(key_file):
                raise ValidationError('private_key_file', key_file, 'is not an absolute path')
            if os.path.isdir(key_file):
                raise ValidationError('private_key_file', key_file, 'is a directory, not a file')
            self.file_key = wg.read_key_file(key_file)
            if self.file_key is not None and self.params['private_key'] is None:
                try:
                    check_key('private_key_file', self.file_key, secret=True)
                except ValidationError:
                    raise ValidationError('private_key_file', key_file, 'does not hold a WireGuard private key '
                                          '(%d characters, not shown; 32 bytes in base64 expected, as '
                                          "'wg genkey' prints it); it is left as it is" % len(self.file_key))
        desired_conf(self.params, EMPTY)   # every option checked before anything is read or changed
        if self.params['address'] is not None:
            desired_addresses(self.params['address'], 'address')
        if self.params['state'] == 'absent':
            for option in ('address', 'up'):
                if self.params[option] is not None:
                    raise ValidationError(option, self.params[option], 'cannot be combined with state=absent '
                                          '(the device, its addresses and its state go with it)')

    def identity(self, state):
        return dict(state=state, name=self.name, netns=self.netns)

    def implementation_of(self, reading):
        if not reading['exists']:
            return None
        if reading['daemons']:
            return 'wireguard-go'
        if reading['kind'] == 'wireguard':
            return 'kernel'
        raise ValidationError('name', self.name, 'is a link in %s of kind %s, not a WireGuard device; it is left alone '
                              '(never changed or deleted)' % (where(self.netns), reading['kind'] or 'unknown'))

    def shown(self, reading, conf, public_key, implementation=None):
        out = self.identity('present')
        out.update(implementation=implementation or self.implementation_of(reading),
                   pid=reading['daemons'][0] if reading['daemons'] else None)
        out.update(view(conf, public_key))
        return out

    # -- state: absent -----------------------------------------------------------

    def plan_absent(self, tracker):
        after = self.identity('absent')
        tracker.after = after
        tracker.before = dict(after)
        if self.netns is not None and not self.device.namespace_exists():
            daemons, kernel_link = self.device.orphans(), False
        else:
            reading = self.device.read()
            implementation = self.implementation_of(reading)
            daemons = reading['daemons'] + [p for p in self.device.orphans() if p not in reading['daemons']]
            kernel_link = implementation == 'kernel'
            if implementation:
                tracker.before = self.shown(reading, parse_conf(wg.showconf(self.netns, self.name)), None)
        pid_file = self.params['pid_file']
        if daemons:
            tracker.add('stop wireguard-go %s (pid %s)' % (self.name, ', '.join(str(p) for p in daemons)),
                        self.device.remove, daemons, False)
        if kernel_link:
            tracker.add('delete the kernel WireGuard link %s' % self.name, self.device.remove, [], True)
        if pid_file and os.path.exists(pid_file):
            tracker.add('remove %s' % pid_file, wg.remove_file, pid_file)
        return after

    # -- state: present -----------------------------------------------------------

    def new_implementation(self):
        wanted = self.params['implementation']
        if wanted == 'wireguard-go':
            return wanted
        supported, detail = kernel_supports('wireguard')
        if supported:
            return 'kernel'
        if wanted == 'kernel':
            raise ValidationError('implementation', wanted, 'cannot be used: this kernel has no WireGuard (%s)' % detail)
        return 'wireguard-go'

    def plan_present(self, tracker):
        reading = self.device.read()
        implementation = self.implementation_of(reading)
        if implementation is None:
            if reading['others']:
                raise ValidationError('name', self.name, 'is already run by wireguard-go in another network namespace '
                                      '(pid %d); its control socket %s is shared by all namespaces, so every '
                                      'wireguard-go device on a host needs its own name'
                                      % (reading['others'][0], wg.socket_path(self.name)))
            implementation = self.new_implementation()
            current = EMPTY
            tracker.before = self.identity('absent')
            if implementation == 'kernel':
                tracker.add('create the kernel WireGuard link %s' % self.name, self.create_kernel)
            else:
                tracker.add('start wireguard-go %s' % self.name, self.device.start_wireguard_go)
        else:
            current = parse_conf(wg.showconf(self.netns, self.name))
            current_pub = wg.pubkey(current['interface']['privatekey']) if current['interface'].get('privatekey') else None
            tracker.before = self.shown(reading, current, current_pub)
            if reading['daemons'] and self.params['pid_file'] and wg.read_pid(self.params['pid_file']) != reading['daemons'][0]:
                tracker.add('record pid %d in %s' % (reading['daemons'][0], self.params['pid_file']),
                            self.device.record, reading['daemons'][0])
        params = self.params
        if params['private_key'] is None and self.file_key is not None:
            params = dict(params, private_key=self.file_key)
        desired = desired_conf(params, current)
        if not desired['interface'].get('privatekey'):
            desired['interface']['privatekey'] = None if self.check_mode else wg.genkey()
        key_file = self.params['private_key_file']
        if key_file is not None and (desired['interface']['privatekey'] is None
                                     or desired['interface']['privatekey'] != self.file_key):
            tracker.add('%s the private key to %s' % ('write' if self.file_key is None else 'replace', key_file),
                        wg.write_key_file, key_file, desired['interface']['privatekey'])
        public_key = wg.pubkey(desired['interface']['privatekey']) if desired['interface']['privatekey'] else None
        differences = compare(desired, current)
        if desired['interface']['privatekey'] is None:
            # Check mode: the real run generates a key and configures it.
            differences.insert(0, 'private key')
        apply = merged(desired, current)
        if differences:
            tracker.add('configure %s: %s' % (self.name, ', '.join(differences)), self.configure, desired, apply)
        after = self.shown(reading, apply, public_key, implementation)
        if desired['interface']['privatekey'] is None:
            after['private_key'] = HIDDEN   # generated by the real run
        tracker.after = after
        return after

    # -- addresses and up state (netlink), after the device is made and configured --

    def plan_link(self, tracker, nl):
        """Queue the address and up changes; NL stays open until the queue has run."""
        link = nl.link(self.name)
        index = link['index'] if link else None
        if self.params['address'] is not None:
            plan_addresses(tracker, nl, index, self.name, self.params['address'], exclusive=True)
        if self.params['up'] is not None:
            wanted = self.params['up']
            tracker.compare('up', bool(link and link['up']), wanted)
            if bool(link and link['up']) != wanted:
                tracker.add('bring %s %s' % (self.name, 'up' if wanted else 'down'), self.set_up, nl, wanted)
        if link is None:
            # A device that is not there yet has neither; "before" stays the identity.
            tracker.before.pop('addresses', None)
            tracker.before.pop('up', None)

    def set_up(self, nl, wanted):
        link = nl.link(self.name)
        if link is None:
            raise ModuleFailure('the WireGuard device %s disappeared before it could be brought %s'
                                % (self.name, 'up' if wanted else 'down'))
        nl.set_up(link['index'], wanted)

    def read_link(self, planned):
        """The managed link attributes as they are now (IPv6 link-local ones the
        kernel adds by itself are left out unless planned)."""
        out = {}
        with Netlink(self.netns) as nl:
            link = nl.link(self.name)
            if self.params['address'] is not None:
                out['addresses'] = settled(current_addresses(nl, link['index'] if link else None),
                                           planned.get('addresses') or [])
            if self.params['up'] is not None:
                out['up'] = bool(link and link['up'])
        return out

    def create_kernel(self):
        if not self.device.create_kernel():
            raise ModuleFailure('the kernel refused to create a WireGuard link %s although it seemed to have WireGuard'
                                % self.name)

    def configure(self, desired, apply):
        wg.setconf(self.netns, self.name, render_conf(apply))
        left = compare(desired, parse_conf(wg.showconf(self.netns, self.name)))
        if left:
            raise ModuleFailure('wg setconf %s did not take: still different: %s' % (self.name, ', '.join(left)))

    def read_back(self):
        reading = self.device.read()
        if not reading['exists']:
            raise ModuleFailure('the WireGuard device %s is missing from %s after the run' % (self.name, where(self.netns)))
        conf = parse_conf(wg.showconf(self.netns, self.name))
        key = conf['interface'].get('privatekey')
        return self.shown(reading, conf, wg.pubkey(key) if key else None)


def _link_options(params):
    return params['address'] is not None or params['up'] is not None


def body(module):
    try:
        return _body(module)
    except ModuleFailure as exc:
        # wg quotes what it could not read; that may be a key.
        raise ModuleFailure(hide_keys(exc.msg), **exc.kwargs)


def _body(module):
    plan = Plan(module)
    plan.validate()
    tracker = DifferenceTracker()
    if module.params['state'] == 'absent':
        device = plan.plan_absent(tracker)
        tracker.apply(module.check_mode)
        return tracker.result(device=device)
    device = plan.plan_present(tracker)
    if _link_options(module.params):
        with Netlink(plan.netns) as nl:
            plan.plan_link(tracker, nl)
            tracker.apply(module.check_mode)
    else:
        tracker.apply(module.check_mode)
    if tracker.changed and not module.check_mode:
        planned = dict(tracker.after)
        device = plan.read_back()
        if _link_options(module.params):
            link = plan.read_link(planned)
            wanted = dict((k, planned[k]) for k in link)
            if link != wanted:
                raise ModuleFailure('%s: done, but the device did not end up as planned: %s'
                                    % ('; '.join(tracker.actions), describe_difference(wanted, link)))
            device.update(link)
        tracker.after = device
    return tracker.result(device=device)


def main():
    module = new_module(argument_spec=ARGUMENT_SPEC)
    run_module(module, body)


if __name__ == '__main__':
    main()
