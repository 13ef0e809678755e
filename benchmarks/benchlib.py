# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the benchmark scripts share: running a command and timing a step."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess  # argument lists only; the benchmarks are not part of the collection's plugins
import sys
import textwrap
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


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Ansible's own cost of one module task: the floor every figure is read against.
FLOOR_PLAYBOOK = textwrap.dedent('''\
    - name: Floor
      hosts: localhost
      gather_facts: false
      tasks:
        - name: One module task
          ansible.builtin.ping:
    ''')


def ansible_playbook(path, extra=None):
    """Run the venv's ansible-playbook on PATH with the repository's ansible.cfg; EXTRA are -e variables."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'))
    argv = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), path]
    for key, value in (extra or {}).items():
        argv += ['-e', '%s=%s' % (key, value)]
    return run(argv, env=env)
