# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""route_metric_persist (the route_metric role's helper): file editing: surgical edits, every other byte kept."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import os

import pytest

from ansible_collections.linuxnet.plumbing.plugins.modules import route_metric_persist as rmp


def changed_lines(before, after):
    """The lines removed and added, as two lists."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(True), after.splitlines(True)):
        if line.startswith('- '):
            removed.append(line[2:])
        elif line.startswith('+ '):
            added.append(line[2:])
    return removed, added


NETPLAN_STATIC = """\
# Fleet host: NAT interface and bridged interface
network:
  version: 2
  renderer: networkd
  ethernets:
    eth1:
      # the Vagrant NAT interface
      addresses: [10.0.2.15/24, "fd00:2::15/64"]
      mtu: 1500
      nameservers:
        addresses: [10.0.2.3]   # keep me
      routes:
        - to: default
          via: 10.0.2.2
          metric: 100   # the fault
        - to: "::/0"
          via: "fd00:2::2"
          metric: 100
        - to: 198.51.100.0/24
          via: 10.0.2.2
    eth2:
      addresses: [192.168.56.10/24]
      routes:
        - to: default
          via: 192.168.56.1
          metric: 200
"""


def test_netplan_static_routes_only_metric_values_change():
    after, edits, notes, matched = rmp.edit_netplan(NETPLAN_STATIC, 'f.yaml', 'eth1', None, ['ipv4', 'ipv6'], 1000)
    assert matched
    removed, added = changed_lines(NETPLAN_STATIC, after)
    assert removed == ['          metric: 100   # the fault\n', '          metric: 100\n']
    assert added == ['          metric: 1000   # the fault\n', '          metric: 1000\n']
    assert edits == ['ethernets.eth1.routes[0].metric: 100 -> 1000', 'ethernets.eth1.routes[1].metric: 100 -> 1000']
    assert notes == []
    again, edits2, dummy, dummy2 = rmp.edit_netplan(after, 'f.yaml', 'eth1', None, ['ipv4', 'ipv6'], 1000)
    assert again == after and edits2 == []


def test_netplan_only_ipv4_leaves_ipv6_and_other_devices():
    after, edits, dummy, dummy2 = rmp.edit_netplan(NETPLAN_STATIC, 'f.yaml', 'eth1', None, ['ipv4'], 7)
    assert edits == ['ethernets.eth1.routes[0].metric: 100 -> 7']
    assert 'metric: 200' in after


NETPLAN_DHCP = """\
network:
    version: 2
    ethernets:
        nat:
            match:
                macaddress: "52:54:00:AA:BB:CC"
            set-name: eth0
            dhcp4: true
            dhcp6: yes   # RA too
            dhcp4-overrides:
                use-dns: false
        other:
            dhcp4: true
"""


def test_netplan_dhcp_overrides_added_and_set_by_mac():
    after, edits, notes, matched = rmp.edit_netplan(NETPLAN_DHCP, 'f.yaml', 'eth9', '52:54:00:aa:bb:cc',
                                                    ['ipv4', 'ipv6'], 1000)
    assert matched
    assert after == NETPLAN_DHCP.replace(
        "                use-dns: false\n",
        "                use-dns: false\n                route-metric: 1000\n"
        "            dhcp6-overrides:\n                route-metric: 1000\n")
    assert edits == ['ethernets.nat.dhcp4-overrides.route-metric: (unset) -> 1000',
                     'ethernets.nat.dhcp6-overrides.route-metric: (unset) -> 1000']
    # by set-name as well, and idempotent
    again, edits2, dummy, matched2 = rmp.edit_netplan(after, 'f.yaml', 'eth0', None, ['ipv4', 'ipv6'], 1000)
    assert matched2 and again == after and edits2 == []


def test_netplan_unrelated_device_not_matched_and_gateway4_noted():
    text = "network:\n  ethernets:\n    eth3:\n      gateway4: 10.0.0.1\n"
    after, edits, notes, matched = rmp.edit_netplan(text, 'f.yaml', 'eth1', None, ['ipv4'], 5)
    assert not matched and after == text
    after, edits, notes, matched = rmp.edit_netplan(text, 'f.yaml', 'eth3', None, ['ipv4'], 5)
    assert matched and after == text and edits == []
    assert 'gateway4' in notes[0]


def test_netplan_flow_style_routes_refused():
    text = "network:\n  ethernets:\n    eth1:\n      routes: [{to: default, via: 10.0.2.2}]\n"
    with pytest.raises(rmp.PersistError, match='flow style'):
        rmp.edit_netplan(text, 'f.yaml', 'eth1', None, ['ipv4'], 5)


def test_netplan_no_trailing_newline():
    text = "network:\n  ethernets:\n    eth1:\n      dhcp4: true"
    after, edits, dummy, dummy2 = rmp.edit_netplan(text, 'f.yaml', 'eth1', None, ['ipv4'], 5)
    assert after == text + "\n      dhcp4-overrides:\n        route-metric: 5\n"


NM = """\
# eth1: the NAT connection
[connection]
id=nat
uuid=0c2a6d4e-1d1e-4a8f-9a38-3b7d0d2f3a11
type=ethernet
interface-name=eth1

[ethernet]
mtu=1500

