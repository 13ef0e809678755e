# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology document: expansion, validation and the desired state.

Pure data in, pure data out, so that the action plugin can run it on the
controller (every error before the target is contacted) and the module can
run it again as a guard when it is called without the action plugin.

Errors are ValidationError whose option is the path inside the document
(``links[3].endpoints[1].name``), so the user finds the line at once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress
import re

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_ifname,
    check_netns_name,
    check_range,
    parse_address,
    parse_interface_address,
)

NODE_KEYS = ('kind', 'forwarding', 'sysctls', 'nameservers', 'routes', 'rules', 'masquerade', 'dnat', 'firewall')
# Declared in the document's shape, not reconciled by this version: refused
# when non-empty rather than silently ignored.
BRIDGE_KEYS = ('node', 'address', 'stp', 'mtu')
LINK_KEYS = ('endpoints', 'mtu', 'kind')
# Links of one end, the other side being a parent interface (as in
# linuxnet.plumbing.link): their keys beside LINK_KEYS.
KIND_LINK_KEYS = {
    'macvlan': ('parent', 'mode'),
    'vxlan': ('parent', 'vni', 'remote', 'group', 'local', 'dstport'),
}
LINK_KINDS = ('veth',) + tuple(sorted(KIND_LINK_KEYS))
# The kernel's default is vepa; a lab wants its macvlans to reach each other.
MACVLAN_DEFAULT_MODE = 'bridge'
ENDPOINT_KEYS = ('node', 'name', 'address', 'bridge', 'mac')
RULE_KEYS = ('priority', 'action', 'table', 'src', 'dst', 'iif', 'oif', 'fwmark', 'family')
ROUTE_KEYS = ('dest', 'gateway', 'dev', 'metric', 'table', 'src', 'type', 'onlink', 'scope')
CHECK_TYPES = ('ping', 'tcp', 'udp', 'http', 'dns', 'traceroute')
CHECK_KEYS = ('from', 'type', 'target', 'port', 'path', 'expect', 'count', 'timeout', 'retries', 'query',
              'record_type', 'protocol', 'expect_status', 'expect_body', 'expect_answer')
FORWARDING_KEYS = ('net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding')
MTU_RANGE = (68, 65535)
# The nft rule kind of each list of a node (the module of the same name).
ENTRY_RULE_KINDS = {'masquerade': 'masquerade', 'dnat': 'dnat', 'firewall': 'firewall_rule'}


# The action plugin sends the document it expanded and validated on the
# controller under this key (its value: the prefix it was expanded for), so
# the module does not do the same work again on the target.
EXPANDED_KEY = '_expanded_for_prefix'


def canonical_document(document, prefix, expand_function):
    """The canonical form of DOCUMENT: taken as it is when the action plugin
    expanded it for PREFIX, else expanded (and validated) here."""
    if isinstance(document, dict) and EXPANDED_KEY in document and document[EXPANDED_KEY] == prefix:
        return dict((k, v) for k, v in document.items() if k != EXPANDED_KEY)
    return expand_function(document, prefix)


class _TableNumbers(object):
    """Tables of a canonical document are numbers already (see Extras.table)."""

    @staticmethod
    def lookup(option, value, allow_zero=False):
        return None if value is None else int(value)


TABLE_NUMBERS = _TableNumbers()


def _mapping(path, value):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(path, value, 'is not a mapping')
    return value


def _list(path, value):
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(path, value, 'is not a list')
    return value


def _known_keys(path, value, allowed):
    for key in value:
        if key not in allowed:
            raise ValidationError('%s.%s' % (path, key), value[key],
                                  'is not a known key here (known: %s)' % ', '.join(allowed))


def _addresses(path, values):
    out = []
    for i, value in enumerate(_list(path, values)):
        iface = parse_interface_address('%s[%d]' % (path, i), value)
        out.append('%s/%d' % (iface.ip.compressed, iface.network.prefixlen))
    return out


def sort_addresses(addresses):
    """IPv4 first, then by number: the order the diff and the plan show."""
    if len(addresses) < 2:
        return list(addresses)
    return sorted(set(addresses), key=lambda a: (ipaddress.ip_interface(a).version, ipaddress.ip_interface(a)))


def is_link_local6(address):
    """The kernel's own fe80:: addresses, never part of a document."""
    # fe80::/10 read off the canonical text (this runs for every address of
    # every namespace on each run): a first group of fe80 to febf.
    first = address.split(':', 1)[0]
    return ':' in address and len(first) == 4 and first[:3] in ('fe8', 'fe9', 'fea', 'feb')


