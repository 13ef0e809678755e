# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ask for one DHCPv6 lease from inside a network namespace, for the labs.

The lab playbooks run it with ansible.builtin.script (standard library only),
in two steps, so that the client's wait overlaps the rest of the proof:

    lab_dhcpv6_lease.py start --netns NS --interface eth0 --dir DIR
    ... other checks ...
    lab_dhcpv6_lease.py collect --dir DIR [--wait 10]

``start`` makes DIR (mode 0700) and runs ISC dhclient -6 in the foreground
inside NS, detached, with its lease, pid and configuration files in DIR, and
returns at once. ``collect`` waits (at most --wait seconds) until the lease
file holds an address, stops dhclient, prints the lease and removes DIR.
dhclient only asks: it configures nothing (-sf /bin/true) and never writes a
resolv.conf. It never outlives the lab either: it runs under timeout(1)
(--limit seconds, 60 by default), in case the collect step never comes.

- Rapid commit (RFC 8415 18.2.1): the Solicit asks for it, and a server that
  allows it (dnsmasq does) answers with its Reply at once, instead of an
  Advertise the client would collect for a second before its Request.
- DUID-LL (-D LL): made of the interface's MAC alone, so a second proof on the
  same lab is the same client to the server (the default DUID-LLT adds the
  time, and the server would lease another address while the first lease
  lasts).

``collect`` prints one JSON object: {"lease": TEXT, "addresses": [...],
"seconds": S} (S: from the start to the lease), and exits 1, the JSON then also
holding "msg" and dhclient's last output lines, when no address came.
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
import time

ADDRESS_RE = re.compile(r'^\s*iaaddr\s+(\S+)\s*\{', re.MULTILINE)


def read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return ''


def paths(directory):
    return dict((name, os.path.join(directory, 'dhclient.' + name))
                for name in ('conf', 'leases', 'pid', 'log', 'runner', 'started'))


def alive(pid):
    """Whether PID runs (a zombie or a pid gone counts as stopped)."""
    stat = read('/proc/%d/stat' % pid)
    return bool(stat) and stat.rsplit(')', 1)[-1].split()[0] not in ('Z', 'X')


def start(args):
    if os.path.isdir(args.dir):
        stop_runner(paths(args.dir))
        shutil.rmtree(args.dir, ignore_errors=True)
    os.makedirs(args.dir, 0o700)
    files = paths(args.dir)
    with open(files['conf'], 'w') as handle:
        handle.write('send dhcp6.rapid-commit;\n')
    with open(files['started'], 'w') as handle:
        handle.write('%.6f\n' % time.time())
    argv = ['ip', 'netns', 'exec', args.netns, 'timeout', str(args.limit), args.dhclient, '-6', '-1', '-d', '-D', 'LL',
            '-sf', '/bin/true', '-cf', files['conf'], '-lf', files['leases'], '-pf', files['pid'], args.interface]
    with open(os.devnull) as null, open(files['log'], 'w') as out:
        proc = subprocess.Popen(argv, stdin=null, stdout=out, stderr=subprocess.STDOUT, close_fds=True,
                                start_new_session=True)
    with open(files['runner'], 'w') as handle:
        handle.write('%d\n' % proc.pid)
    print(json.dumps({'started': proc.pid, 'dir': args.dir}))
    return 0


def runner_pid(files):
    try:
        return int(read(files['runner']).strip())
    except ValueError:
        return None


def stop_runner(files):
    """Stop timeout(1) and with it dhclient; wait until both are gone."""
    pid = runner_pid(files)
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    deadline = time.time() + 5
    while alive(pid) and time.time() < deadline:
        time.sleep(0.02)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)


def collect(args):
    files = paths(args.dir)
    if not os.path.isfile(files['runner']):
        print(json.dumps({'lease': '', 'addresses': [], 'msg': 'no DHCPv6 client was started in %s' % args.dir}))
        return 1
    deadline = time.time() + args.wait
    pid = runner_pid(files)
    text = read(files['leases'])
    # A client that exited (a namespace or interface it could not use) gives up the wait.
    while not ADDRESS_RE.search(text) and time.time() < deadline and pid is not None and alive(pid):
        time.sleep(0.02)
        text = read(files['leases'])
    done = time.time()
    stop_runner(files)
    text = read(files['leases'])
    try:
        started = float(read(files['started']).strip())
    except ValueError:
        started = done
    # When the lease came: dhclient writes its file once it is bound.
    came = os.path.getmtime(files['leases']) if text else done
    result = {'lease': text, 'addresses': ADDRESS_RE.findall(text), 'seconds': round(came - started, 3)}
    if not result['addresses']:
        result['msg'] = ('no DHCPv6 address: dhclient exited after %.1f s' % (done - started) if done < deadline
                         else 'no DHCPv6 address within %s s of collecting (%.1f s after the start)'
                         % (args.wait, done - started))
        result['dhclient_output'] = read(files['log']).splitlines()[-20:]
    shutil.rmtree(args.dir, ignore_errors=True)
    print(json.dumps(result, sort_keys=True))
    return 0 if result['addresses'] else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description='Ask for one DHCPv6 lease in a network namespace, for the labs.')
    sub = parser.add_subparsers(dest='command')
    begin = sub.add_parser('start')
    begin.add_argument('--netns', required=True)
    begin.add_argument('--interface', required=True)
    begin.add_argument('--dir', required=True)
    begin.add_argument('--limit', type=int, default=60)
    begin.add_argument('--dhclient', default='dhclient')
    end = sub.add_parser('collect')
    end.add_argument('--dir', required=True)
    end.add_argument('--wait', type=float, default=10.0)
    args = parser.parse_args(argv)
    if args.command == 'start':
        return start(args)
    if args.command == 'collect':
        return collect(args)
    parser.error('give start or collect')
    return 2


if __name__ == '__main__':
    sys.exit(main())
