# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start module runs as parallel processes and report what each returned.

  parallel_runs.py --collections DIR --jobs JOBS.json

JOBS.json is a list of {"module": NAME, "args": {...}}. Every module of the
collection is started (argument lists, no shell) with its arguments in the
file form AnsibleModule reads (argv[1]); all processes are started before the
first is waited for, so their reads, plans and commits overlap. Prints a JSON
list, in job order, of {"module", "args", "rc", "result"} (result: the
module's JSON answer, or {"unparsed": OUTPUT} when it printed none).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--collections', required=True, help='the directory holding ansible_collections/')
    parser.add_argument('--jobs', required=True)
    opts = parser.parse_args()
    with open(opts.jobs) as handle:
        jobs = json.load(handle)
    modules = os.path.join(opts.collections, 'ansible_collections', 'linuxnet', 'plumbing', 'plugins', 'modules')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([opts.collections] + sys.path[1:]))
    with tempfile.TemporaryDirectory(prefix='nfl-runs-') as tmp:
        procs = []
        for index, job in enumerate(jobs):
            args_file = os.path.join(tmp, '%d.json' % index)
            with open(args_file, 'w') as handle:
                json.dump({'ANSIBLE_MODULE_ARGS': job['args']}, handle)
            procs.append(subprocess.Popen([sys.executable, os.path.join(modules, job['module'] + '.py'), args_file],
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env))
        report = []
        for job, proc in zip(jobs, procs):
            out = proc.communicate()[0].decode('utf-8', 'replace')
            try:
                result = json.loads(out[out.index('{'):])
            except ValueError:
                result = {'unparsed': out}
            report.append({'module': job['module'], 'args': job['args'], 'rc': proc.returncode, 'result': result})
    json.dump(report, sys.stdout)


if __name__ == '__main__':
    main()
