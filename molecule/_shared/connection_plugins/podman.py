# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The podman connection of containers.podman, with pipelining, for our molecule runs.

molecule's podman driver names the connection ``podman`` in the inventory it
writes; molecule/_shared/config.yml puts this directory first on the connection
plugin path, so the scenarios get this subclass under that name.

Why: containers.podman's connection runs a module in four podman processes
(``podman mount``, then ``podman exec`` for mkdir, python and rm -rf), and on a
loaded machine each ``podman exec`` costs seconds (conmon and runc per call).
It cannot pipeline because it never passes ``--interactive``, so podman drops
the module fed on stdin. With ``-i`` it pipelines: one ``podman exec`` per
module, no temporary directory, and files still go through ``podman cp``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
    name: podman
    short_description: containers.podman's podman connection, with pipelining (molecule runs only)
    description:
      - Runs modules in an existing podman container with one C(podman exec --interactive) each.
    author: linuxnet.plumbing contributors
    extends_documentation_fragment:
      - connection_pipelining
    options:
      remote_addr:
        description: The ID of the container.
        default: inventory_hostname
        vars:
          - name: ansible_host
          - name: inventory_hostname
          - name: ansible_podman_host
      remote_user:
        description: User to run commands as inside the container.
        ini:
          - section: defaults
            key: remote_user
        env:
          - name: ANSIBLE_REMOTE_USER
        vars:
          - name: ansible_user
      podman_extra_args:
        description: Extra arguments to pass to the podman command line.
        default: ''
        vars:
          - name: ansible_podman_extra_args
        env:
          - name: ANSIBLE_PODMAN_EXTRA_ARGS
      podman_executable:
        description: Executable for podman command.
        default: podman
        vars:
          - name: ansible_podman_executable
        env:
          - name: ANSIBLE_PODMAN_EXECUTABLE
"""

import shlex

from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.connection import ConnectionBase, ensure_connect
from ansible_collections.containers.podman.plugins.connection.podman import Connection as PodmanConnection


class Connection(PodmanConnection):
    """containers.podman's connection, pipelined, without the per-task mount."""

    has_pipelining = True

    def _connect(self):
        # No `podman mount` per task: files go through `podman cp` instead, and
        # with pipelining most tasks send none.
        ConnectionBase._connect(self)  # pylint: disable=protected-access
        self._connected = True

    @ensure_connect
    def exec_command(self, cmd, in_data=None, sudoable=False):
        ConnectionBase.exec_command(self, cmd, in_data=in_data, sudoable=sudoable)
        args = ['exec']
        if in_data is not None:
            args.append('--interactive')
        if self.user:
            args.extend(('--user', self.user))
        return self._podman(args, shlex.split(to_native(cmd, errors='surrogate_or_strict')), in_data)
