# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One topology of 3 x N namespaces on three hosts, beside the same 3N on one host.

    python3 benchmarks/multihost.py [--per-host 100] [--runs 3]

Three privileged podman containers (linuxnet-multihost-bench-1..3, image
localhost/linuxnet-debian12 from scripts/build-test-image.sh) on a podman
network of their own (linuxnet-multihost-bench, the underlay) stand for three
hosts. Each holds N namespaces: a router, a switch with a bridge and N-2 leaves
on it; the routers are joined pairwise across the hosts (VXLAN links). Timed,
each the minimum and median of --runs runs, all through `ansible-playbook`
with forks 3 and the containers.podman connection:
  floor              a play of one ansible.builtin.ping task on the three hosts
  3 hosts build      the topology task on the three hosts (each builds its part)
  3 hosts no-op      the same again: nothing to change
  3 hosts teardown   state: absent on the three hosts
  1 host build       the same 3N namespaces (cross-host links as veth pairs) in
  1 host no-op       container 1 alone
  1 host teardown
Run from the repository root, as root, after `make setup-test` (for the
containers.podman collection in .build/collections). The containers and the
network are removed at the end, also after a failure.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import textwrap

from benchlib import run, timed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NETWORK = 'linuxnet-multihost-bench'
HOSTS = ['linuxnet-multihost-bench-%d' % i for i in (1, 2, 3)]
IMAGE = 'localhost/linuxnet-debian12'
PAIRS = [(1, 2), (2, 3), (1, 3)]


def podman_env():
    return dict(os.environ, CONTAINERS_CONF=os.path.join(ROOT, 'molecule', '_shared', 'containers.conf'))


def podman(*args, **kwargs):
    return run(['podman'] + list(args), env=podman_env(), **kwargs)


FORWARDING = '/proc/sys/net/ipv4/ip_forward'


def start_hosts():
    stop_hosts()
    podman('network', 'create', NETWORK)
    for name in HOSTS:
        podman('run', '-d', '--name', name, '--hostname', name, '--network', NETWORK, '--privileged',
               '--runtime=runc', '--cgroup-manager=cgroupfs', '--ulimit', 'nofile=4096:4096',
               '--ulimit', 'nproc=4096:4096', '--stop-timeout=1', IMAGE, 'sleep', 'infinity')


def stop_hosts():
    for name in HOSTS:
        podman('rm', '-f', '-t', '1', name, check=False)
    podman('network', 'rm', '-f', NETWORK, check=False)


