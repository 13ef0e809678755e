#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: netns_daemon
short_description: Run a daemon in a network namespace, with its configuration files, supervised by its pid file
description:
  - Does in one call what a role otherwise spreads over a dozen tasks - directories, configuration files (each
    checked by a validator before it replaces the old one), and a daemon started inside the network namespace
    O(netns), found again later through O(pidfile).
  - The daemon B(runs) when O(pidfile) names a live process whose C(/proc/PID/cmdline) is exactly O(command) and
    whose network namespace (C(/proc/PID/ns/net)) is O(netns). A stale pid file, a recycled pid, another command or
    the same command in another namespace is not running.
  - With O(state=started) the daemon is started when it does not run, restarted (SIGTERM, SIGKILL after 3 s, then
    started) when a file of O(files) changed or O(restart=true), and otherwise left alone. After a start the module
    waits for it to run and fails with its output (and the end of O(log)) when it does not.
  - The command is run directly (no shell, no C(ip netns exec)) by a process that entered the network namespace
    only; the mount namespace is the module's, so C(/etc/netns/NAME/) files are not bind-mounted over C(/etc/).
  - Every check is done before anything changes - the options, the namespace, the program, and every file that
    would change through its validator (also in check mode).
version_added: 1.1.0
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
options:
  name:
    description: The daemon's name in messages and actions (it identifies nothing on the system).
    type: str
    required: true
  command:
    description:
      - The daemon's argv, run without a shell. The first element is the program (an absolute path, or a name
        looked up in C(PATH) and the sbin directories).
      - It must be what the process shows in C(/proc/PID/cmdline) - give the program itself, not a wrapper
        script (such as a pyenv shim) that execs another one.
      - Required with O(state=started). With O(state=stopped) or O(state=absent) it makes sure only this command is
        stopped; without it any live process of O(netns) named by O(pidfile) is.
      - With O(state=stopped) or O(state=absent) and an O(netns) that no longer exists, the daemon (which keeps its
        namespace alive) is found by O(command) alone, so a teardown that removed the namespace first still stops
        it.
    type: list
    elements: str
  pidfile:
    description:
      - Absolute path of the pid file. With O(daemonizes=true) the daemon writes it (dnsmasq's C(pid-file=),
        radvd's C(-p)); with O(daemonizes=false) the module does.
    type: path
    required: true
  daemonizes:
    description:
      - V(true) - the command forks into the background itself and writes O(pidfile) (dnsmasq, radvd). The module
        runs it, waits for it to return (at most O(ready_timeout)) and then for O(pidfile) to name the running
        daemon.
      - V(false) - the command stays in the foreground (C(python3 -m http.server)); the module detaches it (double
        fork, new session, stdin from C(/dev/null), stdout and stderr to O(log) or C(/dev/null), every other
        descriptor closed) and writes O(pidfile).
    type: bool
    default: false
  log:
    description:
      - Absolute path of a file that gets the daemon's stdout and stderr (appended) with O(daemonizes=false). Its
        last lines are part of the message when a start fails.
    type: path
  files:
    description:
      - Files the daemon reads (its configuration). A file whose content or mode differs is rewritten atomically
        (a temporary file in the same directory renamed over it) and makes a running daemon restart.
      - With O(state=absent) they are removed.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      content:
        description: The whole content.
        type: str
        required: true
      mode:
        description: Permission bits, as an octal string.
        type: raw
        default: '0644'
      validate:
        description:
          - A validator argv with an element holding C(%s), replaced by the path of a temporary copy of the new
            content (V([/usr/sbin/dnsmasq, --test, --conf-file=%s])). It runs before anything is changed, also in
            check mode, inside O(netns). When it exits non-zero the task fails with its output and nothing is
            written, so a configuration the daemon refuses never replaces a working one.
          - It runs only when the file would change.
        type: list
        elements: str
  directories:
    description:
      - Directories to create (with missing parents) before the files are written, with O(state=started). An
        existing directory keeps its mode.
      - With O(state=absent) each is removed when it is empty once the files and the pid file are gone (deepest
        first); a directory something else still uses stays.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      mode:
        description: Permission bits for a new directory, as an octal string.
        type: raw
        default: '0755'
  state:
    description:
      - V(started) - files and directories in place, the daemon running with them.
      - V(stopped) - the daemon stopped (its pid file removed); the files stay.
      - V(absent) - the daemon stopped, the files, the pid file and the empty O(directories) removed.
    type: str
    choices: [started, stopped, absent]
    default: started
  restart:
    description: Restart a running daemon even when no file changed (reported as a change).
    type: bool
    default: false
  ready_timeout:
    description:
      - Seconds to wait after a start for the daemon to run (and, with O(daemonizes=true), for the command to
        return).
    type: float
    default: 5
  package:
    description: The package that provides the program, named in the error when the program is missing.
    type: str
notes:
  - A daemon started with O(daemonizes=false) that exits within 0.25 s of its start is reported as a failed start.
  - Needs root (entering a namespace needs CAP_SYS_ADMIN). pyroute2 is not needed by this module.
seealso:
  - module: linuxnet.plumbing.netns
  - module: linuxnet.plumbing.probe
'''

EXAMPLES = r'''
- name: A dnsmasq in namespace lab-server (it forks and writes its pid file)
  linuxnet.plumbing.netns_daemon:
    name: dnsmasq lab
    netns: lab-server
    command: [/usr/sbin/dnsmasq, --conf-file=/etc/linuxnet/dnsmasq/lab.conf]
    daemonizes: true
    pidfile: /run/linuxnet-dnsmasq/lab.pid
    directories:
      - {path: /etc/linuxnet/dnsmasq}
      - {path: /run/linuxnet-dnsmasq}
    files:
      - path: /etc/linuxnet/dnsmasq/lab.conf
        content: |
          no-resolv
          bind-dynamic
          listen-address=10.0.2.1
          pid-file=/run/linuxnet-dnsmasq/lab.pid
          host-record=web.lab,10.0.2.80
        validate: [/usr/sbin/dnsmasq, --test, --conf-file=%s]
    package: dnsmasq-base

- name: A web server in namespace lab-web, detached by the module, its output in a log
  linuxnet.plumbing.netns_daemon:
    name: web
    netns: lab-web
    command: [/usr/bin/python3, -m, http.server, --bind, 10.0.3.80, "80", --directory, /srv/lab]
    pidfile: /run/lab/web.pid
    log: /run/lab/web.log

- name: Stop the web server (files stay)
  linuxnet.plumbing.netns_daemon:
    name: web
    netns: lab-web
    command: [/usr/bin/python3, -m, http.server, --bind, 10.0.3.80, "80", --directory, /srv/lab]
    pidfile: /run/lab/web.pid
    state: stopped

- name: Remove the dnsmasq, its configuration and its empty directories
  linuxnet.plumbing.netns_daemon:
    name: dnsmasq lab
    netns: lab-server
    command: [/usr/sbin/dnsmasq, --conf-file=/etc/linuxnet/dnsmasq/lab.conf]
    pidfile: /run/linuxnet-dnsmasq/lab.pid
    files:
      - {path: /etc/linuxnet/dnsmasq/lab.conf, content: ""}
    directories:
      - {path: /etc/linuxnet/dnsmasq}
      - {path: /run/linuxnet-dnsmasq}
    state: absent
'''

RETURN = r'''
action:
  description: What was (or in check mode would be) done to the daemon.
  returned: always
  type: str
  choices: [none, start, restart, stop]
  sample: restart
pid:
  description: The daemon's pid after the run (the new one after a start); in check mode the current one, or null
    when a start, restart or stop is predicted.
  returned: always
  type: int
  sample: 4242
running:
  description: Whether the daemon runs after the run (predicted in check mode).
  returned: always
  type: bool
  sample: true
files_changed:
  description: The files of O(files) that were (or would be) written, or removed with O(state=absent).
  returned: always
  type: list
  elements: str
  sample: [/etc/linuxnet/dnsmasq/lab.conf]
actions:
  description: One line per change made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
  sample: ["write /etc/linuxnet/dnsmasq/lab.conf", "stop pid 4242", "start /usr/sbin/dnsmasq --conf-file=... in namespace 'lab'"]
diff:
  description: Before and after - C(running), C(pid) and C(files) (path to content, null for a missing file).
  returned: always
  type: dict
  sample:
    before: {running: true, pid: 4242, files: {/etc/x.conf: "port=53\n"}}
    after: {running: true, pid: 4250, files: {/etc/x.conf: "port=5353\n"}}
'''

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import new_module, run_module
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.daemon import netns_daemon


def main():
    module = new_module(
        argument_spec=dict(
            name=dict(type='str', required=True),
            command=dict(type='list', elements='str'),
            pidfile=dict(type='path', required=True),
            daemonizes=dict(type='bool', default=False),
            log=dict(type='path'),
            files=dict(type='list', elements='dict', default=[], options=dict(
                path=dict(type='path', required=True),
                content=dict(type='str', required=True),
                mode=dict(type='raw', default='0644'),
                validate=dict(type='list', elements='str'),
            )),
            directories=dict(type='list', elements='dict', default=[], options=dict(
                path=dict(type='path', required=True),
                mode=dict(type='raw', default='0755'),
            )),
            state=dict(type='str', choices=['started', 'stopped', 'absent'], default='started'),
            restart=dict(type='bool', default=False),
            ready_timeout=dict(type='float', default=5.0),
            package=dict(type='str'),
        ),
        needs_pyroute2=False,
        required_if=[('state', 'started', ('command',))],
    )
    run_module(module, lambda m: netns_daemon(m.params, m.check_mode))


if __name__ == '__main__':
    main()
