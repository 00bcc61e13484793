"""The vipd of the previous table layouts, built from the project's own history, for the
migration test: the last commit before the first layout change (tunnelling's vipd_neigh_v2 and
vipd_ipid_v1, and two more counters). Its source comes from `git archive` of the checkout the
tests run from, and its build is kept under the build directory, so it is made once.

When the layouts change again, PREVIOUS moves to the last commit before that change, and the
migration test is run from there (docs/RESTART.md "Migrating pinned maps")."""

import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PREVIOUS = 'baed55a75fcf3808166355aeebc9ebd4406b020e'


class Unavailable(Exception):
    """The previous release cannot be built here (no history in the checkout)."""


def _run(argv, **kwargs):
    res = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if res.returncode != 0:
        raise RuntimeError(f'{" ".join(argv)} exited {res.returncode}:\n{res.stdout}{res.stderr}')
    return res


def build(into):
    """(vipd, vipadm) of the previous release, built under `into` if not there yet."""
    have = subprocess.run(['git', '-C', ROOT, 'cat-file', '-e', PREVIOUS + '^{commit}'],
                          capture_output=True)
    if have.returncode != 0:
        raise Unavailable(f'the checkout in {ROOT} has no commit {PREVIOUS} (a shallow clone?): '
                          'the previous release cannot be built')
    top = os.path.join(into, PREVIOUS[:12])
    src, build_dir = os.path.join(top, 'src'), os.path.join(top, 'build')
    vipd = os.path.join(build_dir, 'director', 'vipd')
    vipadm = os.path.join(build_dir, 'tools', 'vipadm', 'vipadm')
    if os.path.exists(vipd) and os.path.exists(vipadm):
        return vipd, vipadm
    shutil.rmtree(top, ignore_errors=True)
    os.makedirs(src)
    archive = subprocess.Popen(['git', '-C', ROOT, 'archive', PREVIOUS], stdout=subprocess.PIPE)
    _run(['tar', '-x', '-C', src], stdin=archive.stdout)
    if archive.wait() != 0:
        raise RuntimeError(f'git archive {PREVIOUS} failed')
    _run(['meson', 'setup', build_dir, src, '-Dtests=disabled'])
    _run(['ninja', '-C', build_dir, 'director/vipd', 'tools/vipadm/vipadm'])
    return vipd, vipadm