[ipv4]
method=manual
address1=10.0.2.15/24,10.0.2.2
dns=10.0.2.3;
route-metric=100
route1=0.0.0.0/0,10.0.2.2,100

[ipv6]
# static IPv6
method=manual
address1=fd00:2::15/64,fd00:2::2

[proxy]
"""


def test_networkmanager_keyfile():
    after, edits, notes, matched = rmp.edit_networkmanager(NM, 'x', 'eth1', None, ['ipv4', 'ipv6'], 1000)
    assert matched
    removed, added = changed_lines(NM, after)
    assert removed == ['route-metric=100\n', 'route1=0.0.0.0/0,10.0.2.2,100\n']
    assert added == ['route-metric=1000\n', 'route1=0.0.0.0/0,10.0.2.2,1000\n', 'route-metric=1000\n']
    assert after.index('address1=fd00:2::15/64,fd00:2::2\nroute-metric=1000\n') > 0
    assert rmp.edit_networkmanager(after, 'x', 'eth1', None, ['ipv4', 'ipv6'], 1000)[0] == after
    assert not rmp.edit_networkmanager(NM, 'x', 'eth2', None, ['ipv4'], 1000)[3]


def test_networkmanager_missing_section_and_mac_match():
    text = "[connection]\nid=a\n\n[ethernet]\nmac-address=52:54:00:AA:BB:CC\n"
    after, edits, dummy, matched = rmp.edit_networkmanager(text, 'x', 'eth0', '52:54:00:aa:bb:cc', ['ipv6'], 9)
    assert matched and after == text + "\n[ipv6]\nroute-metric=9\n"


NETWORKD = """\
[Match]
Name=eth1 en*

[Network]
DHCP=ipv4
# keep this comment
DNS=10.0.2.3

[DHCPv4]
UseDNS=no

[Route]
Gateway=fd00:2::2
Metric=100

[Route]
Destination=198.51.100.0/24
Gateway=10.0.2.2
"""


def test_networkd():
    after, edits, notes, matched = rmp.edit_networkd(NETWORKD, 'x', 'eth1', None, ['ipv4', 'ipv6'], 1000)
    assert matched
    removed, added = changed_lines(NETWORKD, after)
    assert removed == ['Metric=100\n']
    assert added == ['RouteMetric=1000\n', 'Metric=1000\n']
    assert 'UseDNS=no\nRouteMetric=1000\n' in after
    assert rmp.edit_networkd(after, 'x', 'eth1', None, ['ipv4', 'ipv6'], 1000)[0] == after
    assert not rmp.edit_networkd(NETWORKD, 'x', 'wlan0', None, ['ipv4'], 1)[3]
    assert rmp.edit_networkd(NETWORKD, 'x', 'ens3', None, ['ipv4'], 1)[3]


IFUPDOWN = """\
# The loopback network interface
auto lo
iface lo inet loopback

source /etc/network/interfaces.d/*

auto eth1
iface eth1 inet static
\taddress 10.0.2.15/24
\tgateway 10.0.2.2
\tmetric 100
\tmtu 1500
\tdns-nameservers 10.0.2.3   # resolver

iface eth1 inet6 static
    address fd00:2::15/64
    gateway fd00:2::2
    # no metric yet

auto eth2
iface eth2 inet dhcp
"""


def test_ifupdown():
    after, edits, notes, matched = rmp.edit_ifupdown(IFUPDOWN, 'x', 'eth1', None, ['ipv4', 'ipv6'], 1000)
    assert matched
    removed, added = changed_lines(IFUPDOWN, after)
    assert removed == ['\tmetric 100\n']
    assert added == ['\tmetric 1000\n', '    metric 1000\n']
    assert '    gateway fd00:2::2\n    metric 1000\n    # no metric yet\n' in after
    assert rmp.edit_ifupdown(after, 'x', 'eth1', None, ['ipv4', 'ipv6'], 1000)[0] == after
    after2, edits2, dummy, dummy2 = rmp.edit_ifupdown(IFUPDOWN, 'x', 'eth2', None, ['ipv4', 'ipv6'], 5)
    assert after2.endswith('iface eth2 inet dhcp\n    metric 5\n')


def test_plan_detects_backends_and_follows_source(tmp_path):
    root = str(tmp_path)
    os.makedirs(os.path.join(root, 'etc/network/interfaces.d'))
    with open(os.path.join(root, 'etc/network/interfaces'), 'w') as handle:
        handle.write('auto lo\niface lo inet loopback\nsource /etc/network/interfaces.d/*\n')
    with open(os.path.join(root, 'etc/network/interfaces.d/eth1'), 'w') as handle:
        handle.write('iface eth1 inet dhcp\n')
    result = rmp.plan(root, 'eth1', None, ['ipv4'], 1000)
    assert result['backends'] == ['ifupdown']
    assert [f['path'] for f in result['files']] == [os.path.join(root, 'etc/network/interfaces.d/eth1')]
    assert result['files'][0]['changed']
    none = rmp.plan(root, 'eth7', None, ['ipv4'], 1000)
    assert none['backends'] == [] and 'no network configuration found for eth7' in none['notes'][-1]
    only_netplan = rmp.plan(root, 'eth1', None, ['ipv4'], 1000, backend='netplan')
    assert only_netplan['backends'] == [] and only_netplan['files'] == []
