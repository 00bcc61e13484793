#!/usr/bin/env python3
"""End to end: the admin socket. A user neither root nor in admin_group is refused with
ipvsadm's message and exit 2, by the socket's mode and, when the mode is wide open, by vipd's
check of the peer's credentials; a member of the group is let in and its changes are logged
with its uid; -h and -v need neither privileges nor a daemon. Garbage, truncated, oversized,
deeply nested and out-of-range requests are answered with errors, and with 100 idle
connections open vipd still answers a normal `vipadm -L -n` (within a generous timeout, never
a measured time).

Users and the group are made for the test (their names carry the farm's pid-unique prefix) and
removed by the farm's reaper, even if the test is killed. Needs root, network namespaces and
BPF. Without them it prints SKIPPED and exits 77, except under CI=true, where that is a
failure."""

import concurrent.futures
import errno
import json
import grp
import os
import pwd
import socket
import stat
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from vipd_farm import Vipd  # noqa: E402

REFUSED = ("Can't initialize ipvs: Permission denied (you must be root)\n"
           "Are you sure that IP Virtual Server is built in the kernel or as module?\n")
MAX_REQUEST = 2 << 20  # admin/Protocol.h: kMaxRequestBytes


def vipadm_as(vipd, user, *args):
    """vipadm run as `user` (its groups from /etc/group), outside the farm's namespaces: the
    socket is a path, reachable from anywhere."""
    env = dict(os.environ, VIPD_SOCKET=vipd.socket)
    return subprocess.run(['setpriv', '--reuid', user, '--regid', str(pwd.getpwnam(user).pw_gid),
                           '--init-groups', vipd.vipadm_bin] + list(args),
                          capture_output=True, text=True, env=env, timeout=30)


def exchange(path, data, end_writes=True):
    """Sends raw bytes on a fresh connection and returns vipd's decoded answer (None if it closed
    without one). vipd may stop reading and close while we still write: that is expected."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(path)
        try:
            s.sendall(data)
            if end_writes:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    reply = b''.join(chunks)
    return json.loads(reply) if reply else None


def start(farm, *extra):
    """vipd with its socket in the farm's temp directory, which the test users may traverse."""
    os.chmod(farm.tempdir, 0o711)
    return Vipd(farm, extra_args=list(extra)).start()


class Credentials(unittest.TestCase):

    def test_outsiders_are_refused_and_members_of_the_admin_group_let_in(self):
        with Farm(reals=1) as farm:
            group = farm.add_group('g')
            member = farm.add_user('m', groups=[group])
            outsider = farm.add_user('o')
            vipd = start(farm, '--admin-group', group)
            st = os.stat(vipd.socket)
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
            self.assertEqual((st.st_uid, st.st_gid), (0, grp.getgrnam(group).gr_gid))

            refused = vipadm_as(vipd, outsider, '-L', '-n')  # EACCES on connect
            self.assertEqual((refused.returncode, refused.stdout, refused.stderr), (2, '', REFUSED))

            os.chmod(vipd.socket, 0o666)  # a mode widened by mistake: the credentials decide
            for args in (['-L', '-n'], ['-A', '-t', f'{farm.vip}:80', '-s', 'rr']):
                refused = vipadm_as(vipd, outsider, *args)
                self.assertEqual((refused.returncode, refused.stderr), (2, REFUSED), args)
            uid = pwd.getpwnam(outsider).pw_uid
            self.assertIn(f'admin connection from uid {uid} pid ', vipd.log())
            self.assertNotIn('TCP', vipd.vipadm('-L', '-n').stdout, 'nothing was added')

            os.chmod(vipd.socket, 0o660)
            added = vipadm_as(vipd, member, '-A', '-t', f'{farm.vip}:80', '-s', 'rr')
            self.assertEqual((added.returncode, added.stderr), (0, ''))
            listing = vipadm_as(vipd, member, '-L', '-n')
            self.assertEqual(listing.returncode, 0, listing.stderr)
            self.assertIn(f'TCP  {farm.vip}:80 rr', listing.stdout)
            uid = pwd.getpwnam(member).pw_uid
            self.assertRegex(vipd.log(), rf'admin change by uid {uid} pid \d+: add-service TCP '
                                         rf'{farm.vip}:80 scheduler rr: done')
            self.assertEqual(vipd.stop(), 0, vipd.log())

    def test_without_an_admin_group_the_socket_is_roots_alone(self):
        with Farm(reals=1) as farm:
            group = farm.add_group('g')
            member = farm.add_user('m', groups=[group])
            vipd = start(farm)
            self.assertEqual(stat.S_IMODE(os.stat(vipd.socket).st_mode), 0o600)
            refused = vipadm_as(vipd, member, '-L', '-n')
            self.assertEqual((refused.returncode, refused.stderr), (2, REFUSED))
            os.chmod(vipd.socket, 0o666)
            refused = vipadm_as(vipd, member, '-C')
            self.assertEqual((refused.returncode, refused.stderr), (2, REFUSED))
            self.assertEqual(vipd.stop(), 0, vipd.log())

    def test_help_and_version_need_neither_privileges_nor_a_daemon(self):
        with Farm(reals=1) as farm:
            user = farm.add_user('o')
            nowhere = Vipd(farm, socket_path=os.path.join(farm.tempdir, 'none.sock'))
            for flag in ('-h', '-v'):
                res = vipadm_as(nowhere, user, flag)
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertIn('vipadm', res.stdout)


