# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Optional imports, and the message a user sees when they are missing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import missing_required_lib

try:
    import pyroute2  # noqa: F401, pylint: disable=unused-import
except ImportError:
    HAS_PYROUTE2 = False
    PYROUTE2_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_PYROUTE2 = True
    PYROUTE2_IMPORT_ERROR = None

PYROUTE2_HINT = ('Install it on the managed host: "apt-get install python3-pyroute2" (Debian/Ubuntu), '
                 '"dnf install python3-pyroute2" (Fedora/RHEL) or "pip install pyroute2" into the '
                 'Python that runs the module (pyroute2 0.7 or newer).')


def require_pyroute2(module):
    if not HAS_PYROUTE2:
        module.fail_json(msg=missing_required_lib('pyroute2', reason=PYROUTE2_HINT),
                         exception=PYROUTE2_IMPORT_ERROR)