def _mtu(path, value):
    return check_range(path, value, *MTU_RANGE) if value is not None else None


def bridge_port_name(bridge, node, ifname):
    """The name of a bridge's port for the link whose other end is NODE:IFNAME.

    Readable when it fits the 15 bytes of an interface name, else a stable
    hash of the same text (so a re-run finds the same port).
    """
    text = '%s-%s' % (node, ifname)
    if len(text.encode('utf-8')) <= 15:
        return text
    return 'p' + hashlib.sha1(('%s/%s/%s' % (bridge, node, ifname)).encode('utf-8')).hexdigest()[:12]


def _mac(path, value):
    """A unicast MAC address, six hex pairs separated by ':' or '-' -> lower case with ':', or None."""
    if value is None:
        return None
    text = value if isinstance(value, str) else None
    parts = re.split('[:-]', text) if text else []
    if len(parts) != 6 or not all(re.match('^[0-9A-Fa-f]{2}$', p) for p in parts):
        raise ValidationError(path, value, 'is not a MAC address (six hexadecimal pairs, as 02:00:5e:00:00:01)')
    if int(parts[0], 16) & 1:
        raise ValidationError(path, value, 'is a multicast address; an interface needs a unicast one (the lowest '
                              'bit of the first byte clear, as 02:...)')
    if all(int(p, 16) == 0 for p in parts):
        raise ValidationError(path, value, 'is all zeros, which no interface can have')
    return ':'.join(p.lower() for p in parts)


def _endpoint(path, value):
    """'ns1:eth0' or a mapping -> {'node', 'name', 'address', 'bridge', 'mac'}."""
    if isinstance(value, str):
        node, sep, name = value.partition(':')
        if not sep or not node or not name:
            raise ValidationError(path, value, "is not NODE:INTERFACE (for example 'ns1:eth0') nor a mapping")
        value = {'node': node, 'name': name}
    value = _mapping(path, value)
    _known_keys(path, value, ENDPOINT_KEYS)
    out = {'node': value.get('node'), 'name': value.get('name'), 'bridge': value.get('bridge'),
           'address': _addresses(path + '.address', value.get('address'))}
    if value.get('mac') is not None:
        out['mac'] = _mac(path + '.mac', value['mac'])
    if out['bridge'] is None and (not out['node'] or not out['name']):
        raise ValidationError(path, value, 'needs node and name (or bridge)')
    if out['bridge'] is not None and out['node'] is not None:
        raise ValidationError(path + '.node', out['node'], 'cannot be combined with bridge (the port lives in '
                              "the bridge's node)")
    if out['bridge'] is not None and out['address']:
        raise ValidationError(path + '.address', value.get('address'), 'cannot be set on a bridge port; give '
                              'the address to the bridge')
    return out


def _parent(path, value, nodes):
    """'NODE:IFNAME' or {node, name} -> {'node', 'name'}."""
    if isinstance(value, str):
        node, sep, name = value.partition(':')
        value = {'node': node, 'name': name} if sep else value
    if not isinstance(value, dict) or not value.get('node') or not value.get('name'):
        raise ValidationError(path, value, "is not NODE:INTERFACE (for example 'host:eth0') nor a mapping of node "
                              "and name")
    _known_keys(path, value, ('node', 'name'))
    if value['node'] not in nodes:
        raise ValidationError(path + '.node', value['node'], 'is not a node of the topology (nodes: %s)'
                              % ', '.join(sorted(nodes)))
    check_ifname(path + '.name', value['name'])
    return {'node': value['node'], 'name': value['name']}


def _kind_link(path, value, kind, nodes):
    """A macvlan or vxlan link: one endpoint, its parent and the options of
    linuxnet.plumbing.link for the kind -> the canonical link."""
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.links import desired_spec
    _known_keys(path, value, LINK_KEYS + KIND_LINK_KEYS[kind])
    ends = _list(path + '.endpoints', value.get('endpoints'))
    if len(ends) != 1:
        raise ValidationError(path + '.endpoints', value.get('endpoints'), 'must list exactly one endpoint for a '
                              '%s link (the other side is its parent)' % kind)
    epath = path + '.endpoints[0]'
    end = _endpoint(epath, ends[0])
    if end['bridge'] is not None:
        raise ValidationError(epath + '.bridge', end['bridge'], 'cannot end a %s link; give node and name' % kind)
    if end['node'] not in nodes:
        raise ValidationError(epath + '.node', end['node'], 'is not a node of the topology (nodes: %s)'
                              % ', '.join(sorted(nodes)))
    parent = _parent(path + '.parent', value['parent'], nodes) if value.get('parent') is not None else None
    if parent == {'node': end['node'], 'name': end['name']}:
        raise ValidationError(path + '.parent', value['parent'], 'is the link itself')
    params = dict((k, value.get(k)) for k in KIND_LINK_KEYS[kind])
    params.update(kind=kind, state='present', parent=parent['name'] if parent else None)
    if kind == 'macvlan' and params['mode'] is None:
        params['mode'] = MACVLAN_DEFAULT_MODE
    try:
        spec = desired_spec(params)
    except ValidationError as exc:
        raise _wrap(path, exc)
    if spec.get('group') is not None and parent is None:
        raise ValidationError(path + '.group', value['group'], 'needs option parent: the kernel sends a multicast '
                              'group out of one interface')
    spec.pop('parent', None)
    return {'kind': kind, 'mtu': _mtu(path + '.mtu', value.get('mtu')), 'endpoints': [end], 'parent': parent,
            'spec': spec}


