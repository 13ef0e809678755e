# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options every module shares, and one way to run a module body.

Pairs with the ``linuxnet.plumbing.netns`` doc fragment.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.deps import require_pyroute2
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import (  # noqa: F401, pylint: disable=unused-import
    ModuleFailure,
    NamespaceError,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_netns_name,
)

NETNS_ARGUMENT_SPEC = dict(
    netns=dict(type='str'),
)


def netns_argument_spec(**spec):
    """The module's own options plus the shared ``netns`` option."""
    merged = dict(NETNS_ARGUMENT_SPEC)
    merged.update(spec)
    return merged


def netlink_error_text(exc):
    """pyroute2's NetlinkError carries (errno, text); make that one sentence."""
    code = getattr(exc, 'code', None)
    text = exc.args[1] if len(getattr(exc, 'args', ())) > 1 else str(exc)
    return '%s (errno %s)' % (text, code) if code is not None else str(exc)


PERMISSION_ERRNOS = (errno.EPERM, errno.EACCES)


def permission_errno(exc):
    """EPERM/EACCES carried by an exception or by the one it was raised from
    (pyroute2's NetlinkError has it in .code, OSError in .errno, a
    ModuleFailure in its errno result key or, for a tool's refusal such as
    nft's, in its text), else None."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, ModuleFailure):
            code = exc.kwargs.get('errno')
            if code is None and os.strerror(errno.EPERM) in exc.msg:
                code = errno.EPERM
        elif type(exc).__name__ == 'NetlinkError':
            code = getattr(exc, 'code', None)
        else:
            code = getattr(exc, 'errno', None)
        if code in PERMISSION_ERRNOS:
            return code
        exc = getattr(exc, '__cause__', None) or getattr(exc, '__context__', None)
        seen += 1
    return None


def root_needed_message(module_name, detail):
    """The one line a user sees when the kernel refuses a module run without root."""
    return '%s needs root (become: true): %s' % (module_name, ' '.join(str(detail).split()))


def new_module(argument_spec, needs_pyroute2=True, with_netns=True, **kwargs):
    """AnsibleModule with the shared options, the dependency check and a
    validated ``netns`` — all before the module body can touch anything.

    with_netns=False is for modules whose subject is the namespace itself.
    """
    spec = netns_argument_spec(**argument_spec) if with_netns else argument_spec
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
    if needs_pyroute2:
        require_pyroute2(module)
    if with_netns and module.params.get('netns') == '':
        module.params['netns'] = None  # '' spells "the namespace the module runs in"
    try:
        check_netns_name('netns', module.params.get('netns'))
    except ValidationError as exc:
        module.fail_json(msg=str(exc))
    return module


def run_module(module, body):
    """Call body(module) -> result dict; turn known errors into fail_json.

    A permission error in a module run by a user other than root becomes one
    line saying that root (become) is needed, whatever raised it."""
    try:
        result = body(module)
    except Exception as exc:  # pylint: disable=broad-except
        if permission_errno(exc) is None or os.geteuid() == 0:
            _fail_known(module, exc)
            raise
        detail = exc.msg if isinstance(exc, ModuleFailure) else (
            netlink_error_text(exc) if type(exc).__name__ == 'NetlinkError' else exc)
        module.fail_json(msg=root_needed_message(getattr(module, '_name', 'this module'), detail))
    module.exit_json(**result)


def _fail_known(module, exc):
    """fail_json for the errors a module body raises on purpose; returns for others."""
    if isinstance(exc, ValidationError):
        module.fail_json(msg=str(exc), option=exc.option, value=exc.value)
    if isinstance(exc, (NamespaceError, ModuleFailure)):
        module.fail_json(msg=exc.msg if isinstance(exc, ModuleFailure) else str(exc),
                         **(exc.kwargs if isinstance(exc, ModuleFailure) else {}))
    # pyroute2's NetlinkError is imported lazily; recognise it by name.
    if type(exc).__name__ == 'NetlinkError':
        module.fail_json(msg='the kernel refused the change: %s' % netlink_error_text(exc))