def document(per_host, hosts):
    """3 x PER_HOST nodes; HOSTS: the host of each third (None: one host)."""
    doc = {'nodes': {}, 'bridges': {}, 'links': []}
    for x in (1, 2, 3):
        place = {'host': hosts[x - 1]} if hosts else {}
        routes = []
        for a, b in PAIRS:
            if x in (a, b):
                y = b if a == x else a
                routes.append({'dest': '10.%d.0.0/16' % y, 'gateway': '10.100.%d%d.%d' % (a, b, 2 if a == x else 1)})
        doc['nodes']['s%d' % x] = dict(place)
        doc['nodes']['r%d' % x] = dict(place, forwarding=True, routes=routes)
        doc['bridges']['br%d' % x] = {'node': 's%d' % x}
        doc['links'].append({'endpoints': [{'node': 'r%d' % x, 'name': 'lan', 'address': ['10.%d.255.254/16' % x]},
                                           {'bridge': 'br%d' % x}]})
        for i in range(1, per_host - 1):
            leaf = 'n%dx%d' % (x, i)
            doc['nodes'][leaf] = dict(place, routes=[{'dest': 'default', 'gateway': '10.%d.255.254' % x}])
            doc['links'].append({'endpoints': [{'node': leaf, 'name': 'eth0',
                                                'address': ['10.%d.%d.%d/16' % (x, i // 250, i % 250 + 1)]},
                                               {'bridge': 'br%d' % x}]})
    for a, b in PAIRS:
        doc['links'].append({'endpoints': [{'node': 'r%d' % a, 'name': 'to-r%d' % b, 'address': ['10.100.%d%d.1/30' % (a, b)]},
                                           {'node': 'r%d' % b, 'name': 'to-r%d' % a, 'address': ['10.100.%d%d.2/30' % (a, b)]}]})
    return doc


def write_files(tmp, per_host):
    paths = {}
    for key, hosts in (('multi', HOSTS), ('single', None)):
        paths[key] = os.path.join(tmp, '%s.json' % key)
        with open(paths[key], 'w') as handle:
            json.dump(document(per_host, hosts), handle)   # JSON is YAML
    paths['inventory'] = os.path.join(tmp, 'inventory.yml')
    with open(paths['inventory'], 'w') as handle:
        json.dump({'all': {'hosts': dict((h, {}) for h in HOSTS),
                           'vars': {'ansible_connection': 'containers.podman.podman',
                                    'ansible_python_interpreter': '/usr/bin/python3'}}}, handle)
    paths['topology'] = os.path.join(tmp, 'topology.yml')
    with open(paths['topology'], 'w') as handle:
        handle.write(textwrap.dedent('''\
            - name: Topology
              hosts: "{{ bench_hosts }}"
              gather_facts: false
              tasks:
                - name: Underlay address and interface
                  ansible.builtin.setup:
                    gather_subset: ['!all', '!min', network]
                  when: bench_state == 'present'
                - name: The topology
                  linuxnet.plumbing.topology:
                    name: bench
                    prefix: lnp-mh-b-
                    src: "{{ bench_src }}"
                    state: "{{ bench_state }}"
                    validate: false
            '''))
    paths['ping'] = os.path.join(tmp, 'ping.yml')
    with open(paths['ping'], 'w') as handle:
        handle.write(textwrap.dedent('''\
            - name: Floor
              hosts: all
              gather_facts: false
              tasks:
                - name: One module task
                  ansible.builtin.ping:
            '''))
    return paths


def playbook(paths, path, extra=None):
    env = dict(podman_env(), ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'), ANSIBLE_FORKS='3',
               ANSIBLE_COLLECTIONS_PATH='%s:%s' % (os.path.join(ROOT, '.build', 'collections'),
                                                   os.path.join(ROOT, 'collections')))
    argv = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', paths['inventory'], path]
    for key, value in (extra or {}).items():
        argv += ['-e', '%s=%s' % (key, value)]
    return run(argv, env=env)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--per-host', type=int, default=100)
    parser.add_argument('--runs', type=int, default=3)
    args = parser.parse_args()
    os.chdir(ROOT)
    tmp = tempfile.mkdtemp(prefix='lnp-mh-bench')
    paths = write_files(tmp, args.per_host)
    rows = ('floor', '3 hosts build', '3 hosts no-op', '3 hosts teardown', '1 host build', '1 host no-op',
            '1 host teardown')
    times = dict((k, []) for k in rows)
    # podman's bridge network turns the host's IPv4 forwarding on and leaves it
    # on; new namespaces would copy it. Put back what we found.
    with open(FORWARDING) as f:
        forwarding = f.read()
    try:
        start_hosts()
        for dummy in range(args.runs):
            times['floor'].append(timed(playbook, paths, paths['ping']))
            for label, hosts, src in (('3 hosts', 'all', paths['multi']), ('1 host', HOSTS[0], paths['single'])):
                extra = {'bench_hosts': hosts, 'bench_src': src}
                times[label + ' build'].append(timed(playbook, paths, paths['topology'],
                                                     dict(extra, bench_state='present')))
                times[label + ' no-op'].append(timed(playbook, paths, paths['topology'],
                                                     dict(extra, bench_state='present')))
                times[label + ' teardown'].append(timed(playbook, paths, paths['topology'],
                                                        dict(extra, bench_state='absent')))
    finally:
        stop_hosts()
        with open(FORWARDING, 'w') as f:
            f.write(forwarding)
        shutil.rmtree(tmp, ignore_errors=True)
    n = 3 * args.per_host
    print('\n%d namespaces: 3 hosts x %d (forks 3) and 1 host x %d; seconds, minimum / median of %d runs'
          % (n, args.per_host, n, args.runs))
    res = dict((k, (min(v), statistics.median(v))) for k, v in times.items())
    for key in rows:
        print('  %-18s %7.2f  %7.2f' % ((key,) + res[key]))
    for step in ('build', 'no-op', 'teardown'):
        multi, single = res['3 hosts ' + step][0], res['1 host ' + step][0]
        print('  %-8s 3 hosts / 1 host = %.2f (minimum)' % (step, multi / single))


if __name__ == '__main__':
    main()
