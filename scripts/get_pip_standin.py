# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the get-pip.py that ansible-test downloads.

ansible-test bootstraps pip in every virtual environment it creates by running
``~/.ansible/test/cache/get_pip_<version>.py`` with pip-install style
arguments (e.g. ``--disable-pip-version-check pip==24.2 --no-setuptools
--no-wheel``). The real script comes from a host that is not reachable here,
so scripts/sanity.sh installs this file under that name instead: it
bootstraps pip with the standard library's ensurepip and then lets that pip
install the requested packages (from the index in the machine's pip config).
"""

from __future__ import absolute_import, division, print_function

import subprocess
import sys

__metaclass__ = type

GET_PIP_ONLY_OPTIONS = ("--no-setuptools", "--no-wheel", "--no-pip")


def main():
    """Bootstrap pip, then install what get-pip.py was asked to install."""
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"],
                          stdout=subprocess.DEVNULL)
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"] + args)


if __name__ == "__main__":
    main()