class _Interfaces(object):
    """Interfaces declared per node: name clashes and subnet clashes."""

    def __init__(self):
        self.names = {}    # (node, ifname) -> path
        self.subnets = {}  # (node, network) -> (path, address)

    def add(self, node, ifname, path, addresses, address_path):
        check_ifname(path, ifname)
        if (node, ifname) in self.names:
            raise ValidationError(path, ifname, "is used twice in node '%s' (also at %s)"
                                  % (node, self.names[(node, ifname)]))
        self.names[(node, ifname)] = path
        for i, text in enumerate(addresses):
            net = ipaddress.ip_interface(text).network
            here = '%s[%d]' % (address_path, i)
            other = self.subnets.get((node, net))
            if other is not None:
                raise ValidationError(here, text, "puts subnet %s on a second interface of node '%s' (also %s "
                                      "at %s); the kernel would route it through only one of them"
                                      % (net, node, other[1], other[0]))
            self.subnets[(node, net)] = (here, text)


def _node(path, name, value, extras):
    value = _mapping(path, value)
    _known_keys(path, value, NODE_KEYS)
    kind = value.get('kind') or 'netns'
    if kind not in ('netns', 'host'):
        raise ValidationError(path + '.kind', kind, 'is not a node kind (netns, host)')
    node = {'kind': kind, 'forwarding': value.get('forwarding'), 'sysctls': {}, 'nameservers': [], 'routes': [],
            'rules': [], 'nft': []}
    if kind == 'host':
        for key in NODE_KEYS:
            if key != 'kind' and value.get(key) not in (None, [], {}):
                raise ValidationError('%s.%s' % (path, key), value[key], 'cannot be managed on a host node '
                                      '(links may end there, nothing else is managed)')
        return node
    if node['forwarding'] is not None and not isinstance(node['forwarding'], bool):
        raise ValidationError(path + '.forwarding', node['forwarding'], 'is not true or false')
    for key, sval in sorted(_mapping(path + '.sysctls', value.get('sysctls')).items()):
        dotted, text = extras.sysctl('%s.sysctls.%s' % (path, key), key, sval)
        node['sysctls'][dotted] = text
    node['nft'], needed = extras.entries(path, value)
    for key, sval in needed.items():
        node['sysctls'].setdefault(key, sval)
    for i, server in enumerate(_list(path + '.nameservers', value.get('nameservers'))):
        node['nameservers'].append(str(parse_address('%s.nameservers[%d]' % (path, i), server)))
    node['rules'] = []
    for i, rule in enumerate(_list(path + '.rules', value.get('rules'))):
        rpath = '%s.rules[%d]' % (path, i)
        rule = _mapping(rpath, rule)
        _known_keys(rpath, rule, RULE_KEYS)
        params = dict((k, v) for k, v in rule.items() if v is not None)
        if 'table' in params:
            params['table'] = extras.table(rpath + '.table', params['table'])
        from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.rules import desired_rule
        try:
            desired_rule(params, TABLE_NUMBERS)
        except ValidationError as exc:
            raise _wrap(rpath, exc)
        node['rules'].append(params)
    for i, route in enumerate(_list(path + '.routes', value.get('routes'))):
        rpath = '%s.routes[%d]' % (path, i)
        route = _mapping(rpath, route)
        _known_keys(rpath, route, ROUTE_KEYS)
        if route.get('dest') is None:
            raise ValidationError(rpath + '.dest', None, 'is required')
        params = dict((k, v) for k, v in route.items() if v is not None)
        if 'table' in params:
            params['table'] = extras.table(rpath + '.table', params['table'])
        node['routes'].append(params)
    return node


