#!/usr/bin/env python3
"""End to end: a start never harms what is running, and a stop removes everything unless told to
keep forwarding. A second vipd on the same pin directory, a missing or busy interface, a bad
configuration file after a crash, maps of another ABI version: each is refused before anything
is touched, and the fast path already there keeps forwarding. docs/RESTART.md describes it.

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from vipd_farm import Vipd  # noqa: E402

PORT = 80
ANCHOR = 'vipd_anchor'


def xdp_programs(farm):
    """Ids of the XDP programs attached to the director's interface."""
    out = farm.run('director', ['ip', '-j', '-d', 'link', 'show', 'dev',
                                farm.interface('director')]).stdout
    xdp = json.loads(out)[0].get('xdp')
    if not xdp:
        return []
    if 'attached' in xdp:
        return [entry['prog']['id'] for entry in xdp['attached'] if 'prog' in entry]
    return [xdp['prog']['id']] if 'prog' in xdp else []


def pins(vipd):
    """Names in the pin directory, or None when it does not exist."""
    try:
        return sorted(os.listdir(vipd.pin_dir))
    except FileNotFoundError:
        return None


def serve(farm, vipd):
    """An rr service over real1 and real2."""
    service = f'{farm.vip}:{PORT}'
    vipd.vipadm('-A', '-t', service, '-s', 'rr')
    for real in ('real1', 'real2'):
        vipd.vipadm('-a', '-t', service, '-r', farm.ip(real), '-g')


def answers(farm, n=4):
    """Which reals answer n requests through the VIP."""
    return sorted({farm.http_get(f'http://{farm.vip}:{PORT}/').strip() for _ in range(n)})


def remove(farm, vipd):
    """vipd --remove on the vipd's pin directory; the CompletedProcess."""
    return farm.run('director', [vipd.vipd_bin, '--remove', '--bpf-pin-dir', vipd.pin_dir],
                    check=False)


def pin_anchor_with(pin_dir, table, version):
    """Replaces the pinned anchor by one in which `table` has layout version `version`, as a
    vipd of another version would have written it (abi/vipd_maps.h: struct vipd_anchor)."""
    path = os.path.join(pin_dir, ANCHOR)
    dump = json.loads(subprocess.run(['bpftool', '-j', 'map', 'dump', 'pinned', path],
                                     capture_output=True, text=True, check=True).stdout)
    value = bytearray(int(b, 16) for b in dump[0]['value'])
    n_tables = int.from_bytes(value[8:12], 'little')
    for i in range(n_tables):
        entry = 16 + 16 * i
        if value[entry:entry + 12].rstrip(b'\0').decode() == table:
            value[entry + 12:entry + 16] = version.to_bytes(4, 'little')
            break
    else:
        raise AssertionError(f'no table {table} in the anchor')
    os.unlink(path)
    subprocess.run(['bpftool', 'map', 'create', path, 'type', 'array', 'key', '4', 'value',
                    str(len(value)), 'entries', '1', 'name', ANCHOR], check=True)
    subprocess.run(['bpftool', 'map', 'update', 'pinned', path, 'key', '0', '0', '0', '0',
                    'value'] + [str(b) for b in value], check=True)
    subprocess.run(['bpftool', 'map', 'freeze', 'pinned', path], check=True)


