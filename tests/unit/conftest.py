# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.linuxnet.plumbing`` importable for plain pytest.

The checkout is the collection root; ``collections/ansible_collections/linuxnet/plumbing``
is a committed symlink back to it, so putting ``collections/`` first on
``sys.path`` lets unit tests import the code as
``ansible_collections.linuxnet.plumbing.plugins...`` without installing
anything (``.venv/bin/python -m pytest tests/unit``). Under ``ansible-test
units`` the collection already sits in a real ``ansible_collections`` tree and
is importable, so nothing is changed there.
"""

from __future__ import absolute_import, division, print_function

import os
import sys

__metaclass__ = type

_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_COLLECTIONS = os.path.join(_REPO_ROOT, "collections")


def _collection_importable():
    try:
        # pylint: disable-next=import-outside-toplevel,unused-import
        import ansible_collections.linuxnet.plumbing.plugins.module_utils  # noqa: F401
    except ImportError:
        return False
    return True


if not _collection_importable() and os.path.isdir(os.path.join(_COLLECTIONS, "ansible_collections")):
    sys.path.insert(0, _COLLECTIONS)
    for _name in [m for m in sys.modules if m == "ansible_collections" or m.startswith("ansible_collections.")]:
        del sys.modules[_name]
