# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One topology across several hosts: each host's part of the document.

Nodes name their inventory host (``host:``). The action plugin, run once per
host of the play, calls split() with the user's document and gets that
host's part: its nodes and bridges, the links between them, and for each link
whose ends are on two hosts one end of a VXLAN pair (kind vxlan, carrying the
node's interface name and addresses, its underlay the host's own interface).
The part is an ordinary topology document: the module does not know it is
one piece of several.

Pure data in and out: the underlay of each host is given by the caller
(read from the inventory on the controller), so every refusal happens before
any host is contacted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

# IPv4 underlay: outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14.
VXLAN_OVERHEAD = 50
VXLAN_PORT = 4789
VNI_RANGE = (1, 2 ** 24 - 1)
DEFAULT_UNDERLAY_MTU = 1500
# The host-kind node the vxlan ends hang from when the document has none.
UNDERLAY_NODE = 'underlay'


def _end_node(end, bridges):
    """(node, interface name or None, bridge or None) of a raw endpoint."""
    if isinstance(end, str):
        node, sep, name = end.partition(':')
        return (node, name, None) if sep else (None, None, None)
    if not isinstance(end, dict):
        return None, None, None
    if end.get('bridge') is not None:
        bridge = bridges.get(end['bridge'])
        return (bridge.get('node') if isinstance(bridge, dict) else None), None, end['bridge']
    return end.get('node'), end.get('name'), None


def _raw_end(end):
    if isinstance(end, str):
        node, dummy, name = end.partition(':')
        return {'node': node, 'name': name}
    return dict(end)


def has_hosts(document):
    """True when some node of DOCUMENT names its host (a multi-host topology)."""
    nodes = document.get('nodes') if isinstance(document, dict) else None
    return isinstance(nodes, dict) and any(isinstance(v, dict) and v.get('host') is not None
                                           for v in nodes.values())


def placement(document, play_hosts):
    """{node: host} of the netns nodes (host nodes are every host's own)."""
    out = {}
    for name, value in document['nodes'].items():
        value = value if isinstance(value, dict) else {}
        path = 'nodes.%s.host' % name
        host = value.get('host')
        if (value.get('kind') or 'netns') == 'host':
            if host is not None:
                raise ValidationError(path, host, 'cannot be set on a host node (it is the namespace the module '
                                      'runs in, on every host)')
            continue
        if host is None:
            raise ValidationError(path, None, 'is required when other nodes name their host (nodes without '
                                  'host: %s)' % name)
        if host not in play_hosts:
            raise ValidationError(path, host, 'is not a host this play reaches (ansible_play_hosts_all: %s)'
                                  % ', '.join(play_hosts))
        out[str(name)] = host
    return out


def strip_hosts(document):
    """DOCUMENT without the keys only the multi-host split reads (host, vni):
    what the single-host validation checks as a whole."""
    doc = dict(document)
    doc['nodes'] = dict((n, dict((k, v) for k, v in (value or {}).items() if k != 'host'))
                        for n, value in document['nodes'].items())
    if isinstance(document.get('links'), list):
        doc['links'] = [dict((k, v) for k, v in link.items() if k != 'vni') if isinstance(link, dict) else link
                        for link in document['links']]
    return doc


def link_id(name, ends):
    """The text a link's VNI is hashed from: stable under reordering of links."""
    return '%s|%s' % (name, '|'.join(sorted('%s:%s' % (n, i) for n, i, dummy in ends)))


def _hashed_vni(text, taken):
    vni = int(hashlib.sha256(text.encode('utf-8')).hexdigest(), 16) % VNI_RANGE[1] + 1
    while vni in taken:
        vni = vni % VNI_RANGE[1] + 1
    return vni


def allocate_vnis(name, crossing):
    """{link index: vni} of the links between hosts. CROSSING is
    [(index, ends, explicit vni or None)]; explicit VNIs are kept (two equal
    ones refused), the others hashed from the topology name and the link's
    ends, stepping past a VNI already taken."""
    out, owner = {}, {}
    for i, dummy, vni in crossing:
        if vni is None:
            continue
        path = 'links[%d].vni' % i
        if isinstance(vni, bool) or not isinstance(vni, int) or not VNI_RANGE[0] <= vni <= VNI_RANGE[1]:
            raise ValidationError(path, vni, 'is not a VNI (an integer from %d to %d)' % VNI_RANGE)
        if vni in owner:
            raise ValidationError(path, vni, 'is the VNI of links[%d] too; two links cannot share one' % owner[vni])
        owner[vni] = i
        out[i] = vni
    for i, ends, vni in crossing:
        if vni is None:
            out[i] = _hashed_vni(link_id(name, ends), owner)
            owner[out[i]] = i
    return out


