# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors every layer may raise; run_module() turns them into fail_json.

They live in the core, below everything else, so the system layer and the
engines can raise them without depending on the module framework.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleFailure(Exception):
    """A failure with a message for the user (and optional extra result keys)."""

    def __init__(self, msg, **kwargs):
        super(ModuleFailure, self).__init__(msg)
        self.msg = msg
        self.kwargs = kwargs


class NamespaceError(Exception):
    """A namespace that is missing or cannot be entered."""
