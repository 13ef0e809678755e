# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether optional libraries are installed, and the message when they are not.

Looked up with importlib (no import): only the system layer imports pyroute2,
and a module that never needs it does not pay for loading it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util

from ansible.module_utils.basic import missing_required_lib

PYROUTE2_HINT = ('Install it on the managed host: "apt-get install python3-pyroute2" (Debian/Ubuntu), '
                 '"dnf install python3-pyroute2" (Fedora/RHEL) or "pip install pyroute2" into the '
                 'Python that runs the module (pyroute2 0.7 or newer).')


def has_library(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def require_pyroute2(module):
    if not has_library('pyroute2'):
        module.fail_json(msg=missing_required_lib('pyroute2', reason=PYROUTE2_HINT))