def check_underlay(underlay, hosts):
    """UNDERLAY {host: {'address', 'interface', 'mtu', 'source'}} checked for
    HOSTS: an address that is set, an IP address, and not shared."""
    seen = {}
    for host in sorted(hosts):
        info = underlay.get(host) or {}
        where = info.get('source') or 'hostvars[%s].topology_underlay_address' % host
        address = info.get('address')
        if address in (None, ''):
            raise ValidationError('hostvars[%s].topology_underlay_address' % host, None,
                                  'is not set, and neither ansible_host nor the facts (ansible_default_ipv4) '
                                  'give an IP address: host %s has links to other hosts' % host)
        try:
            address = ipaddress.ip_address(str(address)).compressed
        except ValueError:
            raise ValidationError(where, address, 'is not an IP address (the underlay of host %s)' % host)
        if address in seen:
            raise ValidationError(where, address, 'is the underlay address of host %s too' % seen[address])
        seen[address] = host
        info['address'] = address


def _vxlan_end(end, vni, here, there, mtu, parent):
    return {'kind': 'vxlan', 'endpoints': [end], 'vni': vni, 'remote': there['address'], 'local': here['address'],
            'dstport': VXLAN_PORT, 'mtu': mtu, 'parent': parent}


def _link_mtu(i, link, underlay, hosts):
    limit = min(int(underlay[h].get('mtu') or DEFAULT_UNDERLAY_MTU) for h in hosts) - VXLAN_OVERHEAD
    mtu = link.get('mtu')
    if mtu is None:
        return limit
    if isinstance(mtu, int) and not isinstance(mtu, bool) and mtu > limit:
        raise ValidationError('links[%d].mtu' % i, mtu, 'does not fit a VXLAN between %s: the underlay MTU less '
                              'the %d bytes of encapsulation is %d' % (' and '.join(sorted(hosts)), VXLAN_OVERHEAD,
                                                                       limit))
    return mtu


