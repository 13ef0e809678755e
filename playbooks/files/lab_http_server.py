# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A tiny HTTP server for the labs, run inside a network namespace, supervised by a pid file.

The lab playbooks run it with ansible.builtin.script (so it works on any
managed host, standard library only):

    lab_http_server.py start --netns NS --name web --bind 10.0.2.2 --port 80 \
        --pidfile /run/lnp-labs/NS-web.pid --log /run/lnp-labs/NS-web.log
    lab_http_server.py stop --pidfile /run/lnp-labs/NS-web.pid

``start`` is idempotent: when the pid file names a live server of this
script, in that namespace, with the same arguments, it prints ``running`` and
does nothing. Otherwise it stops a stale one, then detaches a server (double
fork, setsid) that enters the namespace with setns(2), binds, writes the pid
file, and only then tells the caller ``started`` - so a probe sent right after
``start`` returns finds the server listening. ``stop`` prints ``stopped`` or
``not running``; the playbooks use those words for ``changed_when``.

Every GET answers 200 with a small text body naming the server and the
client address it saw (after any NAT on the way)::

    server: web
    client: 192.0.2.1
    path: /

and appends one line per request to the log file:
``2024-01-01T12:00:00 web 192.0.2.1 GET /``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import ctypes
import ctypes.util
import datetime
import os
import signal
import socket
import sys
import threading
import time

try:
    from http.server import BaseHTTPRequestHandler, HTTPServer
    import socketserver
    from socketserver import ThreadingMixIn
except ImportError:  # pragma: no cover - Python 2
    sys.exit('lab_http_server.py needs Python 3')

CLONE_NEWNET = 0x40000000
IP_FREEBIND = 15        # bind to an address still tentative (IPv6 DAD) or not yet added
MARKER = 'lab_http_server'


def setns(netns):
    libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6', use_errno=True)
    fd = os.open('/run/netns/%s' % netns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, 'setns into %s: %s' % (netns, os.strerror(err)))
    finally:
        os.close(fd)


def netns_inode(netns):
    return os.stat('/run/netns/%s' % netns).st_ino


def read_pid(pidfile):
    try:
        with open(pidfile) as handle:
            return int(handle.read().split()[0])
    except (IOError, OSError, ValueError, IndexError):
        return None


def cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return handle.read().decode('utf-8', 'replace').rstrip('\0').split('\0')
    except (IOError, OSError):
        return None


def our_server(pid):
    """True when PID is a live server started by this script."""
    args = cmdline(pid) if pid else None
    return bool(args) and any(MARKER in a for a in args) and 'serve' in args


def in_netns(pid, netns):
    try:
        return os.stat('/proc/%d/ns/net' % pid).st_ino == netns_inode(netns)
    except OSError:
        return False


