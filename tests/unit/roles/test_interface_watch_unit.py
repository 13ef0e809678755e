# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The interface_watch role's systemd unit (templates/interface-watch.service.j2):
the test machines run no systemd, so the unit is rendered here and checked
for its content and with `systemd-analyze verify` (offline: it parses the
unit and checks that ExecStart's program exists)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess

import jinja2
import pytest

ROLE = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'interface_watch')


def render(tmp_path):
    with open(os.path.join(ROLE, 'templates', 'interface-watch.service.j2')) as handle:
        template = jinja2.Template(handle.read(), keep_trailing_newline=True)
    program = os.path.abspath(os.path.join(ROLE, 'files', 'interface_watch.py'))
    text = template.render(ansible_managed='Ansible managed', interface_watch_instance='eni',
                           interface_watch_python='/usr/bin/python3', interface_watch_program=program,
                           interface_watch_config_file=str(tmp_path / 'eni.json'))
    unit = tmp_path / 'linuxnet-interface-watch-eni.service'
    unit.write_text(text)
    return unit, program


def test_unit_content(tmp_path):
    unit, program = render(tmp_path)
    lines = unit.read_text().splitlines()
    assert 'ExecStart=/usr/bin/python3 %s run --config %s' % (program, tmp_path / 'eni.json') in lines
    assert 'Restart=always' in lines and 'Type=simple' in lines
    assert 'WantedBy=multi-user.target' in lines
    # no daemon options: systemd supervises the process itself
    assert not any('--daemon' in line or '--pidfile' in line for line in lines)


@pytest.mark.skipif(shutil.which('systemd-analyze') is None, reason='systemd-analyze is not installed')
def test_systemd_analyze_verify(tmp_path):
    unit, dummy = render(tmp_path)
    done = subprocess.run(['systemd-analyze', 'verify', str(unit)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, check=False)
    output = done.stdout.decode()
    # only complaints about this unit count (the host's own units are not ours)
    ours = [line for line in output.splitlines() if unit.name in line]
    assert done.returncode == 0 or not ours, output
    assert not ours, output