def _check(path, value, nodes, extras):
    value = _mapping(path, value)
    _known_keys(path, value, CHECK_KEYS)
    source = value.get('from')
    if source not in nodes:
        raise ValidationError(path + '.from', source, 'is not a node of the topology (nodes: %s)'
                              % ', '.join(sorted(nodes)))
    if value.get('type') not in CHECK_TYPES:
        raise ValidationError(path + '.type', value.get('type'), 'is not a check type (%s)' % ', '.join(CHECK_TYPES))
    if value.get('path') is not None:
        if value['type'] != 'traceroute' and value['type'] != 'http':
            raise ValidationError(path + '.path', value['path'], 'is only used by traceroute and http checks')
        if value['type'] == 'traceroute':
            for i, hop in enumerate(_list(path + '.path', value['path'])):
                parse_address('%s.path[%d]' % (path, i), hop)
    if value.get('expect', 'success') not in ('success', 'failure'):
        raise ValidationError(path + '.expect', value['expect'], 'is not success or failure')
    check_range(path + '.retries', value.get('retries'), 0, 100)
    check = dict((k, v) for k, v in value.items() if v is not None)
    extras.check(path, check)
    return check


def _wrap(path, exc):
    """A ValidationError of a shared planner, re-raised with the document path."""
    option = exc.option if exc.option.startswith(path) else '%s.%s' % (path, exc.option)
    return ValidationError(option, exc.value, exc.reason)


def expand(document, prefix, extras):
    """Validate a user document and return its canonical form (JSON-safe).

    The canonical form has every shorthand written out, bridge ports named,
    tables as numbers and the same keys everywhere, so the module and the
    diagram never guess. EXTRAS checks what belongs to other layers: sysctl
    keys, table names, the masquerade/dnat/firewall entries and the probe
    options of the validate checks
    (_engines.topology_nft.Extras; use its expand_document()).
    """
    document = _mapping('topology', document)
    _known_keys('topology', document, ('nodes', 'bridges', 'links', 'validate'))
    raw_nodes = _mapping('nodes', document.get('nodes'))
    if not raw_nodes:
        raise ValidationError('nodes', document.get('nodes'), 'is required and must name at least one node')
    nodes = {}
    for name, value in raw_nodes.items():
        name = str(name)
        if prefix is not None:
            check_netns_name('nodes.%s' % name, prefix + name)
        nodes[name] = _node('nodes.%s' % name, name, value, extras)
    hosts = [n for n, v in nodes.items() if v['kind'] == 'host']
    if len(hosts) > 1:
        raise ValidationError('nodes.%s.kind' % hosts[1], 'host', 'is given twice (also %s); there is one host' % hosts[0])
    ifaces = _Interfaces()
    bridges = {}
    for name, value in _mapping('bridges', document.get('bridges')).items():
        path = 'bridges.%s' % name
        value = _mapping(path, value)
        _known_keys(path, value, BRIDGE_KEYS)
        node = value.get('node')
        if node not in nodes:
            raise ValidationError(path + '.node', node, 'is not a node of the topology (nodes: %s)'
                                  % ', '.join(sorted(nodes)))
        address = _addresses(path + '.address', value.get('address'))
        ifaces.add(node, name, path, address, path + '.address')
        stp = value.get('stp', False)
        if not isinstance(stp, bool):
            raise ValidationError(path + '.stp', stp, 'is not true or false')
        bridges[name] = {'node': node, 'address': address, 'stp': stp, 'mtu': _mtu(path + '.mtu', value.get('mtu'))}
    links, parents = [], []
    for i, value in enumerate(_list('links', document.get('links'))):
        path = 'links[%d]' % i
        value = _mapping(path, value)
        kind = value.get('kind', 'veth')
        if kind not in LINK_KINDS:
            raise ValidationError(path + '.kind', kind, 'is not a link kind of a topology (%s); use '
                                  'linuxnet.plumbing.link for others' % ', '.join(LINK_KINDS))
        if kind != 'veth':
            link = _kind_link(path, value, kind, nodes)
            end = link['endpoints'][0]
            ifaces.add(end['node'], end['name'], path + '.endpoints[0].name', end['address'],
                       path + '.endpoints[0].address')
            if link['parent'] is not None:
                parents.append((path + '.parent', link['parent']))
            links.append(link)
            continue
        _known_keys(path, value, LINK_KEYS)
        ends = _list(path + '.endpoints', value.get('endpoints'))
        if len(ends) != 2:
            raise ValidationError(path + '.endpoints', value.get('endpoints'), 'must list exactly two endpoints')
        ends = [_endpoint('%s.endpoints[%d]' % (path, j), e) for j, e in enumerate(ends)]
        if ends[0]['bridge'] is not None and ends[1]['bridge'] is not None:
            raise ValidationError(path + '.endpoints', value['endpoints'], 'joins two bridges; give one end a node')
        for j, end in enumerate(ends):
            epath = '%s.endpoints[%d]' % (path, j)
            if end['bridge'] is not None:
                if end['bridge'] not in bridges:
                    raise ValidationError(epath + '.bridge', end['bridge'], 'is not a bridge of the topology '
                                          '(bridges: %s)' % (', '.join(sorted(bridges)) or 'none'))
                other = ends[1 - j]
                end['node'] = bridges[end['bridge']]['node']
                if end['name'] is None:
                    end['name'] = bridge_port_name(end['bridge'], other['node'], other['name'])
            elif end['node'] not in nodes:
                raise ValidationError(epath + '.node', end['node'], 'is not a node of the topology (nodes: %s)'
                                      % ', '.join(sorted(nodes)))
            ifaces.add(end['node'], end['name'], epath + '.name', end['address'], epath + '.address')
        links.append({'kind': 'veth', 'mtu': _mtu(path + '.mtu', value.get('mtu')), 'endpoints': ends})
    for path, parent in parents:
        # A parent outside the document can only be one of the host's own
        # interfaces (the topology does not look into namespaces it does not
        # declare); the module checks on the target that it exists.
        if nodes[parent['node']]['kind'] != 'host' and (parent['node'], parent['name']) not in ifaces.names:
            raise ValidationError(path + '.name', parent['name'], "is not an interface the topology declares in "
                                  "node '%s' (only a parent in the host node may be one it does not declare)"
                                  % parent['node'])
    doc = {'nodes': nodes, 'bridges': bridges, 'links': links, 'validate': []}
    _check_routes(doc)
    for i, value in enumerate(_list('validate', document.get('validate'))):
        doc['validate'].append(_check('validate[%d]' % i, value, nodes, extras))
    return doc