class StartupSafety(unittest.TestCase):

    def test_a_second_vipd_on_the_same_pin_directory_is_refused_and_the_first_keeps_forwarding(
            self):
        with Farm(reals=2) as farm:
            first = Vipd(farm).start()
            serve(farm, first)
            programs, rules = xdp_programs(farm), first.vipadm('-S', '-n').stdout
            self.assertEqual(len(programs), 1)
            second = Vipd(farm, socket_path=os.path.join(farm.tempdir, 'second.sock'))
            res = second.run_to_exit()
            self.assertNotEqual(res.returncode, 0, res.stderr)
            self.assertIn(f'another vipd (pid {first.proc.pid}) owns {first.pin_dir}', res.stderr)
            self.assertFalse(os.path.exists(second.socket))
            same_socket = Vipd(farm).run_to_exit()  # the same socket too: still the lock
            self.assertNotEqual(same_socket.returncode, 0, same_socket.stderr)
            self.assertIn('another vipd', same_socket.stderr)
            other_dir = Vipd(farm, pin_dir=os.path.join(farm.bpffs, 'other')).run_to_exit()
            self.assertNotEqual(other_dir.returncode, 0, other_dir.stderr)
            self.assertIn(f'another vipd is listening on {first.socket}', other_dir.stderr)
            self.assertFalse(os.path.exists(os.path.join(farm.bpffs, 'other')))
            refused = remove(farm, first)  # vipd --remove does not pull it from under vipd
            self.assertNotEqual(refused.returncode, 0, refused.stderr)
            self.assertIn(f'another vipd (pid {first.proc.pid})', refused.stderr)
            self.assertEqual(xdp_programs(farm), programs)
            self.assertEqual(answers(farm), ['real1', 'real2'])
            self.assertEqual(first.vipadm('-S', '-n').stdout, rules)
            self.assertIn('TCP  198.18.1.100:80 rr', first.vipadm('-L', '-n').stdout)
            self.assertEqual(first.stop(), 0, first.log())

    def test_a_missing_interface_is_refused_before_anything_is_pinned(self):
        with Farm(reals=1) as farm:
            vipd = Vipd(farm, extra_args=['--interface', 'nosuch0'])
            res = vipd.run_to_exit()
            self.assertNotEqual(res.returncode, 0)
            self.assertIn('interface nosuch0: no such interface', res.stderr)
            self.assertIsNone(pins(vipd))
            self.assertEqual(xdp_programs(farm), [])

    def test_a_busy_interface_leaves_no_pins_and_the_other_program_attached(self):
        with Farm(reals=1) as farm:
            farm.run('director', ['ip', 'link', 'set', 'dev', farm.interface('director'),
                                  'xdpdrv', 'obj', farm.xdp_pass_obj, 'sec', 'xdp'])
            other = xdp_programs(farm)
            vipd = Vipd(farm)
            res = vipd.run_to_exit()
            self.assertNotEqual(res.returncode, 0)
            self.assertIn('already runs the XDP program', res.stderr)  # another owner's
            self.assertIn('which is not vipd', res.stderr)
            self.assertIsNone(pins(vipd), 'the maps it pinned are gone again')
            self.assertEqual(xdp_programs(farm), other)
            self.assertFalse(os.path.exists(vipd.socket))

    def test_a_bad_configuration_after_a_crash_leaves_the_surviving_fast_path_alone(self):
        with Farm(reals=2) as farm:
            crashed = Vipd(farm).start()
            serve(farm, crashed)
            crashed.kill()
            programs, pinned = xdp_programs(farm), pins(crashed)
            self.assertEqual(answers(farm), ['real1', 'real2'])
            rules = os.path.join(farm.tempdir, 'vipd.conf')
            with open(rules, 'w') as f:
                f.write('this is not a rule\n')
            res = Vipd(farm, extra_args=['--config', rules]).run_to_exit()
            self.assertNotEqual(res.returncode, 0)
            self.assertIn(f'{rules}:1', res.stderr)
            self.assertEqual(xdp_programs(farm), programs)
            self.assertEqual(len(programs), 1)
            self.assertEqual(pins(crashed), pinned)
            self.assertEqual(answers(farm), ['real1', 'real2'])
            res = remove(farm, crashed)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(xdp_programs(farm), [])
            self.assertIsNone(pins(crashed))

    def test_keep_forwarding_on_exit_leaves_the_program_forwarding_until_vipd_remove(self):
        with Farm(reals=2) as farm:
            vipd = Vipd(farm, extra_args=['--keep-forwarding-on-exit']).start()
            serve(farm, vipd)
            programs, pinned = xdp_programs(farm), pins(vipd)
            self.assertEqual(vipd.stop(), 0, vipd.log())
            self.assertIn(f'vipd --remove --bpf-pin-dir {vipd.pin_dir}', vipd.log())
            self.assertEqual(xdp_programs(farm), programs)
            self.assertEqual(pins(vipd), pinned)
            self.assertEqual(answers(farm), ['real1', 'real2'])
            res = remove(farm, vipd)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIn('XDP stopped on: eth0', res.stderr)
            self.assertEqual(xdp_programs(farm), [])
            self.assertIsNone(pins(vipd))

    def test_maps_of_another_abi_version_are_refused_and_the_old_program_keeps_forwarding(self):
        with Farm(reals=2) as farm:
            crashed = Vipd(farm).start()
            serve(farm, crashed)
            crashed.kill()
            pin_anchor_with(crashed.pin_dir, 'conns', 2)
            programs, pinned = xdp_programs(farm), pins(crashed)
            res = Vipd(farm).run_to_exit()
            self.assertNotEqual(res.returncode, 0)
            self.assertIn('conns v2 (this vipd: v1)', res.stderr)
            self.assertIn('nothing was changed', res.stderr)
            self.assertEqual(xdp_programs(farm), programs)
            self.assertEqual(pins(crashed), pinned)
            self.assertEqual(answers(farm), ['real1', 'real2'])
            self.assertEqual(remove(farm, crashed).returncode, 0)


if __name__ == '__main__':
    run_tests(__name__)
