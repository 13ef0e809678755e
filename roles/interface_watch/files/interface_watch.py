# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""interface_watch: apply the worker fixes as soon as the kernel reports a new
interface, without waiting for the next Ansible run.

    interface_watch.py run --config FILE [--daemon --pidfile FILE --logfile FILE]
    interface_watch.py ensure --config FILE --pidfile FILE --logfile FILE [--restart]
                                                  JSON: changed, action (none, start, restart), pid
    interface_watch.py status --pidfile FILE      JSON: running, pid
    interface_watch.py stop --pidfile FILE        SIGTERM, wait for the exit
    interface_watch.py restart-pod NAME           crictl: stop and remove the pods named NAME

Installed by the linuxnet.plumbing.interface_watch role as one file with the
collection's pure module_utils it imports (the policy_routes planner, the
netlink event model) embedded (filter linuxnet.plumbing.python_bundle). It reacts
to link, route and rule notifications (one bound rtnetlink socket, select()),
debounces a burst, then: rp_filter of each new matching interface through
/proc/sys, the missing default routes of the policy-routing tables over
netlink, the restart hook once per burst that brought a new interface. A full
resync every `resync_seconds` repairs what a lost notification (socket
overrun) left behind. Every action is one log line; report_only only logs.
"""

from __future__ import absolute_import, division, print_function

import argparse
import errno
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time

RTMGRP_LINK = 0x1
RTMGRP_IPV4_ROUTE = 0x40
RTMGRP_IPV4_RULE = 0x80
RTMGRP_IPV6_ROUTE = 0x400
GROUPS = RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV4_RULE | RTMGRP_IPV6_ROUTE
# IPv6 rules: group RTNLGRP_IPV6_RULE (19) has no legacy bit; joined by number below.
RTNLGRP_IPV6_RULE = 19
SOL_NETLINK = 270
RCVBUF = 1 << 20
NETLINK_ADD_MEMBERSHIP = 1


def log(message):
    sys.stdout.write('%s interface_watch: %s\n' % (time.strftime('%Y-%m-%dT%H:%M:%S'), message))
    sys.stdout.flush()


def _collection():
    """The collection's pure module_utils, embedded in the installed program
    (imported only by `run`: status and stop work from the bare program too)."""
    # pylint: disable=import-outside-toplevel
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan import interface_watch, netlink_events
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan import policy_routes, routes, rules
    return dict(watch=interface_watch, events=netlink_events, plan=policy_routes, routes=routes, rules=rules)


class Watcher(object):
    def __init__(self, config, lib):
        # pylint: disable=import-outside-toplevel
        from pyroute2 import IPRoute
        from pyroute2.netlink.rtnl.marshal import MarshalRtnl
        self.lib = lib
        self.config = config
        self.prefix = 'would ' if config['report_only'] else ''
        # a plain socket read with select(): pyroute2 0.9's own reader buffers
        # messages where select() cannot see them; its parser serves both
        self.events = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self.events.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        self.events.bind((0, GROUPS))
        self.events.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, RTNLGRP_IPV6_RULE)
        self.marshal = MarshalRtnl()
        self.requests = IPRoute()
        self.view = lib['events'].NamespaceView(config['netns'] or None)
        self.seen = set()

    def close(self):
        self.events.close()
        self.requests.close()

    def links(self):
        out = {}
        for msg in self.requests.get_links():
            self.view.event(msg)
            out[msg.get_attr('IFLA_IFNAME')] = msg['index']
        return out

    # -- the fixes -------------------------------------------------------------

    def fix_rp_filter(self, name):
        path = '/proc/sys/net/ipv4/conf/%s/rp_filter' % name
        want = self.config['rp_filter_mode']
        try:
            with open(path) as handle:
                have = int(handle.read().strip())
            if have == want:
                return False
            log('%sset rp_filter of %s: %d -> %d' % (self.prefix, name, have, want))
            if not self.config['report_only']:
                with open(path, 'w') as handle:
                    handle.write('%d\n' % want)
            return True
        except OSError as exc:
            # gone again already (a short-lived interface): nothing to fix
            if exc.errno != errno.ENOENT:
                log('error: rp_filter of %s: %s' % (name, exc))
            return False

    def fix_policy_routes(self):
        links = self.links()
        names = dict((i, n) for n, i in links.items())
        routes = [r for r in (self.lib['routes'].route_from_msg(m, names) for m in self.requests.get_routes()) if r is not None]
        rules = [self.lib['rules'].rule_from_msg(m) for m in self.requests.get_rules()]
        plan = self.lib['plan'].policy_routes_plan(rules, routes)
        describe = self.lib['plan'].policy_routes_describe
        count = 0
        for fix in plan['fixes']:
            log('%sadd %s' % (self.prefix, describe(fix)))
            count += 1
            if self.config['report_only']:
                continue
            route = self.lib['routes'].normalise_route(dict(
                family=fix['family'], dest='default', table=fix['table'],
                metric=0 if fix['family'] == 'ipv4' else 1024, type='unicast', scope='global', proto='boot',
                gateway=fix['gateway'], dev=fix['dev'], src=None, onlink=False, nexthops=None))
            try:
                self.requests.route('add', **self.lib['routes'].route_request(route, links))
            except Exception as exc:  # pylint: disable=broad-except
                # EEXIST: added meanwhile by someone else; the rest: reported, retried at the next resync
                log('error: %s: %s' % (describe(fix), exc))
        return count

    def run_hook(self, reason):
        hook = self.config['restart_hook']
        if not hook:
            return
        log('%srun hook %s (%s)' % (self.prefix, json.dumps(hook), reason))
        if self.config['report_only']:
            return
        try:
            done = subprocess.run(hook, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=60, check=False)
            log('hook exited %d%s' % (done.returncode, (': ' + done.stdout.decode('utf-8', 'replace').strip()[-200:])
                                      if done.returncode else ''))
        except (OSError, subprocess.TimeoutExpired) as exc:
            log('error: hook %s: %s' % (json.dumps(hook), exc))

    # -- the loop --------------------------------------------------------------

    def resync(self):
        links = self.links()
        for name in sorted(links):
            if self.lib['events'].name_matches(name, self.config['patterns']):
                # fixed here, so a later change of the link is not news
                self.seen.add((links[name], name))
                self.fix_rp_filter(name)
        if self.config['policy_routes']:
            self.fix_policy_routes()

    def settle(self, burst):
        for name in burst.new_links:
            self.fix_rp_filter(name)
        if self.config['policy_routes'] and (burst.tables_touched or burst.new_links):
            self.fix_policy_routes()
        if burst.new_links:
            self.run_hook('new interface(s): %s' % ', '.join(burst.new_links))

    def loop(self, stop):
        burst = self.lib['watch'].Burst(self.config['quiet_seconds'], self.config['max_wait_seconds'])
        next_resync = time.monotonic() + self.config['resync_seconds']
        while not stop:
            now = time.monotonic()
            wake = min(next_resync, burst.deadline() or next_resync)
            ready = select.select([self.events], [], [], max(0.0, wake - now))[0]
            if ready:
                now = time.monotonic()
                try:
                    data = self.events.recv(RCVBUF)
                except OSError as exc:
                    if exc.errno != errno.ENOBUFS:
                        raise
                    log('notifications lost (socket overrun): full resync')
                    next_resync = now
                    continue
                for msg in self.marshal.parse(data):
                    new_link, tables = self.lib['watch'].classify(self.view.event(msg), self.config['patterns'], self.seen)
                    if new_link or tables:
                        burst.add(now, new_link, tables)
            now = time.monotonic()
            if burst.due(now):
                self.settle(burst)
                burst = self.lib['watch'].Burst(self.config['quiet_seconds'], self.config['max_wait_seconds'])
            if now >= next_resync:
                self.resync()
                next_resync = now + self.config['resync_seconds']


def read_pid(pidfile):
    try:
        with open(pidfile) as handle:
            pid = int(handle.read().strip())
    except (OSError, ValueError):
        return None
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            argv = handle.read().split(b'\0')
    except OSError:
        return None
    # a recycled pid belongs to another program: not ours
    return pid if os.fsencode(pidfile) in argv and any(a.endswith(b'interface_watch.py') for a in argv) else None


def daemonize(pidfile, logfile):
    """Fork twice; the parent exits 0 once the watcher is listening (or 1
    with its error), so the role knows the outcome without waiting."""
    rfd, wfd = os.pipe()
    if os.fork():
        os.close(wfd)
        message = os.read(rfd, 4096).decode('utf-8', 'replace')
        if message == 'ready':
            sys.exit(0)
        sys.stderr.write(message or 'interface_watch: the daemon exited before it was ready\n')
        sys.exit(1)
    os.close(rfd)
    os.setsid()
    if os.fork():
        os._exit(0)  # pylint: disable=protected-access
    os.chdir('/')
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(logfile, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(null)
    os.close(out)
    with open(pidfile + '.tmp', 'w') as handle:
        handle.write('%d\n' % os.getpid())
    os.rename(pidfile + '.tmp', pidfile)
    return wfd


def command_run(args):
    lib = _collection()
    with open(args.config) as handle:
        try:
            config = lib['watch'].load_config(json.load(handle))
        except ValueError as exc:
            sys.stderr.write('interface_watch: %s: %s\n' % (args.config, exc))
            return 2
    ready_fd = daemonize(args.pidfile, args.logfile) if args.daemon else None
    stop = []

    def on_term(signum, frame):  # pylint: disable=unused-argument
        stop.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    watcher = None
    try:
        if config['netns']:
            from pyroute2.netns import setns  # pylint: disable=import-outside-toplevel
            setns(config['netns'], flags=0)  # the whole (single-threaded) process: netlink and /proc/sys alike
        watcher = Watcher(config, lib)
        log('watching %s for %s (rp_filter %d, policy routes %s, hook %s%s)' % (
            ('namespace ' + config['netns']) if config['netns'] else 'this namespace', ' '.join(config['patterns']),
            config['rp_filter_mode'], 'on' if config['policy_routes'] else 'off',
            json.dumps(config['restart_hook']), ', report only' if config['report_only'] else ''))
        watcher.resync()
    except Exception as exc:  # pylint: disable=broad-except
        message = 'interface_watch: cannot start: %s\n' % exc
        if ready_fd is not None:
            os.write(ready_fd, message.encode('utf-8'))
            _remove(args.pidfile)
        sys.stderr.write(message)
        return 1
    if ready_fd is not None:
        os.write(ready_fd, b'ready')
        os.close(ready_fd)
    try:
        watcher.loop(stop)
    except KeyboardInterrupt:
        pass
    finally:
        log('stopping')
        watcher.close()
        if args.daemon:
            _remove(args.pidfile)
    return 0


def _remove(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def command_status(args):
    pid = read_pid(args.pidfile)
    print(json.dumps(dict(running=pid is not None, pid=pid)))
    return 0


def stop_process(pid, pidfile):
    """SIGTERM, then wait until the process has exited (SIGKILL after 10 s)."""
    fd = os.pidfd_open(pid)
    os.kill(pid, signal.SIGTERM)
    # the pidfd turns readable when the process has exited
    if not select.select([fd], [], [], 10)[0]:
        os.kill(pid, signal.SIGKILL)
        select.select([fd], [], [], 10)
    os.close(fd)
    _remove(pidfile)


def command_stop(args):
    pid = read_pid(args.pidfile)
    if pid is None:
        _remove(args.pidfile)
    else:
        stop_process(pid, args.pidfile)
    print(json.dumps(dict(stopped=pid is not None, pid=pid)))
    return 0


def command_ensure(args):
    """Running as configured, in one call from the role: started when it is
    not running, stopped and started again with --restart (a new program or
    settings). The daemon is this program's own `run --daemon`, so its command
    line (what status and stop recognise) is the same however it started."""
    pid = read_pid(args.pidfile)
    action = 'start' if pid is None else ('restart' if args.restart else 'none')
    if action != 'none':
        if pid is not None:
            stop_process(pid, args.pidfile)
        started = subprocess.run([sys.executable, os.path.abspath(__file__), 'run', '--config', args.config,
                                  '--daemon', '--pidfile', args.pidfile, '--logfile', args.logfile],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 check=False)
        if started.returncode:
            sys.stderr.write(started.stdout.decode('utf-8', 'replace'))
            return started.returncode
        pid = read_pid(args.pidfile)
    print(json.dumps(dict(changed=action != 'none', action=action, pid=pid)))
    return 0


def command_restart_pod(args):
    """The default hook: the kubelet recreates a pod of a DaemonSet (kube-proxy)
    that is removed, and the new one sees every interface."""
    found = subprocess.run(['crictl', 'pods', '--name', args.name, '-q'], stdout=subprocess.PIPE, check=True)
    for pod in found.stdout.decode().split():
        subprocess.run(['crictl', 'stopp', pod], check=True)
        subprocess.run(['crictl', 'rmp', pod], check=True)
        print('restarted pod %s (%s)' % (args.name, pod))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog='interface_watch.py')
    sub = parser.add_subparsers(dest='command', required=True)
    run = sub.add_parser('run')
    run.add_argument('--config', required=True)
    run.add_argument('--daemon', action='store_true')
    run.add_argument('--pidfile')
    run.add_argument('--logfile')
    ensure = sub.add_parser('ensure')
    for name in ('--config', '--pidfile', '--logfile'):
        ensure.add_argument(name, required=True)
    ensure.add_argument('--restart', action='store_true')
    for name in ('status', 'stop'):
        sub.add_parser(name).add_argument('--pidfile', required=True)
    sub.add_parser('restart-pod').add_argument('name')
    args = parser.parse_args(argv)
    if args.command == 'run' and args.daemon and not (args.pidfile and args.logfile):
        parser.error('run --daemon needs --pidfile and --logfile')
    return dict(run=command_run, ensure=command_ensure, status=command_status, stop=command_stop,
                restart_pod=command_restart_pod)[args.command.replace('-', '_')](args)


if __name__ == '__main__':
    sys.exit(main())
