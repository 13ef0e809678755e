# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""500 port forwards as ONE linuxnet.plumbing.dnat call, beside nft -f and an empty playbook.

    python3 benchmarks/dnat_500.py [--forwards 500] [--runs 5] [--python PY]

In one throwaway namespace (nflb*), each as the median (and minimum) of --runs runs:
  dnat call     `ansible-playbook` with one dnat task whose rule_sets lists the forwards
                (each: tcp port 10000+i to 10.64.X.Y:80), applied to an empty namespace
  dnat re-run   the same playbook again: nothing to change
  nft -f        the same rules in nft's own syntax, one `nft -f FILE` in the namespace
  empty         `ansible-playbook` of one play without tasks (the floor of any playbook)
Before each timed "dnat call" and "nft -f" the table is deleted (untimed), and
after it the rule count is checked. Each figure is given as wall time and as CPU
time (user + system of all the processes the step ran). The figure that matters:
dnat call minus empty (target: at most 2 s on the test machine).

To time the steps with an external timer instead, prepare once and time the steps:
    python3 benchmarks/dnat_500.py --keep DIR           # writes DIR, creates the namespace
    python3 benchmarks/dnat_500.py --step apply DIR     # deletes the table, runs the playbook
    python3 benchmarks/dnat_500.py --step rerun DIR | --step nft DIR | --step empty DIR
    python3 benchmarks/dnat_500.py --clean DIR          # removes the namespace and DIR
Run from the repository root, as root. Nothing outside the nflb* namespace is touched.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time

from benchlib import run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IP = shutil.which('ip') or '/usr/sbin/ip'
NFT = shutil.which('nft') or '/usr/sbin/nft'
PLAYBOOK = os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook')


