# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology module loads pyroute2 only for what needs it (routes, rules,
links between hosts): its import costs more than a no-op run of a star of
hundreds of namespaces, which reads links and addresses on raw sockets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

COLLECTIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'collections')

PROBE = (
    "import sys\n"
    "import ansible_collections.linuxnet.plumbing.plugins.modules.topology\n"
    "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyroute2', 'asyncio')))\n"
)


def test_importing_the_topology_module_leaves_pyroute2_out():
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([os.path.abspath(COLLECTIONS)] + sys.path)
    out = subprocess.run([sys.executable, '-c', PROBE], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         check=True, universal_newlines=True)
    assert out.stdout.strip() == '[]', out.stdout
