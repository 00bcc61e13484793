#!/usr/bin/env python3
"""End to end: the capabilities of configs/vipd.service. vipd is run as root with every
capability dropped but the unit's CapabilityBoundingSet (read from the unit itself, so the two
cannot drift apart): it starts, attaches, forwards and answers vipadm; without any one member
it refuses to start, naming that capability, with exit status 4 and nothing touched.

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import grp
import os
import re
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from test_startup import answers, pins, serve, xdp_programs  # noqa: E402
from vipd_farm import Vipd  # noqa: E402

UNIT = os.path.join(ROOT, 'configs', 'vipd.service.in')
ADMIN_GROUP = 'nogroup'  # any group but root's; Debian always has this one


def unit_capabilities():
    """The CapabilityBoundingSet of the shipped unit, e.g. ['CAP_NET_ADMIN', ...]."""
    with open(UNIT) as f:
        [line] = re.findall(r'^CapabilityBoundingSet=(.*)$', f.read(), flags=re.M)
    return line.split()


def only(caps):
    """A wrapper for a command line: run it as root with the bounding set (and so, for root,
    the permitted and effective sets) reduced to `caps`, and nothing inheritable."""
    names = ''.join(',+' + c[len('CAP_'):].lower() for c in caps)
    return lambda argv: ['setpriv', '--inh-caps=-all', '--bounding-set=-all' + names, '--'] + \
        list(argv)


def effective(pid):
    with open(f'/proc/{pid}/status') as f:
        return int(re.search(r'^CapEff:\s*([0-9a-f]+)$', f.read(), flags=re.M).group(1), 16)


CAP_NUMBERS = {'CAP_CHOWN': 0, 'CAP_SETGID': 6, 'CAP_SETUID': 7, 'CAP_NET_ADMIN': 12, 'CAP_SYS_ADMIN': 21, 'CAP_PERFMON': 38,
               'CAP_BPF': 39}


def commands_conf(farm):
    """A vipd.conf whose service has an exec check, which runs as nobody: CAP_SETUID, CAP_SETGID."""
    path = os.path.join(farm.tempdir, 'commands.conf')
    with open(path, 'w') as f:
        f.write('[[service]]\nprotocol = "tcp"\naddress = "198.18.1.200:80"\n'
                '  [[service.check]]\n  type = "exec"\n  command = ["/bin/true"]\n'
                f'  [[service.real]]\n  address = "{farm.ip("real1")}"\n')
    return path


class Capabilities(unittest.TestCase):

    def setUp(self):
        self.caps = unit_capabilities()
        self.assertEqual(sorted(self.caps),
                         ['CAP_BPF', 'CAP_CHOWN', 'CAP_NET_ADMIN', 'CAP_PERFMON', 'CAP_SETGID',
                          'CAP_SETUID'])

    def test_vipd_runs_with_exactly_the_units_capabilities(self):
        with Farm(reals=2) as farm:
            vipd = Vipd(farm, extra_args=['--admin-group', ADMIN_GROUP,
                                          '--config', commands_conf(farm)])
            vipd.start(wrap=only(self.caps))
            self.assertEqual(effective(vipd.proc.pid),
                             sum(1 << CAP_NUMBERS[c] for c in self.caps))
            serve(farm, vipd)
            # The exec check ran as nobody under the set and passed.
            passed = f'real {farm.ip("real1")}:80 of TCP 198.18.1.200:80 up (first check passed)'
            deadline = time.monotonic() + 10
            while passed not in vipd.log() and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertIn(passed, vipd.log())
            self.assertEqual(len(xdp_programs(farm)), 1)
            self.assertEqual(answers(farm), ['real1', 'real2'])
            self.assertEqual(os.stat(vipd.socket).st_gid, grp.getgrnam(ADMIN_GROUP).gr_gid)
            self.assertIn('TCP  198.18.1.100:80 rr', vipd.vipadm('-L', '-n').stdout)
            self.assertEqual(vipd.stop(), 0, vipd.log())
            self.assertIsNone(pins(vipd), 'a clean stop removes its pins under the set too')
            self.assertEqual(xdp_programs(farm), [])

    def test_without_an_admin_group_chown_is_not_needed(self):
        with Farm(reals=1) as farm:
            vipd = Vipd(farm)
            vipd.start(wrap=only([c for c in self.caps
                                  if c not in ('CAP_CHOWN', 'CAP_SETUID', 'CAP_SETGID')]))
            self.assertEqual(vipd.vipadm('-L', '-n').returncode, 0)
            self.assertEqual(vipd.stop(), 0, vipd.log())

    def test_without_any_one_of_them_vipd_names_it_and_touches_nothing(self):
        with Farm(reals=1) as farm:
            for missing in self.caps:
                with self.subTest(missing=missing):
                    vipd = Vipd(farm, extra_args=['--admin-group', ADMIN_GROUP,
                                                  '--config', commands_conf(farm)])
                    argv = only([c for c in self.caps if c != missing])(vipd.argv())
                    res = farm.run('director', argv, check=False, timeout=30)
                    self.assertEqual(res.returncode, 4, res.stderr)
                    self.assertIn(f'missing capabilities: {missing} (', res.stderr)
                    self.assertIn('nothing was changed', res.stderr)
                    self.assertIsNone(pins(vipd))
                    self.assertFalse(os.path.exists(vipd.socket))
                    self.assertEqual(xdp_programs(farm), [])

    def test_cap_sys_admin_still_stands_for_cap_bpf_and_cap_perfmon(self):
        """Kernels' bpf_capable() and perfmon_capable() accept CAP_SYS_ADMIN, so must vipd."""
        with Farm(reals=1) as farm:
            vipd = Vipd(farm)
            vipd.start(wrap=only(['CAP_NET_ADMIN', 'CAP_SYS_ADMIN']))
            self.assertEqual(vipd.vipadm('-L', '-n').returncode, 0)
            self.assertEqual(vipd.stop(), 0, vipd.log())


if __name__ == '__main__':
    run_tests(__name__)
