# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layering of plugins/ (docs/DEVELOPING.md, "Layers"), read from the source.

Every import is found with the ast module, including imports inside functions,
so a lazy ``from pyroute2 import ...`` counts as much as one at the top.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os

import pytest

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))
PLUGINS = os.path.join(ROOT, 'plugins')
MODULE_UTILS = os.path.join(PLUGINS, 'module_utils')
PREFIX = 'ansible_collections.linuxnet.plumbing.plugins.module_utils.'
KERNEL_DOORS = ('ctypes', 'pyroute2', 'subprocess')
LAYERS = ('_core', '_system', '_plan', '_engines')
# What each layer may import of the others (its own layer always).
ALLOWED = {
    '_core': (),
    '_system': ('_core',),
    '_plan': ('_core',),
    '_engines': ('_core', '_system', '_plan'),
}


def python_files(top):
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d != '__pycache__']
        for name in sorted(filenames):
            if name.endswith('.py'):
                yield os.path.join(dirpath, name)


def imports(path):
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            for alias in node.names:
                yield '%s.%s' % (node.module, alias.name)


def rel(path):
    return os.path.relpath(path, ROOT)


def layer_of(path):
    parts = os.path.relpath(path, MODULE_UTILS).split(os.sep)
    return parts[0] if parts[0] in LAYERS else None


def test_every_module_util_lives_in_a_layer():
    stray = [rel(p) for p in python_files(MODULE_UTILS)
             if layer_of(p) is None and os.path.basename(p) != '__init__.py']
    assert stray == []


@pytest.mark.parametrize('path', list(python_files(PLUGINS)), ids=rel)
def test_only_the_system_layer_opens_a_door_to_the_kernel(path):
    allowed = ()
    if layer_of(path) == '_system':
        allowed = KERNEL_DOORS
    elif rel(path).startswith(os.path.join('plugins', 'connection') + os.sep):
        # A connection plugin's job is to start processes; its namespace entry
        # (setns in the child before exec) comes from _system.netns.
        allowed = ('subprocess',)
    used = sorted(set(name.split('.')[0] for name in imports(path)) & set(KERNEL_DOORS))
    assert [name for name in used if name not in allowed] == []


@pytest.mark.parametrize('path', [p for p in python_files(MODULE_UTILS) if layer_of(p)], ids=rel)
def test_layers_import_only_downwards(path):
    own = layer_of(path)
    wrong = set()
    for name in imports(path):
        if name.startswith(PREFIX):
            target = name[len(PREFIX):].split('.')[0]
            if target != own and target not in ALLOWED[own]:
                wrong.add(name)
    assert sorted(wrong) == []


@pytest.mark.parametrize('path', list(python_files(os.path.join(PLUGINS, 'modules'))), ids=rel)
def test_modules_use_the_netlink_client_not_pyroute2(path):
    with open(path) as handle:
        source = handle.read()
    assert '.ipr.' not in source and '.ipr)' not in source
