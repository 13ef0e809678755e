# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Socket helpers shared by the probe types (_probe.py and the DNS client in _dns.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import socket


def error_text(exc):
    """A socket error as the lower-case phrase the probes put into their messages."""
    if isinstance(exc, socket.timeout):
        return 'timed out'
    code = getattr(exc, 'errno', None)
    if code == errno.ECONNREFUSED:
        return 'connection refused'
    if code:
        text = os.strerror(code)
        return text[:1].lower() + text[1:]
    return str(exc)
