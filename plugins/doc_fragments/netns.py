# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The option every module that touches a namespace shares.
    DOCUMENTATION = r'''
options:
  netns:
    description:
      - Name of the network namespace to act in, as listed by C(ip netns list) (a bind mount under C(/run/netns/)).
      - When omitted or empty, the module acts in the network namespace the module process runs in
        (the host's own, unless Ansible itself runs inside a namespace, for example through the
        P(linuxnet.plumbing.netns#connection) connection plugin).
      - The namespace must exist; this module never creates it as a side effect of reading.
        Use M(linuxnet.plumbing.netns) to create it.
      - A name containing C(/), C(..) or NUL is refused.
    type: str
requirements:
  - pyroute2 0.7 or newer on the managed host (C(apt-get install python3-pyroute2) or C(pip install pyroute2))
  - root (or CAP_NET_ADMIN and CAP_SYS_ADMIN) on the managed host
'''

    # For modules that support check and diff mode fully.
    ATTRIBUTES = r'''
attributes:
  check_mode:
    support: full
    description: Check mode computes the same plan as a real run and reports it without applying it.
  diff_mode:
    support: full
    description: The diff shows the state before and after as dictionaries.
  idempotent:
    support: full
    description: A second run with the same options reports C(changed=false).
'''