def forwards(count):
    """(port, backend) pairs: tcp 10000+i -> 10.64.X.Y:80."""
    return [(10000 + i, '10.64.%d.%d' % (i // 250, i % 250 + 2)) for i in range(count)]


def dnat_playbook(netns, pairs):
    rule_sets = [{'name': 'fwd%d' % port, 'port': port, 'to': ['%s:80' % addr]} for port, addr in pairs]
    return [{'name': 'Apply the port forwards in one call', 'hosts': 'localhost', 'gather_facts': False,
             'tasks': [{'name': 'All forwards', 'linuxnet.plumbing.dnat': {'netns': netns, 'rule_sets': rule_sets}}]}]


def empty_playbook():
    return [{'name': 'Nothing', 'hosts': 'localhost', 'gather_facts': False, 'tasks': []}]


def nft_file(pairs):
    """The rules dnat writes for these forwards (prerouting dnat + forward accept), in nft's own syntax."""
    pre = ['    meta nfproto ipv4 fib daddr type local tcp dport %d counter dnat ip to %s:80' % (port, addr)
           for port, addr in pairs]
    fwd = ['    meta nfproto ipv4 meta l4proto tcp ct status dnat ct reply ip saddr %s ct reply proto-src 80 '
           'counter accept' % addr for dummy, addr in pairs]
    return '\n'.join(['table inet linuxnet {',
                      '  chain prerouting {', '    type nat hook prerouting priority -100; policy accept;'] + pre +
                     ['  }', '  chain forward {', '    type filter hook forward priority 0; policy accept;'] + fwd +
                     ['  }', '}', ''])


def delete_table(netns):
    run([IP, 'netns', 'exec', netns, NFT, 'delete', 'table', 'inet', 'linuxnet'], check=False)


def count_rules(netns):
    out = run([IP, 'netns', 'exec', netns, NFT, '-j', 'list', 'table', 'inet', 'linuxnet'], check=False)
    try:
        return sum(1 for item in json.loads(out)['nftables'] if 'rule' in item)
    except ValueError:
        return 0


def load(directory):
    with open(os.path.join(directory, 'setup.json')) as handle:
        return json.load(handle)


def prepare(directory, count, python):
    netns = 'nflb%d' % random.randint(10000, 99999)
    run([IP, 'netns', 'add', netns])
    pairs = forwards(count)
    files = {'dnat.yml': dnat_playbook(netns, pairs), 'empty.yml': empty_playbook()}
    for name, doc in files.items():
        with open(os.path.join(directory, name), 'w') as handle:
            json.dump(doc, handle)   # JSON is YAML
    with open(os.path.join(directory, 'rules.nft'), 'w') as handle:
        handle.write(nft_file(pairs))
    setup = {'netns': netns, 'python': python, 'count': count}
    with open(os.path.join(directory, 'setup.json'), 'w') as handle:
        json.dump(setup, handle)
    return setup


def step(directory, name):
    """One step as a whole: what an external timer measures."""
    setup = load(directory)
    netns = setup['netns']
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'))
    playbook = [PLAYBOOK, '-e', 'ansible_python_interpreter=%s' % setup['python']]
    if name in ('apply', 'nft'):
        delete_table(netns)
    if name in ('apply', 'rerun'):
        run(playbook + [os.path.join(directory, 'dnat.yml')], env=env)
    elif name == 'empty':
        run(playbook + [os.path.join(directory, 'empty.yml')], env=env)
    elif name == 'nft':
        run([IP, 'netns', 'exec', netns, NFT, '-f', os.path.join(directory, 'rules.nft')])
    else:
        raise SystemExit('unknown step %r' % name)


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_step(directory, name):
    """(wall s, CPU s) of the step, without the untimed table deletion before it.

    CPU is user + system time of every process the step ran and reaped
    (ansible-playbook, its worker, the module, nft): on a loaded machine the
    wall time mostly measures the others' load, the CPU time does not."""
    setup = load(directory)
    if name in ('apply', 'nft'):
        delete_table(setup['netns'])
    cpu = _children_cpu()
    start = time.perf_counter()
    step(directory, 'rerun' if name == 'apply' else name)
    return time.perf_counter() - start, _children_cpu() - cpu


def clean(directory):
    try:
        run([IP, 'netns', 'del', load(directory)['netns']], check=False)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--forwards', type=int, default=500)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--python', default=os.path.join(ROOT, '.venv', 'bin', 'python'),
                        help='the interpreter the module runs with')
    parser.add_argument('--keep', metavar='DIR', help='prepare DIR and the namespace, and stop')
    parser.add_argument('--step', nargs=2, metavar=('STEP', 'DIR'), help='run one step: apply, rerun, nft, empty')
    parser.add_argument('--clean', metavar='DIR', help='remove the namespace of DIR and DIR')
    opts = parser.parse_args()
    if opts.step:
        step(opts.step[1], opts.step[0])
        return
    if opts.clean:
        clean(opts.clean)
        return
    if opts.keep:
        os.makedirs(opts.keep)
        print(json.dumps(prepare(opts.keep, opts.forwards, opts.python)))
        return

    directory = tempfile.mkdtemp(prefix='nflb-')
    try:
        setup = prepare(directory, opts.forwards, opts.python)
        steps = ('apply', 'rerun', 'nft', 'empty')
        times = dict((name, []) for name in steps)
        timed_step(directory, 'empty')   # warm-up: caches, byte code
        for dummy in range(opts.runs):
            for name in steps:   # interleaved, so a drift of the machine's speed hits all alike
                times[name].append(timed_step(directory, name))
                if name in ('apply', 'nft') and count_rules(setup['netns']) != 2 * opts.forwards:  # same rules
                    raise RuntimeError('%s left %d rules, not %d' % (name, count_rules(setup['netns']),
                                                                     2 * opts.forwards))
        labels = {'apply': 'dnat call (%d forwards, one task)' % opts.forwards, 'rerun': 'dnat re-run (no change)',
                  'nft': 'nft -f of the same %d rules' % (2 * opts.forwards), 'empty': 'empty playbook'}
        print('%d runs each, interpreter %s, load average %.1f' % (opts.runs, opts.python, os.getloadavg()[0]))
        print('%-40s %12s %12s %12s' % ('', 'wall median', 'wall min', 'CPU median'))
        for name in steps:
            walls = [t[0] for t in times[name]]
            cpus = [t[1] for t in times[name]]
            print('%-40s %11.3fs %11.3fs %11.3fs'
                  % (labels[name], statistics.median(walls), min(walls), statistics.median(cpus)))
        for index, what in ((0, 'wall'), (1, 'CPU')):
            beyond = [a[index] - e[index] for a, e in zip(times['apply'], times['empty'])]
            print('dnat call beyond the empty playbook, %s (pairwise): median %.3f s, min %.3f s (target <= 2 s)'
                  % (what, statistics.median(beyond), min(beyond)))
    finally:
        clean(directory)


if __name__ == '__main__':
    sys.exit(main())
