# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where does the connection Ansible uses come from? Shared by the fleet roles
that change routes (route_metric, policy_routes): the filter
linuxnet.plumbing.management_connection and the policy_routes_fix module.

Pure logic, unit-tested in tests/unit/plugins/filter/test_management.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Connection plugins (short names) that do not reach the host over its own
# network: a route change cannot cut them.
LOCAL_CONNECTIONS = frozenset(['local', 'podman', 'docker', 'docker_api', 'nsenter', 'netns', 'chroot', 'lxc',
                               'lxd', 'incus', 'buildah', 'jail', 'zone'])


def management_connection(explicit, connection, ssh_connection, variable):
    """The management connection of a host, as far as it can be known.

    explicit:       the role's management address variable ('' = find it,
                    'none' = nothing to protect, else the controller address)
    connection:     ansible_connection (FQCN or short name)
    ssh_connection: the host's SSH_CONNECTION ('CLIENT CPORT SERVER SPORT')
    variable:       the variable's name, for the notes

    Returns {address, source, known, note}: address is the controller as the
    host sees it, source the host's own address of the connection ('' when
    unknown); known is false when routes must not be changed for lack of it.
    """
    explicit = (explicit or '').strip()
    short = (connection or 'ssh').split('.')[-1]
    ssh = (ssh_connection or '').split()
    if explicit == 'none':
        return dict(address='', source='', known=True,
                    note='no management connection to protect (%s=none)' % variable)
    if explicit:
        return dict(address=explicit, source='', known=True, note='')
    if short in LOCAL_CONNECTIONS:
        return dict(address='', source='', known=True,
                    note='no management connection to protect (connection %s does not use the network)' % short)
    if ssh:
        return dict(address=ssh[0], source=ssh[2] if len(ssh) > 2 else '', known=True, note='')
    return dict(address='', source='', known=False,
                note='the management connection address is unknown (no SSH_CONNECTION); set %s' % variable)
