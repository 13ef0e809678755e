# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test client: GET URL COUNT times (each a new TCP connection), print a JSON
list of the answers ("NAME CLIENT_ADDRESS") or "error: ..." per attempt."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import sys
import urllib.request

URL, COUNT = sys.argv[1], int(sys.argv[2])
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
answers = []
for _ in range(COUNT):
    try:
        with OPENER.open(URL, timeout=3) as reply:
            answers.append(reply.read().decode('ascii').strip())
    except Exception as exc:  # pylint: disable=broad-except
        answers.append('error: %s' % exc)
print(json.dumps(answers))
