# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: netns
short_description: Run tasks inside a named network namespace of the controller machine
version_added: 0.1.0
description:
  - Runs every task of a host (any module, for example M(ansible.builtin.setup), M(ansible.builtin.template),
    M(ansible.builtin.command), this collection's modules...) inside a named network namespace
    (C(/run/netns/NAME), as made by M(linuxnet.plumbing.netns) or C(ip netns add)) on the machine that runs
    C(ansible-playbook). It is the P(ansible.builtin.local#connection) connection plugin with the
    namespace entered, so namespaces can be inventory hosts.
  - Each command runs the way C(ip netns exec NAME) runs it, done in Python without any C(ip) command line
    (a C(preexec_fn) in the child process, calling C(setns), C(unshare) and C(mount) of the C library through ctypes).
  - The network namespace of the command is the named one.
  - The command has a private mount namespace, a slave of the host's so that nothing propagates back, in which
    C(/sys) is a fresh sysfs that shows the namespace's interfaces, and every entry of C(/etc/netns/NAME/) is
    bind-mounted over the entry of the same name in C(/etc/), so that for example C(/etc/netns/NAME/resolv.conf)
    is C(/etc/resolv.conf) for the module.
  - Everything else (processes, users, other files) is the host's. In particular a module that writes
    a file under C(/etc/) that has no counterpart in C(/etc/netns/NAME/) writes the host's file.
  - Files are transferred on the same machine. M(ansible.builtin.fetch) and the file transfers of the action
    plugins read and write inside the namespace's view of the file system, so fetching C(/etc/resolv.conf)
    returns the namespace's C(/etc/netns/NAME/resolv.conf).
  - A namespace that does not exist, or a name that is not valid, makes the host unreachable with a message
    that names the namespace.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - connection_pipelining
options:
  remote_addr:
    description:
      - Name of the network namespace, as listed by C(ip netns list).
      - Taken from C(ansible_host) and, without it, from the inventory host name.
      - Overridden by O(netns_name).
      - A name containing C(/), C(..) or NUL, or longer than 255 bytes, is refused.
    type: str
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
  netns_name:
    description:
      - Name of the network namespace, when it differs from O(remote_addr) (for example to give the
        inventory host a name of its own and keep C(ansible_host) for something else).
    type: str
    vars:
      - name: ansible_netns_name
notes:
  - The namespaces are those of the machine running C(ansible-playbook) (like P(ansible.builtin.local#connection),
    the managed host is the controller). To act on namespaces of a remote machine, run ansible-playbook there,
    or use the O(linuxnet.plumbing.ip_address#module:netns) option of this collection's modules over a normal
    connection.
  - C(ansible-playbook) must run as root (entering a namespace and mounting need CAP_SYS_ADMIN). The remote
    user is ignored, as with P(ansible.builtin.local#connection). Privilege escalation that asks for a password
    is not supported.
  - Set C(ansible_python_interpreter) for these hosts (for example to C({{ ansible_playbook_python }})).
    Interpreter discovery runs inside the namespace like any module and works, but a pinned interpreter is
    faster and predictable.
  - Writing over a file that is bind-mounted from C(/etc/netns/NAME/) (for example M(ansible.builtin.copy)
    or M(ansible.builtin.template) to C(/etc/resolv.conf)) needs O(ansible.builtin.copy#module:unsafe_writes=true),
    as in a container, because the atomic rename over a mount point fails with C(Device or resource busy), and Ansible
    then writes the file in place.
  - The file changed is C(/etc/netns/NAME/ENTRY); the host's C(/etc/ENTRY) is never touched.
  - Entries of C(/etc/netns/NAME/) that have no counterpart in C(/etc/) cannot be bind-mounted; they are skipped
    with a warning (as C(ip netns exec) does).
seealso:
  - module: linuxnet.plumbing.netns
  - plugin: ansible.builtin.local
    plugin_type: connection
'''

EXAMPLES = r'''
# Inventory (YAML): every namespace host runs its tasks inside its namespace.
# all:
#   children:
#     namespaces:
#       hosts:
#         ns1: {}                       # namespace name = inventory host name
#         router:
#           ansible_host: lab_router    # namespace name from ansible_host
#       vars:
#         ansible_connection: linuxnet.plumbing.netns
#         ansible_python_interpreter: "{{ ansible_playbook_python }}"

- name: Gather the namespace's network facts
  hosts: namespaces
  gather_facts: false
  tasks:
    - name: Read interfaces and addresses of the namespace
      ansible.builtin.setup:
        gather_subset: [network]

    - name: Run a command inside the namespace
      ansible.builtin.command:
        argv: [cat, /etc/resolv.conf]
      register: resolv
      changed_when: false

    - name: Add an address; without netns the module acts in the namespace the task runs in
      linuxnet.plumbing.ip_address:
        dev: veth0
        address: [192.0.2.1/24]

- name: From a play on localhost, delegate one task into a namespace host
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Write the namespace's resolver configuration (/etc/netns/ns1/resolv.conf)
      ansible.builtin.copy:
        dest: /etc/resolv.conf
        content: "nameserver 192.0.2.53\n"
        mode: "0644"
        unsafe_writes: true
      delegate_to: ns1
'''

import os
import subprocess
import sys

import ansible.constants as C
from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.plugins.connection.local import Connection as LocalConnection
from ansible.utils.display import Display

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import (
    CLONE_NEWNS,
    NETNS_ETC_DIR,
    libc,
    libc_call,
    netns_exists,
    netns_path,
    setns,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_netns_name,
)

display = Display()

MS_RDONLY = 0x1
MS_BIND = 0x1000
MS_REC = 0x4000
MS_SLAVE = 0x80000
MNT_DETACH = 0x2

# Copies a file inside the namespace's view of the file system. Run with the
# controller's own Python as `python -c COPY_FILE SRC DST`; '-' is stdin/stdout.
COPY_FILE = (
    "import shutil, sys\n"
    "src, dst = sys.argv[1], sys.argv[2]\n"
    "fsrc = sys.stdin.buffer if src == '-' else open(src, 'rb')\n"
    "fdst = sys.stdout.buffer if dst == '-' else open(dst, 'wb')\n"
    "shutil.copyfileobj(fsrc, fdst)\n"
    "fdst.flush()\n"
)


def bind_plan(name, etc_dir=NETNS_ETC_DIR, target_dir='/etc'):
    """(binds, skipped) for namespace NAME: the (source, target) pairs that
    `ip netns exec` bind-mounts, and the entries with no target in /etc."""
    source_dir = os.path.join(etc_dir, name)
    try:
        entries = sorted(os.listdir(source_dir))
    except OSError:
        return [], []
    binds, skipped = [], []
    for entry in entries:
        target = os.path.join(target_dir, entry)
        if os.path.exists(target):
            binds.append((os.path.join(source_dir, entry), target))
        else:
            skipped.append(os.path.join(source_dir, entry))
    return binds, skipped


def make_enter(name, binds, errfd):
    """The preexec_fn that puts the child into namespace NAME like `ip netns exec`.

    It runs in the forked child before exec: setns(2) into the named network
    namespace, a private mount namespace (slave of the host's, so nothing
    propagates back), a sysfs for this network namespace on /sys, and the
    /etc/netns/NAME entries bound over /etc. Errors are written to ERRFD so the
    parent can report them (subprocess only says that preexec_fn failed).
    """
    libc()  # loaded here, in the parent: the child must not dlopen between fork and exec
    b_path = to_bytes(netns_path(name), errors='surrogate_or_strict')
    b_name = to_bytes(name, errors='surrogate_or_strict')
    b_binds = [(to_bytes(s, errors='surrogate_or_strict'), to_bytes(t, errors='surrogate_or_strict')) for s, t in binds]

    def enter():
        try:
            fd = os.open(b_path, os.O_RDONLY)
            try:
                setns(fd, what='setns(%s)' % netns_path(name))
            finally:
                os.close(fd)
            libc_call('unshare', CLONE_NEWNS, what='unshare(CLONE_NEWNS)')
            libc_call('mount', b'none', b'/', None, MS_REC | MS_SLAVE, None, what='make / a recursive slave mount')
            flags = 0
            try:
                if os.statvfs(b'/sys').f_flag & os.ST_RDONLY:
                    flags = MS_RDONLY
            except OSError:
                pass
            libc().umount2(b'/sys', MNT_DETACH)  # may not be mounted at all; the mount below decides
            libc_call('mount', b_name, b'/sys', b'sysfs', flags, None, what='mount sysfs on /sys')
            for source, target in b_binds:
                libc_call('mount', source, target, b'none', MS_BIND, None,
                          what='bind %s over %s' % (to_native(source), to_native(target)))
        except OSError as exc:
            os.write(errfd, to_bytes(exc.strerror or str(exc), errors='surrogate_or_replace'))
            raise
    return enter


class Connection(LocalConnection):
    """Local connection whose commands run inside a named network namespace."""

    transport = 'linuxnet.plumbing.netns'
    has_pipelining = True

    def __init__(self, *args, **kwargs):
        super(Connection, self).__init__(*args, **kwargs)
        self.netns = None

    def _netns_name(self):
        name = self.get_option('netns_name')
        option = 'ansible_netns_name'
        if not name:
            name = self.get_option('remote_addr') or self._play_context.remote_addr
            option = 'ansible_host'
        try:
            check_netns_name(option, name)
        except ValidationError as exc:
            raise AnsibleConnectionFailure('linuxnet.plumbing.netns connection: invalid network namespace name: %s' % exc)
        return to_text(name)

    def _connect(self):
        if not self._connected:
            name = self._netns_name()
            if not netns_exists(name):
                raise AnsibleConnectionFailure(
                    "linuxnet.plumbing.netns connection: network namespace '%s' does not exist on this machine "
                    "(nothing mounted at %s); create it with linuxnet.plumbing.netns" % (name, netns_path(name)))
            self.netns = name
        return super(Connection, self)._connect()

    def _popen(self, argv_or_cmd, shell, stdin, stdout):
        """subprocess.Popen inside the namespace; failures to enter it raise AnsibleConnectionFailure."""
        binds, skipped = bind_plan(self.netns)
        for path in skipped:
            display.warning("linuxnet.plumbing.netns connection: %s not bind-mounted in namespace '%s': "
                            "/etc has no entry of that name" % (path, self.netns))
        read_end, write_end = os.pipe()
        try:
            try:
                executable = None
                if shell:
                    executable = self._shell_executable()
                proc = subprocess.Popen(
                    argv_or_cmd,
                    shell=shell,
                    executable=executable,
                    cwd=self.cwd,
                    stdin=stdin,
                    stdout=stdout,
                    stderr=subprocess.PIPE,
                    preexec_fn=make_enter(self.netns, binds, write_end),
                )
            except subprocess.SubprocessError:
                os.close(write_end)
                write_end = None
                reason = to_text(os.read(read_end, 4096), errors='surrogate_or_replace') or 'unknown error'
                if os.geteuid() != 0:
                    reason += ' (ansible-playbook must run as root to enter a namespace)'
                raise AnsibleConnectionFailure(
                    "linuxnet.plumbing.netns connection: cannot enter network namespace '%s': %s" % (self.netns, reason))
        finally:
            if write_end is not None:
                os.close(write_end)
            os.close(read_end)
        return proc

    @staticmethod
    def _shell_executable():
        executable = C.DEFAULT_EXECUTABLE.split()[0] if C.DEFAULT_EXECUTABLE else None
        if executable and not os.path.exists(to_bytes(executable, errors='surrogate_or_strict')):
            raise AnsibleError("failed to find the executable specified %s."
                               " Please verify if the executable exists and re-try." % executable)
        return executable

    def exec_command(self, cmd, in_data=None, sudoable=True):
        """Run CMD (as the local connection does, through the shell) inside the namespace."""
        # ConnectionBase.exec_command connects and checks; the local one would start the process itself.
        super(LocalConnection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)
        if sudoable and self.become and self.become.expect_prompt() and not self.get_option('pipelining'):
            raise AnsibleConnectionFailure(
                'linuxnet.plumbing.netns connection: privilege escalation with a password prompt is not supported; '
                'run ansible-playbook as root')

        display.vvv(u"EXEC in netns {0}: {1}".format(self.netns, to_text(cmd)), host=self.netns)
        shell = isinstance(cmd, (str, bytes))
        if shell:
            cmd = to_text(cmd)
        else:
            cmd = [to_text(c) for c in cmd]
        proc = self._popen(cmd, shell, subprocess.PIPE, subprocess.PIPE)
        stdout, stderr = proc.communicate(in_data)
        return proc.returncode, stdout, stderr

    def _copy_in_namespace(self, src, dst, stdin=None, stdout=None):
        argv = [sys.executable, '-c', COPY_FILE, src, dst]
        proc = self._popen(argv, False, stdin if stdin is not None else subprocess.DEVNULL,
                           stdout if stdout is not None else subprocess.DEVNULL)
        stderr = proc.communicate()[1]
        if proc.returncode != 0:
            lines = to_text(stderr, errors='surrogate_or_replace').strip().splitlines()
            raise AnsibleError('failed to copy %s to %s in network namespace %s: %s'
                               % (src, dst, self.netns, lines[-1] if lines else 'exit code %d' % proc.returncode))

    def put_file(self, in_path, out_path):
        """Copy a controller file to OUT_PATH as the namespace's tasks see it."""
        super(LocalConnection, self).put_file(in_path, out_path)
        display.vvv(u"PUT {0} TO {1} (netns {2})".format(in_path, out_path, self.netns), host=self.netns)
        b_in_path = to_bytes(in_path, errors='surrogate_or_strict')
        if not os.path.exists(b_in_path):
            raise AnsibleFileNotFound("file or module does not exist: {0}".format(to_native(in_path)))
        with open(b_in_path, 'rb') as source:
            self._copy_in_namespace('-', to_text(out_path), stdin=source)

    def fetch_file(self, in_path, out_path):
        """Copy IN_PATH as the namespace's tasks see it to a controller file."""
        super(LocalConnection, self).fetch_file(in_path, out_path)
        display.vvv(u"FETCH {0} TO {1} (netns {2})".format(in_path, out_path, self.netns), host=self.netns)
        b_out_path = to_bytes(out_path, errors='surrogate_or_strict')
        try:
            with open(b_out_path, 'wb') as dest:
                self._copy_in_namespace(to_text(in_path), '-', stdout=dest)
        except (IOError, OSError) as exc:
            raise AnsibleError('failed to write %s: %s' % (out_path, exc))
