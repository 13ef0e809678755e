# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet remediation playbooks on many namespace hosts, beside a ping play.

Builds N network namespaces (default 50, named PREFIX00.., default flcb00..),
each a stand-in host reached through the linuxnet.plumbing.netns connection
plugin, with work for both roles: every interface at rp_filter 1 (the role
wants 2), and a policy-routing table (rule "from 10.77.1.0/24 lookup 100")
that has a route through the uplink but no default route. Then, per round,
it times with forks 10:

  ping       a play of one ansible.builtin.ping task on the same hosts
  rp_filter  playbooks/rp_filter.yml, first run (every host changes)
             and again (nothing changes)
  policy_routes  playbooks/policy_routes.yml, first run and again

and prints each figure (median, min, max wall seconds over the rounds) with
its ratio to the ping play of the same round. The hosts are reset between
rounds (not timed). rp_filter runs with rp_filter_persist=false: a namespace
host is not the root namespace, whose boot files the role would persist to.

  sudo .venv/bin/python benchmarks/fleet.py [--hosts 50] [--rounds 3] [--root REPO]
  sudo .venv/bin/python benchmarks/fleet.py --cleanup

--root runs another checkout's playbooks (to measure a baseline) with this
script's hosts. The namespaces are removed at the end, also on failure.
"""

from __future__ import print_function

import argparse
import json
import os
import statistics
import subprocess  # argument lists only; this script is not part of the collection's plugins
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FORKS = 10


def ip(*args):
    subprocess.run(['ip'] + list(args), check=True, stdout=subprocess.DEVNULL)


def namespaces(prefix, count):
    return ['%s%02d' % (prefix, i) for i in range(count)]


def build(name):
    ip('netns', 'add', name)
    ns = ['-n', name]
    ip(*ns + ['link', 'set', 'lo', 'up'])
    ip(*ns + ['link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'gw0'])
    for dev in ('up0', 'gw0'):
        ip(*ns + ['link', 'set', dev, 'up'])
    ip(*ns + ['address', 'add', '10.77.0.1/24', 'dev', 'up0'])
    ip(*ns + ['address', 'add', '10.77.1.1/24', 'dev', 'lo'])
    ip(*ns + ['route', 'add', 'default', 'via', '10.77.0.254', 'dev', 'up0'])
    ip(*ns + ['route', 'add', '10.77.2.0/24', 'via', '10.77.0.254', 'dev', 'up0', 'table', '100'])
    ip(*ns + ['rule', 'add', 'from', '10.77.1.0/24', 'lookup', '100', 'priority', '1000'])


def reset(name):
    """Undo what the two roles change, so the next run has work again."""
    subprocess.run(['ip', '-n', name, 'route', 'del', 'default', 'table', '100'],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    for dev in ('all', 'default', 'lo', 'up0', 'gw0'):
        subprocess.run(['ip', 'netns', 'exec', name, 'sysctl', '-q', '-w', 'net.ipv4.conf.%s.rp_filter=1' % dev],
                       check=True, stdout=subprocess.DEVNULL)


def remove(names):
    for name in names:
        if os.path.exists('/run/netns/' + name):
            subprocess.run(['ip', 'netns', 'del', name], check=False)


def inventory(path, names):
    hosts = dict((name, {}) for name in names)
    data = {'all': {'children': {'flcbench': {
        'vars': {'ansible_connection': 'linuxnet.plumbing.netns',
                 'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
        'hosts': hosts}}}}
    with open(path, 'w') as handle:
        json.dump(data, handle)


PING_PLAY = [{'name': 'One ping per host', 'hosts': 'flcbench', 'gather_facts': False,
              'tasks': [{'name': 'Ping', 'ansible.builtin.ping': {}}]}]


def play(root, inv, playbook, extra):
    """Run one playbook, -> wall seconds. Fails loudly when the play fails."""
    playbin = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    argv = [playbin, '-i', inv, '-f', str(FORKS), playbook] + extra
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        # The failing hosts' lines first: with 50 hosts the recap alone fills the tail.
        lines = done.stdout.splitlines()
        failures = [i for i, line in enumerate(lines) if line.startswith(('fatal:', 'failed:', '[ERROR]'))]
        for index in failures[:5]:
            sys.stderr.write('\n'.join(lines[index:index + 15]) + '\n')
        sys.stderr.write(done.stdout[-3000:])
        raise SystemExit('%s failed (rc %d)' % (playbook, done.returncode))
    return took, done.stdout


def changed_hosts(output):
    """The number of hosts whose recap says changed > 0."""
    count = 0
    for line in output.splitlines():
        if ' changed=' in line and ' ok=' in line:
            if int(line.split(' changed=')[1].split()[0]) > 0:
                count += 1
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--hosts', type=int, default=50)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--prefix', default='flcb')
    parser.add_argument('--root', default=os.path.dirname(HERE), help='checkout whose playbooks run')
    parser.add_argument('--cleanup', action='store_true', help='only remove the namespaces')
    args = parser.parse_args()
    names = namespaces(args.prefix, args.hosts)
    remove(names)
    if args.cleanup:
        return
    work = tempfile.mkdtemp(prefix='fleet-bench.')
    inv = os.path.join(work, 'inventory.json')
    ping = os.path.join(work, 'ping.yml')
    inventory(inv, names)
    with open(ping, 'w') as handle:
        json.dump(PING_PLAY, handle)
    runs = {
        'rp_filter': ('playbooks/rp_filter.yml', ['-e', 'rp_filter_hosts=flcbench', '-e', 'rp_filter_persist=false']),
        'policy_routes': ('playbooks/policy_routes.yml', ['-e', 'policy_routes_hosts=flcbench']),
    }
    figures = dict((key, []) for key in ('ping', 'rp_filter first', 'rp_filter again',
                                         'policy_routes first', 'policy_routes again'))
    ratios = dict((key, []) for key in figures if key != 'ping')
    try:
        for name in names:
            build(name)
        for round_ in range(args.rounds):
            for name in names:
                reset(name)
            base, dummy = play(args.root, inv, ping, [])
            figures['ping'].append(base)
            for role, (book, extra) in sorted(runs.items()):
                for label, want_changed in (('first', args.hosts), ('again', 0)):
                    took, out = play(args.root, inv, book, extra)
                    got = changed_hosts(out)
                    if got != want_changed:
                        raise SystemExit('%s %s run: %d hosts changed, expected %d' % (role, label, got, want_changed))
                    figures['%s %s' % (role, label)].append(took)
                    ratios['%s %s' % (role, label)].append(took / base)
            sys.stderr.write('round %d done\n' % (round_ + 1))
    finally:
        remove(names)
    print('fleet: %d namespace hosts, forks %d, %d round(s), playbooks of %s' % (args.hosts, FORKS, args.rounds, args.root))
    print('%-22s %8s %8s %8s   %s' % ('play', 'median s', 'min s', 'max s', 'x ping (median, min-max)'))
    for key, values in figures.items():
        row = '%-22s %8.2f %8.2f %8.2f' % (key, statistics.median(values), min(values), max(values))
        if key in ratios:
            rat = ratios[key]
            row += '   %.2f (%.2f-%.2f)' % (statistics.median(rat), min(rat), max(rat))
        print(row)


if __name__ == '__main__':
    main()
