# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import the parts of pyroute2 a module uses, not the whole library.

pyroute2's package ``__init__`` imports every protocol it speaks (NDB with
sqlite, IPDB, ethtool, nl80211, devlink, ipvs, plan9...): about 160 modules,
which every module call would pay although it only talks rtnetlink. Importing
``pyroute2.iproute.linux`` does not avoid it, because Python runs a package's
``__init__`` before any of its submodules.

``bare_package()`` registers pyroute2 as a package whose ``__init__`` has not
run, so that submodules load on their own. Code elsewhere in the same process
that asks the package for one of its exports (``from pyroute2 import
IPRoute``) still gets it: the first such lookup runs the real ``__init__``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import sys

try:
    import importlib.util as _util
except ImportError:  # pragma: no cover - Python 2 has no importlib.util
    _util = None

PACKAGE = 'pyroute2'


def bare_package():
    """Register pyroute2 without running its __init__; False when it cannot be."""
    if PACKAGE in sys.modules:
        return False
    if _util is None:
        return False
    spec = _util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations or spec.loader is None:
        return False
    package = _util.module_from_spec(spec)
    state = {'loaded': False}

    def __getattr__(name):  # PEP 562: only called for names the package lacks
        if name.startswith('__'):
            raise AttributeError(name)
        # `from pyroute2 import config` asks the package first: a submodule is
        # imported on its own, without the whole library.
        if _util.find_spec(PACKAGE + '.' + name) is not None:
            return importlib.import_module(PACKAGE + '.' + name)
        if not state['loaded']:
            state['loaded'] = True
            spec.loader.exec_module(package)
            if name in package.__dict__:
                return package.__dict__[name]
        raise AttributeError("module 'pyroute2' has no attribute %r" % name)

    package.__getattr__ = __getattr__
    sys.modules[PACKAGE] = package
    return True
