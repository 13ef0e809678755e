# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter python_bundle: a Python program and the collection's module_utils it
imports, as the text of one self-contained program.

Programs that run on a managed host outside Ansible (the interface_watch
role's watcher, the netlink event source run by the netlink_monitor lab) import
the collection's pure module_utils. Copying those files one by one costs a
module call each; the bundle is one file (or one stdin), and the host needs
nothing of the collection. The module_utils are read from this collection at
the time the filter runs, so the program runs exactly the code the modules and
roles of the same collection run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os

from ansible.errors import AnsibleFilterError

PREFIX = 'ansible_collections.linuxnet.plumbing.plugins.module_utils'
MODULE_UTILS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'module_utils')

# The bundle's own code: it serves the embedded modules from memory (a
# meta-path importer ahead of the file system, so a collection installed on
# the host cannot shadow them), puts their text where tracebacks look
# (linecache), then runs the program as __main__.
RUNNER = '''

class BundleImporter(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):  # pylint: disable=unused-argument
        if name in MODULES or name in PACKAGES:
            return importlib.util.spec_from_loader(name, self, is_package=name in PACKAGES)
        return None

    def create_module(self, spec):  # pylint: disable=unused-argument
        return None

    def exec_module(self, module):
        if module.__name__ in PACKAGES:
            module.__path__ = []
        if module.__name__ in MODULES:
            exec(compile(source(module.__name__), filename(module.__name__), 'exec'), module.__dict__)


def filename(name):
    return name.replace('.', '/') + '.py'


def source(name):
    return ''.join(line + '\\n' for line in MODULES[name])


def run():
    for name in MODULES:
        text = source(name)
        linecache.cache[filename(name)] = (len(text), None, text.splitlines(True), filename(name))
    text = ''.join(line + '\\n' for line in MAIN)
    linecache.cache[MAIN_NAME] = (len(text), None, text.splitlines(True), MAIN_NAME)
    sys.meta_path.insert(0, BundleImporter())
    # the interpreter's own report of an uncaught error reads lines from files only
    sys.excepthook = traceback.print_exception
    scope = {'__name__': '__main__', '__file__': globals().get('__file__'), '__builtins__': __builtins__}
    exec(compile(text, MAIN_NAME, 'exec'), scope)


run()
'''


def _module_path(name):
    """A dotted name under module_utils -> (file, is_package), or None."""
    rel = name[len(PREFIX):].lstrip('.').split('.') if name.startswith(PREFIX) else None
    if rel is None:
        return None
    base = os.path.join(MODULE_UTILS, *[p for p in rel if p])
    if os.path.isfile(base + '.py'):
        return base + '.py', False
    if os.path.isfile(os.path.join(base, '__init__.py')):
        return os.path.join(base, '__init__.py'), True
    return None


def _imported(text, where):
    """The module_utils names a source imports, each with whether it must be a
    module: import statements, and names written out as strings (what
    importlib.import_module is given)."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise AnsibleFilterError('python_bundle: %s is not valid Python: %s' % (where, exc))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend((alias.name, True) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append((node.module, True))
            # `from ..._plan import routes` may name a module rather than an attribute
            names.extend(('%s.%s' % (node.module, alias.name), False) for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(PREFIX + '.'):
            names.append((node.value, True))
    return [(n, must) for n, must in names if n == PREFIX or n.startswith(PREFIX + '.')]


def _modules(text, name):
    """{dotted name: (source, is_package)} of every module_utils module the
    program needs, following their own imports."""
    found = {}
    todo = [(n, must, name) for n, must in _imported(text, name)]
    while todo:
        dotted, must, where = todo.pop()
        if dotted in found:
            continue
        path = _module_path(dotted)
        if path is None:
            if not must:
                continue  # `from X import name`: an attribute of X
            raise AnsibleFilterError('python_bundle: %s imports %s, which is not a module of linuxnet.plumbing'
                                     % (where, dotted))
        with open(path[0]) as handle:
            found[dotted] = (handle.read(), path[1])
        todo.extend((n, must, dotted) for n, must in _imported(found[dotted][0], dotted))
    return found


def _lines(text):
    """A source as a list literal of its lines: safe for any text, and a
    change shows as changed lines in a diff."""
    lines = text.split('\n')
    if lines[-1] == '':
        lines.pop()
    return '[\n' + ''.join('    %r,\n' % line for line in lines) + ']'


# One controller process templates the same bundle several times (a loop, a
# role run per host): the module_utils are parsed once per program text.
_CACHE = {}


def python_bundle(text, name='main.py'):
    """The program `text` (its file name `name`, for messages and tracebacks)
    with the linuxnet.plumbing module_utils it imports -> one program's text."""
    if not isinstance(text, str) or not text.strip():
        raise AnsibleFilterError('python_bundle: the input must be the text of a Python program, got %s'
                                 % ('an empty text' if isinstance(text, str) else type(text).__name__))
    if not isinstance(name, str) or not name.strip() or '\n' in name:
        raise AnsibleFilterError('python_bundle: name must be a file name, got %r' % (name,))
    # plain str: Ansible's tagged strings would not repr as literals
    text, name = '%s' % text, '%s' % name
    if (text, name) not in _CACHE:
        _CACHE[(text, name)] = _bundle(text, name)
    return _CACHE[(text, name)]


def _bundle(text, name):
    modules = _modules(text, name)
    packages = set()
    for dotted, (dummy, is_package) in modules.items():
        parts = dotted.split('.')
        packages.update('.'.join(parts[:i]) for i in range(1, len(parts)))
        if is_package:
            packages.add(dotted)
    out = ['# -*- coding: utf-8 -*-',
           '# %s with the linuxnet.plumbing module_utils it imports, as one program' % name,
           '# (filter linuxnet.plumbing.python_bundle). Generated: change the sources, not this file.',
           'import importlib.abc',
           'import importlib.util',
           'import linecache',
           'import sys',
           'import traceback',
           '',
           'MAIN_NAME = %r' % name,
           'MODULES = {']
    for dotted in sorted(modules):
        out.append('    %r: %s,' % (dotted, _lines(modules[dotted][0]).replace('\n', '\n    ')))
    out.append('}')
    out.append('PACKAGES = frozenset(%r)' % sorted(packages))
    out.append('MAIN = %s' % _lines(text))
    return '\n'.join(out) + RUNNER


class FilterModule(object):
    """python_bundle filter."""

    def filters(self):
        return {'python_bundle': python_bundle}
