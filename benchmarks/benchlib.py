# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the benchmark scripts share: running a command and timing a step."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import subprocess  # argument lists only; the benchmarks are not part of the collection's plugins
import time


def run(argv, stdin=None, env=None, check=True):
    """The command's output (stdout and stderr); RuntimeError with its end when it fails and CHECK."""
    proc = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          env=env, universal_newlines=True, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError('%s failed (%d):\n%s' % (' '.join(argv), proc.returncode, proc.stdout[-3000:]))
    return proc.stdout


def timed(func, *args):
    """Wall seconds of func(*args)."""
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start
