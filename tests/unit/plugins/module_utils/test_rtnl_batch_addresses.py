# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which addresses of an address dump a topology sees (pure parsing of built messages)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import socket

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.rtnl_batch import (
    IFA_ADDRESS,
    IFA_F_NODAD,
    IFA_F_PERMANENT,
    IFA_LOCAL,
    IFADDR,
    address_from_message,
    attr,
)


def message(address, prefixlen, flags, index=7):
    ip = ipaddress.ip_address(address)
    family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
    body = IFADDR.pack(family, prefixlen, flags, 0, index) + attr(IFA_ADDRESS, ip.packed)
    if ip.version == 4:
        body += attr(IFA_LOCAL, ip.packed)
    return body


@pytest.mark.parametrize('address, prefixlen', [('10.0.0.1', 24), ('2001:db8:1::1', 64)])
def test_a_permanent_address_is_seen(address, prefixlen):
    body = message(address, prefixlen, IFA_F_PERMANENT | IFA_F_NODAD)
    assert address_from_message(body, 0, len(body)) == {'index': 7, 'address': '%s/%d' % (address, prefixlen)}


@pytest.mark.parametrize('address, prefixlen', [('10.0.0.9', 24), ('2001:db8:1::200:5eff:fe01:1', 64)])
def test_an_address_with_a_lifetime_is_left_to_its_daemon(address, prefixlen):
    # SLAAC and DHCP addresses carry no IFA_F_PERMANENT.
    body = message(address, prefixlen, 0)
    assert address_from_message(body, 0, len(body)) is None
