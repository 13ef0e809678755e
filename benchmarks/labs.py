# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time each lab playbook's build and proof, beside Ansible's own floor, in one run.

For every lab: `ansible-playbook playbooks/LAB.yml` (build + proof, the README's
command), then `-e lab_state=absent` (its teardown, timed too). The floor is a
playbook of one `ansible.builtin.ping` task, timed in the same rounds, so the
figures can be read against what Ansible costs on this machine at this moment.
Each lab is printed with its target from issue 11: 5 s for a lab of namespaces
and kernel objects, 10 s for a lab that starts daemons.

    python3 benchmarks/labs.py                       # every lab, 3 rounds
    python3 benchmarks/labs.py --labs failover direct_route --runs 5
"""

from __future__ import absolute_import, division, print_function

import argparse
import os
import statistics
import tempfile

from benchlib import FLOOR_PLAYBOOK, ROOT, ansible_playbook, timed

# Labs whose proof needs a daemon (dnsmasq, radvd, wireguard-go, a watcher, HTTP servers): 10 s.
DAEMON_LABS = ('dns_server', 'netlink_monitor', 'ipv6_gateway', 'vpn_split_tunnel', 'nat_gateway', 'firewall',
               'load_balancer', 'port_forward')
LABS = ('basic_pair', 'router', 'multihop', 'bridge', 'failover', 'direct_route', 'load_balancer',
        'port_forward', 'nat_gateway', 'firewall', 'dns_server', 'netlink_monitor', 'ipv6_gateway',
        'vpn_split_tunnel')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--labs', nargs='+', default=list(LABS), choices=LABS)
    parser.add_argument('--runs', type=int, default=3)
    args = parser.parse_args()
    os.chdir(ROOT)
    with tempfile.NamedTemporaryFile('w', suffix='.yml', prefix='lnp-bench-floor') as ping:
        ping.write(FLOOR_PLAYBOOK)
        ping.flush()
        floor = []
        times = dict((lab, {'build + proof': [], 'teardown': []}) for lab in args.labs)
        for dummy in range(args.runs):
            floor.append(timed(ansible_playbook, ping.name))
            for lab in args.labs:
                book = os.path.join('playbooks', lab + '.yml')
                try:
                    times[lab]['build + proof'].append(timed(ansible_playbook, book))
                finally:
                    times[lab]['teardown'].append(timed(ansible_playbook, book, {'lab_state': 'absent'}))
    print('labs, build + proof and teardown (seconds: minimum / median of %d runs)' % args.runs)
    print('  %-18s %7.2f  %7.2f' % ('floor (one ping)', min(floor), statistics.median(floor)))
    missed = []
    for lab in args.labs:
        build, down = times[lab]['build + proof'], times[lab]['teardown']
        target = 10.0 if lab in DAEMON_LABS else 5.0
        verdict = 'met' if statistics.median(build) <= target else 'NOT met'
        if verdict != 'met':
            missed.append(lab)
        print('  %-18s %7.2f  %7.2f   teardown %5.2f  %5.2f   target %4.1f s: %s'
              % (lab, min(build), statistics.median(build), min(down), statistics.median(down), target, verdict))
    print('  %d of %d labs within their target (median)%s' % (
        len(args.labs) - len(missed), len(args.labs), (': not ' + ', '.join(missed)) if missed else ''))


if __name__ == '__main__':
    main()
