# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running nft: the only place the collection starts the nft process.

nft runs as a child with an argument list, spawned while the thread is inside
the target namespace (the child inherits the namespace of the thread). What
goes to it is JSON on stdin; user input never becomes nft syntax.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import subprocess

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import entered

NFT_MISSING = ('the nft command was not found; install the nftables package '
               '(apt-get install nftables / dnf install nftables)')
NFT_SEARCH_PATH = ('/usr/sbin', '/sbin', '/usr/bin', '/bin', '/usr/local/sbin', '/usr/local/bin')


class NftError(ModuleFailure):
    """nft failed (or is missing); the message is nft's own.

    A ModuleFailure, so run_module() turns it into fail_json(msg=...).
    """

    def __init__(self, msg, **kwargs):
        super(NftError, self).__init__(msg, **kwargs)


def find_nft():
    """The path of the nft binary, or None."""
    dirs = os.environ.get('PATH', '').split(os.pathsep) + list(NFT_SEARCH_PATH)
    for d in dirs:
        if not d:
            continue
        path = os.path.join(d, 'nft')
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def nft_available():
    return find_nft() is not None


def require_nft(module):
    """fail_json (like missing_required_lib) when nft is not installed."""
    if not nft_available():
        module.fail_json(msg=NFT_MISSING)


def run_nft(netns, args, stdin=None):
    """Run nft ARGS inside NETNS; returns (rc, stdout, stderr) as text."""
    path = find_nft()
    if path is None:
        raise NftError(NFT_MISSING)
    with entered(netns):
        try:
            proc = subprocess.Popen([path] + list(args), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                raise NftError(NFT_MISSING)
            raise NftError('cannot run %s: %s' % (path, exc))
        out, err = proc.communicate(stdin.encode('utf-8') if stdin is not None else None)
    return proc.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')