def split(document, name, host, play_hosts, underlay):
    """(part, links_map): HOST's part of the multi-host DOCUMENT of topology
    NAME, and {index of a link in the part: index in DOCUMENT}.

    UNDERLAY is {host: {'address', 'interface', 'mtu', 'source'}} for the
    hosts of the play (missing entries are refused where needed). The
    document is expected to pass the single-host validation once strip_hosts()
    removed the keys read here (the caller runs it)."""
    where = placement(document, play_hosts)
    nodes = document['nodes']
    bridges = document.get('bridges') or {}
    links = document.get('links') or []
    crossing, kept = [], []
    for i, link in enumerate(links):
        ends = [_end_node(e, bridges) for e in link.get('endpoints') or []]
        homes = set(where.get(n) for n, dummy, dummy in ends if n in where)
        if len(homes) > 1:
            for j, (dummy, dummy, bridge) in enumerate(ends):
                if bridge is not None:
                    raise ValidationError('links[%d].endpoints[%d].bridge' % (i, j), bridge, 'cannot end a link '
                                          'between hosts (%s): give the bridge a veth link to a node on its host '
                                          'and cross hosts from that node' % ' and '.join(sorted(homes)))
            crossing.append((i, ends, link.get('vni')))
        else:
            if link.get('vni') is not None:
                raise ValidationError('links[%d].vni' % i, link['vni'], 'is only used by a link between nodes on '
                                      'two hosts (this one stays on %s)' % (homes.pop() if homes else 'every host'))
            kept.append((i, homes.pop() if homes else None))
    vnis = allocate_vnis(name, crossing)
    mine = [(i, ends) for i, ends, dummy in crossing if host in [where[n] for n, dummy, dummy in ends]]
    part = {'nodes': {}, 'bridges': {}, 'links': [], 'validate': []}
    for node, value in nodes.items():
        value = value or {}
        if (value.get('kind') or 'netns') == 'host' or where.get(str(node)) == host:
            part['nodes'][node] = dict((k, v) for k, v in value.items() if k != 'host')
    for bridge, value in bridges.items():
        if isinstance(value, dict) and where.get(value.get('node')) == host:
            part['bridges'][bridge] = value
    links_map = {}
    for i, home in kept:
        if home == host or home is None:
            links_map[len(part['links'])] = i
            part['links'].append(links[i])
    if mine:
        hosts = set(h for i, ends in mine for h in [where[n] for n, dummy, dummy in ends])
        check_underlay(underlay, hosts)
        here = underlay[host]
        if not here.get('interface'):
            raise ValidationError('hostvars[%s].topology_underlay_interface' % host, None,
                                  'is not set and the facts (ansible_default_ipv4.interface) do not give it: the '
                                  'VXLAN links of host %s need the interface that carries them' % host)
        hostnode = _host_node(part['nodes'])
        part['nodes'].setdefault(hostnode, {'kind': 'host'})
        parent = {'node': hostnode, 'name': here['interface']}
        for i, ends in mine:
            link = links[i]
            j = [where[n] for n, dummy, dummy in ends].index(host)
            peer = where[ends[1 - j][0]]
            mtu = _link_mtu(i, link, underlay, (host, peer))
            links_map[len(part['links'])] = i
            part['links'].append(_vxlan_end(_raw_end(link['endpoints'][j]), vnis[i], here, underlay[peer], mtu,
                                            parent))
    for i, check in enumerate(document.get('validate') or []):
        if not isinstance(check, dict):
            continue
        if check.get('from') in nodes and check['from'] not in where:
            raise ValidationError('validate[%d].from' % i, check['from'], 'is a host node, which is on every host; '
                                  'in a topology across hosts a check runs from a node that names its host')
        if where.get(check.get('from')) == host:
            part['validate'].append(check)
    return part, links_map


def _host_node(nodes):
    for node, value in sorted(nodes.items()):
        if (value or {}).get('kind') == 'host':
            return node
    name = UNDERLAY_NODE
    while name in nodes:
        name += '_'
    return name


def groups(document):
    """{node: host} for the diagram (host nodes and unplaced nodes: none)."""
    return dict((str(n), v['host']) for n, v in document['nodes'].items()
                if isinstance(v, dict) and v.get('host') is not None)


def remap_links(exc, links_map):
    """EXC (a ValidationError about a host's part) naming the user's link:
    links[K] of the part is links[LINKS_MAP[K]] of the document."""
    option = exc.option
    if option.startswith('links['):
        k = option[len('links['):].split(']', 1)[0]
        if k.isdigit() and int(k) in links_map:
            option = 'links[%d]%s' % (links_map[int(k)], option[len('links[%s]' % k):])
    return ValidationError(option, exc.value, exc.reason)


def _is_ip(text):
    try:
        ipaddress.ip_address(str(text))
    except ValueError:
        return False
    return True


def underlay_of(host, hostvars):
    """{'address', 'interface', 'mtu', 'source'} of HOST from its HOSTVARS:
    topology_underlay_address, else ansible_host when it is an IP address,
    else the facts' ansible_default_ipv4.address; topology_underlay_interface
    (else the facts' default interface); topology_underlay_mtu (else the
    facts' MTU of that interface when it is the default one, else 1500)."""
    facts = hostvars.get('ansible_default_ipv4') or {}
    out = {'interface': hostvars.get('topology_underlay_interface') or facts.get('interface'),
           'mtu': hostvars.get('topology_underlay_mtu')}
    if out['mtu'] is None and out['interface'] == facts.get('interface'):
        out['mtu'] = facts.get('mtu')
    if hostvars.get('topology_underlay_address') not in (None, ''):
        out.update(address=hostvars['topology_underlay_address'],
                   source='hostvars[%s].topology_underlay_address' % host)
    elif hostvars.get('ansible_host') is not None and _is_ip(hostvars['ansible_host']):
        out.update(address=hostvars['ansible_host'], source='hostvars[%s].ansible_host' % host)
    else:
        out.update(address=facts.get('address'), source='hostvars[%s].ansible_default_ipv4.address' % host)
    return out
