# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter of the linuxnet.plumbing.interface_watch role: the watcher's
settings, validated by the same code the watcher runs on the host
(module_utils/_plan/interface_watch.py), so that a bad value is refused before
anything is installed, naming the role variable and the value."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.interface_watch import (
    ConfigError,
    load_config,
)


def interface_watch_config(settings):
    """settings (keys of the watcher's config) -> the validated config."""
    try:
        return load_config(dict(settings), prefix='interface_watch_')
    except ConfigError as exc:
        raise AnsibleFilterError('interface_watch: %s' % exc)


class FilterModule(object):
    """interface_watch role filters."""

    def filters(self):
        return {'interface_watch_config': interface_watch_config}
