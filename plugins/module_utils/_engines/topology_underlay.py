# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Before a topology's VXLAN links between hosts are made: does this host
reach each peer's underlay address, out of the interface the link hangs
from? The controller cannot know the hosts' routes, so this is the one
refusal of a multi-host document that happens on the target — still before
any change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError


def underlay_links(doc):
    """[(index, link)] of the vxlan links whose underlay is the host's own
    namespace and that name their remote."""
    return [(i, link) for i, link in enumerate(doc['links'])
            if link['kind'] == 'vxlan' and link['spec'].get('remote') and link['parent'] is not None
            and doc['nodes'][link['parent']['node']]['kind'] == 'host']


def check_underlay_routes(doc):
    """Refuse (ValidationError naming links[N].remote) a remote this host has
    no route to, or reaches out of another interface than the link's parent
    (the kernel would send the encapsulated packets nowhere)."""
    wanted = underlay_links(doc)
    if not wanted:
        return
    # pyroute2 costs a tenth of a second to import: only documents with
    # links between hosts pay it here.
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import Netlink, NetlinkError
    with Netlink() as nl:
        index = dict((link['name'], link['index']) for link in nl.links())
        for i, link in wanted:
            remote, parent = link['spec']['remote'], link['parent']['name']
            path = 'links[%d].remote' % i
            try:
                msgs = nl.route_lookup(remote)
            except NetlinkError as exc:
                raise ValidationError(path, remote, 'is not reachable from this host (no route: %s); the hosts\' '
                                      'underlay addresses must reach each other' % exc)
            oif = msgs[0].get_attr('RTA_OIF') if msgs else None
            if parent in index and oif != index[parent]:
                names = dict((v, k) for k, v in index.items())
                raise ValidationError(path, remote, 'is reached out of %s on this host, not out of the underlay '
                                      'interface %s' % (names.get(oif, oif), parent))