def node_interfaces(doc, node):
    """{ifname: [addresses]} declared in NODE (bridges, link ends, ports)."""
    out = {}
    for name, bridge in doc['bridges'].items():
        if bridge['node'] == node:
            out[name] = list(bridge['address'])
    for link in doc['links']:
        for end in link['endpoints']:
            if end['node'] == node:
                out[end['name']] = list(end['address'])
    return out


def route_table(path, value):
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import MAIN_TABLE
    return MAIN_TABLE if value is None else int(value)


def desired_rules(doc, node):
    """The node's rules as canonical rules (_rules), in document order."""
    if not doc['nodes'][node].get('rules'):
        return []
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.rules import desired_rule
    return [desired_rule(params, TABLE_NUMBERS) for params in doc['nodes'][node].get('rules') or []]


def desired_routes(doc, node):
    """[(path, canonical route, resolved)] of NODE, checked against the
    interfaces and subnets the document gives it (not the kernel's)."""
    if not doc['nodes'][node]['routes']:
        return []
    # The route planner is imported by topologies with routes only (see
    # _engines.topology_nft.entry_engine for why imports are counted).
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import Namespace, desired_route
    ifaces = node_interfaces(doc, node)
    index = dict((name, i) for i, name in enumerate(sorted(ifaces), 2))
    addresses = [{'index': index[name], 'address': a, 'family': ipaddress.ip_interface(a).version}
                 for name, addrs in ifaces.items() for a in addrs]
    ns = Namespace(index, addresses, [], name=node)
    out = []
    for i, params in enumerate(doc['nodes'][node]['routes']):
        path = 'nodes.%s.routes[%d]' % (node, i)
        table = route_table(path + '.table', params.get('table'))
        try:
            route, resolved = desired_route(params, table, ns)
        except ValidationError as exc:
            raise _wrap(path, exc)
        out.append((path, route, resolved))
    return out


def _check_routes(doc):
    for node, value in doc['nodes'].items():
        if value['kind'] == 'netns':
            desired_routes(doc, node)


def netns_names(doc, prefix):
    """{node: namespace name}; None for the host node (the module's own)."""
    return dict((n, None if v['kind'] == 'host' else prefix + n) for n, v in doc['nodes'].items())


def node_sysctls(node):
    out = dict(node['sysctls'])
    if node['forwarding'] is not None:
        for key in FORWARDING_KEYS:
            out.setdefault(key, '1' if node['forwarding'] else '0')
    return out


def resolv_conf_text(servers):
    return ''.join('nameserver %s\n' % s for s in servers)
