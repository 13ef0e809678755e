# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ask for one DHCPv6 lease from inside a network namespace and print it, for the labs.

The lab playbooks run it with ansible.builtin.script (standard library only):

    lab_dhcpv6_lease.py --netns NS --interface eth0 [--timeout 10]

It runs ISC dhclient -6 in the foreground inside NS, in a private temporary
directory, and returns as soon as the lease file holds an address: the lease
is only looked at, never configured (-sf /bin/true, no resolv.conf written).
In one process, so the proof costs one task instead of six (make a directory,
run dhclient, read its lease and pid, stop it, wait for it to exit, remove the
directory), and dhclient never outlives the task.

- Rapid commit (RFC 8415 18.2.1): the Solicit asks for it and a server that
  allows it (dnsmasq does) answers with the Reply at once, instead of an
  Advertise the client would collect for a second before its Request.
- DUID-LL (-D LL): made of the interface's MAC alone, so a second proof on the
  same lab is the same client to the server (the default DUID-LLT adds the
  time, and the server would lease another address while the first lease
  lasts).

Prints one JSON object: {"lease": TEXT, "addresses": [...], "seconds": S}, and
exits 1 (with the JSON holding "msg" and dhclient's output) when no address
came within the timeout or dhclient failed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ADDRESS_RE = re.compile(r'^\s*iaaddr\s+(\S+)\s*\{', re.MULTILINE)


def read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return ''


def stop(proc):
    """Stop dhclient and reap it (it stays to renew the lease otherwise)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def ask(args):
    start = time.time()
    work = tempfile.mkdtemp(prefix='lab-dhcpv6-')
    proc = None
    try:
        conf = os.path.join(work, 'dhclient.conf')
        lease = os.path.join(work, 'dhclient.leases')
        log = os.path.join(work, 'dhclient.log')
        with open(conf, 'w') as handle:
            handle.write('send dhcp6.rapid-commit;\n')
        argv = ['ip', 'netns', 'exec', args.netns, args.dhclient, '-6', '-1', '-d', '-D', 'LL', '-sf', '/bin/true',
                '-cf', conf, '-lf', lease, '-pf', os.path.join(work, 'dhclient.pid'), args.interface]
        with open(log, 'w') as out:
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, close_fds=True)
        deadline = start + args.timeout
        text = ''
        while time.time() < deadline:
            text = read(lease)
            if ADDRESS_RE.search(text) or proc.poll() is not None:
                break
            time.sleep(0.02)
        stop(proc)
        text = read(lease)
        result = {'lease': text, 'addresses': ADDRESS_RE.findall(text), 'seconds': round(time.time() - start, 3)}
        if not result['addresses']:
            result['msg'] = ('no DHCPv6 address on %s in namespace %s within %s s (dhclient exited with %s)'
                             % (args.interface, args.netns, args.timeout, proc.returncode))
            result['dhclient_output'] = read(log).splitlines()[-20:]
        return result
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description='Ask for one DHCPv6 lease in a network namespace, for the labs.')
    parser.add_argument('--netns', required=True)
    parser.add_argument('--interface', required=True)
    parser.add_argument('--timeout', type=float, default=10.0)
    parser.add_argument('--dhclient', default='dhclient')
    args = parser.parse_args(argv)
    result = ask(args)
    print(json.dumps(result, sort_keys=True))
    return 0 if result['addresses'] else 1


if __name__ == '__main__':
    sys.exit(main())