def alive(pid):
    """False once PID has exited, also while it waits as a zombie for a PID 1
    that reaps late (some container inits do so every two seconds)."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (IOError, OSError, IndexError):
        return False


def stop(pidfile):
    """'stopped' or 'not running'; the pid file is removed either way."""
    pid = read_pid(pidfile)
    state = 'not running'
    if pid and our_server(pid):
        os.kill(pid, signal.SIGTERM)
        for _dummy in range(50):
            if not alive(pid):
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
        state = 'stopped'
    try:
        os.unlink(pidfile)
    except OSError:
        pass
    return state


class Handler(BaseHTTPRequestHandler):
    server_version = 'lab_http_server/1'

    def do_GET(self):  # noqa: N802 - the name http.server calls
        peer = self.client_address[0]
        if peer.startswith('::ffff:'):
            peer = peer[7:]
        body = ('server: %s\nclient: %s\npath: %s\n' % (self.server.lab_name, peer, self.path)).encode('utf-8')
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(body)
        self.server.lab_log('%s %s %s GET %s' % (
            datetime.datetime.now().strftime('%Y-%m-%dT%H:%M:%S'), self.server.lab_name, peer, self.path))

    def log_message(self, *args):   # the requests go to the lab's own log
        pass


class Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, name, log):
        self.address_family = socket.AF_INET6 if ':' in address[0] else socket.AF_INET
        self.lab_name = name
        self.lab_log = log
        HTTPServer.__init__(self, address, Handler, bind_and_activate=False)
        try:
            if self.address_family == socket.AF_INET6:
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            self.socket.setsockopt(socket.IPPROTO_IP, IP_FREEBIND, 1)
        except OSError:
            pass
        try:
            # TCPServer's bind, not HTTPServer's: that one looks up the host's
            # FQDN, which may wait for DNS inside an isolated namespace.
            socketserver.TCPServer.server_bind(self)
            self.server_name, self.server_port = address[0], address[1]
            self.server_activate()
        except Exception:
            self.server_close()
            raise


def serve(args, ready):
    """In the detached child: enter the namespace, bind every address, report, serve until SIGTERM."""
    setns(args.netns)
    lock = threading.Lock()
    log = open(args.log, 'a') if args.log else None

    def write_log(line):
        if log:
            with lock:
                log.write(line + '\n')
                log.flush()

    servers = [Server((address, args.port), args.name, write_log) for address in args.bind]
    with open(args.pidfile, 'w') as handle:
        handle.write('%d\n' % os.getpid())
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stopping.set())
    for server in servers:
        thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2})
        thread.daemon = True
        thread.start()
    ready('ok %d' % os.getpid())
    while not stopping.wait(1.0):
        pass
    for server in servers:
        server.shutdown()
        server.server_close()
    if read_pid(args.pidfile) == os.getpid():
        os.unlink(args.pidfile)


def start(args):
    """'running' (nothing done), 'started' or an error (exit 1)."""
    if not os.path.exists('/run/netns/%s' % args.netns):
        sys.stderr.write('network namespace %s does not exist\n' % args.netns)
        return 1
    pid = read_pid(args.pidfile)
    if pid and our_server(pid):
        if in_netns(pid, args.netns) and cmdline(pid)[-len(serve_argv(args)):] == serve_argv(args):
            print('running %d' % pid)
            return 0
        stop(args.pidfile)      # another namespace (recreated) or other arguments: replace it
    directory = os.path.dirname(os.path.abspath(args.pidfile))
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    ready_r, ready_w = os.pipe()
    if os.fork():
        os.close(ready_w)
        status = os.read(ready_r, 4096).decode('utf-8', 'replace')
        if status.startswith('ok '):
            print('started %s' % status[3:])
            return 0
        sys.stderr.write(status or 'the server exited before listening\n')
        return 1
    # child: a new session, then fork again so that the server is no session leader
    # and is reparented to init when this child exits.
    os.close(ready_r)
    os.setsid()
    if os.fork():
        os._exit(0)  # pylint: disable=protected-access
    # Re-exec ourselves as the server so that its command line names it (our_server)
    # and holds its arguments (start compares them on the next run).
    os.dup2(ready_w, 3)
    os.set_inheritable(3, True)
    os.execv(sys.executable, [sys.executable, os.path.abspath(__file__), 'serve', '--ready-fd', '3'] + serve_argv(args))
    return 1    # not reached


def serve_argv(args):
    argv = ['--netns', args.netns, '--name', args.name, '--port', str(args.port), '--pidfile', args.pidfile]
    for address in args.bind:
        argv += ['--bind', address]
    if args.log:
        argv += ['--log', args.log]
    return argv


def run_serve(args):
    fd = args.ready_fd

    def ready(text):
        if fd is not None:
            os.write(fd, text.encode('utf-8'))
            os.close(fd)

    devnull = os.open(os.devnull, os.O_RDWR)
    for std in (0, 1, 2):
        os.dup2(devnull, std)
    os.chdir('/')
    try:
        serve(args, ready)
    except Exception as exc:  # pylint: disable=broad-except
        ready('error: %s\n' % exc)
        return 1
    return 0


def parse(argv):
    parser = argparse.ArgumentParser(description='A tiny HTTP server in a network namespace, for the labs.')
    parser.add_argument('command', choices=['start', 'stop', 'serve'])
    parser.add_argument('--netns', help='network namespace (a name under /run/netns)')
    parser.add_argument('--name', default='server', help='the name the server answers with')
    parser.add_argument('--bind', action='append', default=[], help='address to listen on (repeat for more)')
    parser.add_argument('--port', type=int, default=80)
    parser.add_argument('--pidfile', required=True)
    parser.add_argument('--log', help='file that gets one line per request')
    parser.add_argument('--ready-fd', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.command != 'stop' and (not args.netns or not args.bind):
        parser.error('%s needs --netns and --bind' % args.command)
    return args


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.command == 'stop':
        print(stop(args.pidfile))
        return 0
    if args.command == 'serve':
        return run_serve(args)
    return start(args)


if __name__ == '__main__':
    sys.exit(main())
