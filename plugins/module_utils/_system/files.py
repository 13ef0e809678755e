# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way the collection writes files: atomic, with a mode that does not
depend on the caller's umask.

Under umask 000 a file opened the ordinary way is 0666 and a directory 0777
(anyone could redirect a namespace's DNS); under 077 a sysctl.d file becomes
0600 and unreadable to the tools that read it. So every mode is set
explicitly (fchmod on the open temp file, chmod after mkdir), never left to
the umask.

The content goes to a temp file in the target's directory (same filesystem,
so rename(2) is atomic), is fsynced, then renamed over the target; readers see
the old file or the new one, never a partial one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure

FILE_MODE = 0o644
DIR_MODE = 0o755
KEY_MODE = 0o600


def ensure_directory(path, mode=DIR_MODE):
    """Create path and its missing parents, each with mode; existing ones are left as they are."""
    missing = []
    current = os.path.abspath(path)
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory)
        except OSError as exc:
            if exc.errno != errno.EEXIST:  # a concurrent run made it: fine, its mode is its own
                raise
            continue
        os.chmod(directory, mode)


def write_file(path, content, mode=FILE_MODE, keep_existing_mode=False, dir_mode=DIR_MODE):
    """Replace path with content (str or bytes) atomically.

    mode is the new file's permission bits. With keep_existing_mode, a file
    that already exists keeps its permission bits and owner (for editing
    configuration files that belong to someone else); a new one gets mode.
    Raises ModuleFailure naming the path when the write fails; the target is
    then untouched.
    """
    if not isinstance(content, bytes):
        content = content.encode('utf-8')
    directory = os.path.dirname(os.path.abspath(path))
    try:
        ensure_directory(directory, dir_mode)
        owner = None
        if keep_existing_mode:
            try:
                st = os.stat(path)
            except OSError as exc:
                if exc.errno != errno.ENOENT:
                    raise
            else:
                mode = st.st_mode & 0o7777
                owner = (st.st_uid, st.st_gid)
        _replace(path, directory, content, mode, owner)
    except (IOError, OSError) as exc:
        raise ModuleFailure('cannot write %s: %s' % (path, exc.strerror or exc), path=path)


def _replace(path, directory, content, mode, owner):
    fd, tmp = _create_temp(directory, os.path.basename(path))
    try:
        os.fchmod(fd, mode)
        if owner is not None:
            os.fchown(fd, owner[0], owner[1])
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        os.close(fd)
        fd = None
        os.rename(tmp, path)
        tmp = None
    finally:
        if fd is not None:
            os.close(fd)
        if tmp is not None:
            os.unlink(tmp)
    _sync_directory(directory)


def _create_temp(directory, name):
    """A new empty file next to the target, created 0600 (O_EXCL: never someone else's file)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_CLOEXEC', 0)
    for attempt in range(100):
        tmp = os.path.join(directory, '.%s.%d.%d.tmp' % (name, os.getpid(), attempt))
        try:
            return os.open(tmp, flags, KEY_MODE), tmp
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise
    raise OSError(errno.EEXIST, 'no free temporary file name in %s' % directory)


def _sync_directory(directory):
    """Make the rename itself durable (the new directory entry)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on a directory; the rename is done either way
    finally:
        os.close(fd)
