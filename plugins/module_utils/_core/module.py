# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options every module shares, and one way to run a module body.

Pairs with the ``linuxnet.plumbing.netns`` doc fragment.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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
    """Call body(module) -> result dict; turn known errors into fail_json."""
    try:
        result = body(module)
    except ValidationError as exc:
        module.fail_json(msg=str(exc), option=exc.option, value=exc.value)
    except NamespaceError as exc:
        module.fail_json(msg=str(exc))
    except ModuleFailure as exc:
        module.fail_json(msg=exc.msg, **exc.kwargs)
    except Exception as exc:  # pylint: disable=broad-except
        # pyroute2's NetlinkError is imported lazily; recognise it by name.
        if type(exc).__name__ == 'NetlinkError':
            module.fail_json(msg='the kernel refused the change: %s' % netlink_error_text(exc))
        raise
    module.exit_json(**result)