class Robustness(unittest.TestCase):

    def test_bad_requests_are_answered_and_idle_connections_keep_no_one_out(self):
        with Farm(reals=1) as farm:
            vipd = start(farm)
            answers = {
                'invalid UTF-8': exchange(vipd.socket, b'\xff\n'),
                'garbage': exchange(vipd.socket, os.urandom(512).replace(b'\n', b' ') + b'\n'),
                'truncated': exchange(vipd.socket, b'{"version":1,"command":"li'),
                'deep': exchange(vipd.socket, b'{"command":' + b'[' * 30000 + b']' * 30000 + b'}\n'),
                'deeper than the size bound': exchange(
                    vipd.socket,
                    b'{"command":' + b'[' * (MAX_REQUEST // 2 + 1) + b']' * (MAX_REQUEST // 2 + 1)
                    + b'}\n'),
                'oversized': exchange(vipd.socket, b' ' * (2 * MAX_REQUEST), end_writes=False),
                'wrapped timeout': exchange(vipd.socket, json.dumps(
                    {'version': 1, 'command': 'set-timeouts',
                     'timeouts': {'tcp': -1, 'tcpfin': 4294967297, 'udp': 1}}).encode() + b'\n'),
                'wrapped port': exchange(vipd.socket, json.dumps(
                    {'version': 1, 'command': 'delete-service',
                     'key': {'protocol': 'tcp', 'address': farm.vip, 'port': 70000}}).encode()
                    + b'\n'),
                'newer version': exchange(vipd.socket, b'{"version":2,"command":"list"}\n'),
            }
            expected = {'oversized': errno.EMSGSIZE, 'deeper than the size bound': errno.EMSGSIZE,
                        'newer version': errno.EPROTONOSUPPORT}
            for what, answer in answers.items():
                self.assertIsNotNone(answer, what)
                self.assertEqual(answer['error'], expected.get(what, errno.EINVAL), (what, answer))
            self.assertEqual(answers['wrapped timeout']['message'],
                             'timeouts.tcp: -1 is out of range 0..2678400')
            self.assertEqual(answers['wrapped port']['message'],
                             'key.port: 70000 is out of range 0..65535')
            timeouts = vipd.vipadm('-L', '--timeout').stdout
            self.assertEqual(timeouts, 'Timeout (tcp tcpfin udp): 900 120 300\n')

            idle = []
            try:
                for i in range(100):
                    s = socket.socket(socket.AF_UNIX)
                    idle.append(s)
                    s.connect(vipd.socket)
                    if i % 2:
                        s.sendall(b'{"version":1,')  # and never the rest
                listing = vipd.vipadm('-L', '-n')  # its timeout (30 s) is the bound
                self.assertEqual(listing.returncode, 0, listing.stderr)
                self.assertIn('IP Virtual Server version', listing.stdout)
                self.assertEqual(vipd.vipadm('-A', '-t', f'{farm.vip}:80').returncode, 0)
                # Concurrent clients, each a request at a time: every one is answered.
                ports = range(1000, 1012)
                with concurrent.futures.ThreadPoolExecutor(len(ports)) as pool:
                    runs = list(pool.map(lambda port: vipd.vipadm(
                        '-A', '-t', f'{farm.vip}:{port}', '-s', 'rr', check=False), ports))
                self.assertEqual([r.returncode for r in runs], [0] * len(ports),
                                 [r.stderr for r in runs])
            finally:
                for s in idle:
                    s.close()
            self.assertIsNone(vipd.proc.poll(), 'vipd is still running')
            listing = vipd.vipadm('-L', '-n').stdout
            self.assertIn(f'TCP  {farm.vip}:80 wlc', listing)
            for port in ports:
                self.assertIn(f'TCP  {farm.vip}:{port} rr', listing)
            self.assertEqual(vipd.stop(), 0, vipd.log())


if __name__ == '__main__':
    run_tests(__name__)
