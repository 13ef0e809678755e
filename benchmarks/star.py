# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A star of N namespaces on one Linux bridge, built several ways in one run.

    python3 benchmarks/star.py [--sizes 100 500] [--runs 3] [--python PY]

For every size it times, each as the minimum (and median) of --runs runs:
  ip-batch    `ip -batch` for the namespaces and veth pairs, one `ip -n NS -batch` per
              namespace for what must be done inside it (the fastest shell way)
  pyroute2    one Python process with pyroute2 (netns.create, one IPRoute per namespace)
  mininet     Mininet's Python API, Linux bridge, no controller, in a namespace of its
              own (only when Debian's `mininet` and
              `bridge-utils` packages are installed)
  topology    `ansible-playbook` with one linuxnet.plumbing.topology task: the build,
              the no-op re-run, and the teardown (state: absent)
and once per run the floor: a playbook of one ansible.builtin.ping task.
Then the ratios and the issue's targets. Run from the repository root, as root.
Namespaces are named PREFIX* (--prefix, default lnp-te-b); nothing else is touched.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap

from benchlib import FLOOR_PLAYBOOK, ROOT, ansible_playbook, run, timed

IP = shutil.which('ip') or '/usr/sbin/ip'


def host_address(i):
    return '10.200.%d.%d/16' % (i // 250, i % 250 + 1)


def leftovers(prefix):
    return [n.split()[0] for n in run([IP, 'netns', 'list']).splitlines() if n.startswith(prefix)]


def remove_all(prefix):
    names = leftovers(prefix)
    if names:
        run([IP, '-batch', '-'], ''.join('netns del %s\n' % n for n in names), check=False)


# -- ip -batch -----------------------------------------------------------------

def ip_build(n, prefix):
    sw = prefix + 'sw'
    lines = ['netns add %s' % sw] + ['netns add %sh%d' % (prefix, i) for i in range(1, n + 1)]
    run([IP, '-batch', '-'], '\n'.join(lines) + '\n')
    lines = ['link add br0 type bridge', 'link set br0 up', 'link set lo up']
    lines += ['link add h%d-eth0 type veth peer name eth0 netns %sh%d' % (i, prefix, i) for i in range(1, n + 1)]
    lines += ['link set h%d-eth0 master br0 up' % i for i in range(1, n + 1)]
    run([IP, '-n', sw, '-batch', '-'], '\n'.join(lines) + '\n')
    for i in range(1, n + 1):
        run([IP, '-n', '%sh%d' % (prefix, i), '-batch', '-'],
            'link set lo up\nlink set eth0 up\naddr add %s dev eth0\n' % host_address(i))


def ip_teardown(n, prefix):
    names = [prefix + 'sw'] + ['%sh%d' % (prefix, i) for i in range(1, n + 1)]
    run([IP, '-batch', '-'], ''.join('netns del %s\n' % name for name in names))


# -- pyroute2 in one process ---------------------------------------------------

PYROUTE2_SCRIPT = textwrap.dedent('''
    import os, sys
    from pyroute2 import IPRoute, netns
    n, prefix = int(sys.argv[1]), sys.argv[2]
    sw = prefix + 'sw'
    netns.create(sw)
    hosts = ['%sh%d' % (prefix, i) for i in range(1, n + 1)]
    for name in hosts:
        netns.create(name)
    with IPRoute(netns=sw) as ipr:
        ipr.link('add', ifname='br0', kind='bridge', state='up')
        ipr.link('set', index=1, state='up')
        br = ipr.link_lookup(ifname='br0')[0]
        for i, name in enumerate(hosts, 1):
            fd = os.open('/run/netns/' + name, os.O_RDONLY)
            ipr.link('add', ifname='h%d-eth0' % i, kind='veth', peer={'ifname': 'eth0', 'net_ns_fd': fd},
                     master=br, state='up')
            os.close(fd)
    for i, name in enumerate(hosts, 1):
        with IPRoute(netns=name) as ipr:
            ipr.link('set', index=1, state='up')
            eth0 = ipr.link_lookup(ifname='eth0')[0]
            ipr.link('set', index=eth0, state='up')
            ipr.addr('add', index=eth0, address='10.200.%d.%d' % (i // 250, i % 250 + 1), prefixlen=16)
''')


def pyroute2_build(n, prefix, python):
    run([python, '-c', PYROUTE2_SCRIPT, str(n), prefix])


# -- Mininet -------------------------------------------------------------------

MININET_SCRIPT = textwrap.dedent('''
    import sys
    import mininet.net
    from mininet.net import Mininet
    from mininet.nodelib import LinuxBridge
    from mininet.topo import Topo
    n = int(sys.argv[1])
    # fixLimits() raises global sysctls and rlimits of the machine: not ours to change.
    mininet.net.fixLimits = lambda: None
    class Star(Topo):
        def build(self):
            sw = self.addSwitch('s1')
            for i in range(1, n + 1):
                self.addLink(self.addHost('h%d' % i, ip='10.200.%d.%d/16' % (i // 250, i % 250 + 1)), sw)
    net = Mininet(topo=Star(), switch=LinuxBridge, controller=None, autoSetMacs=False, waitConnected=False)
    net.start()
    net.stop()
''')


def mininet_python():
    for python in ('/usr/bin/python3',):
        if subprocess.run([python, '-c', 'import mininet.net'], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, check=False).returncode == 0:
            return python
    return None


def mininet_build_and_stop(n, prefix, python):
    """Mininet in a namespace of its own (its root-namespace interfaces stay
    there); the time covers start and stop, Mininet has no separate teardown."""
    ns = prefix + 'mn'
    run([IP, 'netns', 'add', ns])
    try:
        run([IP, 'netns', 'exec', ns, python, '-c', MININET_SCRIPT, str(n)])
    finally:
        run([IP, 'netns', 'del', ns], check=False)


# -- the topology module -------------------------------------------------------

def write_star(path, n):
    doc = {'nodes': {'sw': {}}, 'bridges': {'br0': {'node': 'sw'}}, 'links': []}
    for i in range(1, n + 1):
        doc['nodes']['h%d' % i] = {}
        doc['links'].append({'endpoints': [{'node': 'h%d' % i, 'name': 'eth0', 'address': [host_address(i)]},
                                           {'bridge': 'br0'}]})
    with open(path, 'w') as handle:
        json.dump(doc, handle)     # JSON is YAML


def write_playbooks(tmp):
    topo = os.path.join(tmp, 'topology.yml')
    with open(topo, 'w') as handle:
        handle.write(textwrap.dedent('''\
            - name: Star
              hosts: localhost
              gather_facts: false
              tasks:
                - name: The star topology
                  linuxnet.plumbing.topology:
                    name: "{{ star_name }}"
                    prefix: "{{ star_prefix }}"
                    src: "{{ star_src }}"
                    state: "{{ star_state }}"
            '''))
    ping = os.path.join(tmp, 'ping.yml')
    with open(ping, 'w') as handle:
        handle.write(FLOOR_PLAYBOOK)
    return topo, ping


playbook = ansible_playbook


def reference(times, key, func, *args):
    """Time a reference build; one that fails (pyroute2's netns.create gives
    up on a loaded machine) is reported and left out, not the end of the run."""
    try:
        times[key].append(timed(func, *args))
        return True
    except RuntimeError as exc:
        print('  %s failed in this run, left out: %s' % (key, str(exc).strip().splitlines()[-1]))
        return False


def summary(values):
    return min(values), statistics.median(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', type=int, nargs='+', default=[100, 500])
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--python', default=sys.executable, help='the Python that runs the pyroute2 build')
    parser.add_argument('--prefix', default='lnp-te-b', help='start of every namespace name the benchmark makes')
    args = parser.parse_args()
    os.chdir(ROOT)
    tmp = tempfile.mkdtemp(prefix='lnp-te-bench')
    topo_pb, ping_pb = write_playbooks(tmp)
    mn_python = mininet_python()
    results = {}
    pre = dict((k, args.prefix + k) for k in ('i-', 'p-', 't-', 'mn'))
    for prefix in pre.values():
        remove_all(prefix)
    try:
        for n in args.sizes:
            src = os.path.join(tmp, 'star%d.json' % n)
            write_star(src, n)
            times = dict((k, []) for k in ('floor', 'ip-batch', 'ip-batch teardown', 'pyroute2',
                                           'pyroute2 teardown', 'mininet start+stop', 'topology',
                                           'topology no-op', 'topology teardown'))
            topo_vars = {'star_name': '%sstar%d' % (args.prefix, n), 'star_prefix': pre['t-'], 'star_src': src}
            for dummy in range(args.runs):
                times['floor'].append(timed(playbook, ping_pb))
                times['ip-batch'].append(timed(ip_build, n, pre['i-']))
                times['ip-batch teardown'].append(timed(ip_teardown, n, pre['i-']))
                if reference(times, 'pyroute2', pyroute2_build, n, pre['p-'], args.python):
                    times['pyroute2 teardown'].append(timed(ip_teardown, n, pre['p-']))
                remove_all(pre['p-'])
                if mn_python:
                    times['mininet start+stop'].append(timed(mininet_build_and_stop, n, args.prefix, mn_python))
                times['topology'].append(timed(playbook, topo_pb, dict(topo_vars, star_state='present')))
                times['topology no-op'].append(timed(playbook, topo_pb, dict(topo_vars, star_state='present')))
                times['topology teardown'].append(timed(playbook, topo_pb, dict(topo_vars, star_state='absent')))
            results[n] = dict((k, summary(v)) for k, v in times.items() if v)
            report(n, results[n], args.runs, mn_python)
    finally:
        for prefix in pre.values():
            remove_all(prefix)
        shutil.rmtree(tmp, ignore_errors=True)


def report(n, res, runs, mn_python):
    print('\nstar of %d namespaces on one bridge (seconds: minimum / median of %d runs)' % (n, runs))
    for key, (low, mid) in res.items():
        print('  %-22s %7.2f  %7.2f' % (key, low, mid))
    if not mn_python:
        print('  %-22s not installed (apt-get install --no-install-recommends mininet)' % 'mininet')
    floor, ipb, topo, noop = res['floor'][0], res['ip-batch'][0], res['topology'][0], res['topology no-op'][0]
    mininet = ''
    if 'mininet start+stop' in res:
        mininet = ', topology / mininet %.2fx' % (topo / res['mininet start+stop'][0])
    pyroute2 = ', topology / pyroute2 %.1fx' % (topo / res['pyroute2'][0]) if 'pyroute2' in res else ''
    print('  ratios (minimums): topology / ip-batch %.1fx%s, (topology - floor) / ip-batch %.1fx%s'
          % (topo / ipb, pyroute2, (topo - floor) / ipb, mininet))
    if n == 100:
        print('  target N=100: topology %.2f <= floor + 1.3 x ip-batch = %.2f: %s'
              % (topo, floor + 1.3 * ipb, 'met' if topo <= floor + 1.3 * ipb else 'NOT met'))
    if n == 500:
        print('  target N=500: topology %.2f <= 4 s: %s' % (topo, 'met' if topo <= 4 else 'NOT met'))
        print('  target N=500: no-op %.2f <= floor + 0.5 = %.2f: %s'
              % (noop, floor + 0.5, 'met' if noop <= floor + 0.5 else 'NOT met'))
    sys.stdout.flush()


if __name__ == '__main__':
    main()
