#!/usr/bin/env python3
"""End to end: the connection table seen from outside. Connections held open count as active
on their reals, closed ones as inactive until the FIN timeout ends them, a SYN flood that
fills the half-open table leaves established connections working, and a deleted real's
connections stay until their timeout or, with --expire-nodest-conn, end at once.

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import os
import re
import subprocess
import sys
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from vipd_farm import Vipd, counter_deltas  # noqa: E402

PORT = 80
HALF_OPEN = 64

# Runs in the client's namespace: opens N connections, says "open", and on each line of stdin
# does the next step: "get I" sends an HTTP request on connection I and prints the answer,
# "close" closes them all.
HOLDER = textwrap.dedent('''\
    import socket, sys
    vip, n = sys.argv[1], int(sys.argv[2])
    conns = [socket.create_connection((vip, 80), timeout=5) for _ in range(n)]
    print('open', flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[0] == 'get':
            c = conns[int(words[1])]
            c.sendall(b'GET / HTTP/1.1\\r\\nHost: vip\\r\\n\\r\\n')
            reply = c.recv(4096).decode(errors='replace')
            print(reply.rsplit('\\n', 2)[-2] if reply.count('\\n') >= 2 else reply, flush=True)
        elif words[0] == 'close':
            for c in conns:
                c.close()
            print('closed', flush=True)
''')

# Runs in the client's namespace: sends COUNT SYNs to the VIP from spoofed sources that do
# not exist (198.19.x.y), so the reals' answers go nowhere and every entry stays half-open.
FLOOD = textwrap.dedent('''\
    import socket, struct, sys
    vip, count = sys.argv[1], int(sys.argv[2])
    def csum(data):
        if len(data) % 2:
            data += b'\\0'
        s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        return ~s & 0xffff
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    dst = socket.inet_aton(vip)
    for i in range(count):
        src = socket.inet_aton('198.19.%d.%d' % (i // 250, 1 + i % 250))
        tcp = struct.pack('!HHIIBBHHH', 20000 + i, 80, i, 0, 5 << 4, 0x02, 65535, 0, 0)
        tcp = tcp[:16] + struct.pack('!H', csum(src + dst + struct.pack('!BBH', 0, 6, 20) + tcp)) + tcp[18:]
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, i, 0, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
        s.sendto(ip + tcp, (vip, 0))
''')


def conn_counts(listing):
    """(ActiveConn, InActConn) summed over the reals of a `vipadm -L -n` listing."""
    active = inactive = 0
    for line in listing.splitlines():
        m = re.match(r'\s+-> \S+\s+\S+\s+\d+\s+(\d+)\s+(\d+)', line)
        if m:
            active += int(m.group(1))
            inactive += int(m.group(2))
    return active, inactive


class HeldConnections:
    """A farm with a vipd of its own, an rr service over its reals, and connections held open
    from the client."""

    def start_farm(self, *vipd_args):
        self.farm = Farm().start()
        self.addCleanup(self.farm.close)
        self.vipd = Vipd(self.farm, extra_args=list(vipd_args)).start()
        self.addCleanup(self.vipd.stop)
        self.service = f'{self.farm.vip}:{PORT}'
        self.vipd.vipadm('-A', '-t', self.service, '-s', 'rr')
        for real in self.farm.reals:
            self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip(real), '-g')

    def hold(self, n):
        proc = self.farm.popen('client', [sys.executable, '-c', HOLDER, self.farm.vip, str(n)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.addCleanup(self.end, proc)
        self.assertEqual(proc.stdout.readline().strip(), 'open')
        return proc

    @staticmethod
    def end(proc):
        proc.kill()
        proc.communicate()

    def step(self, proc, command):
        proc.stdin.write(command + '\n')
        proc.stdin.flush()
        return proc.stdout.readline().strip()

    def counts(self):
        return conn_counts(self.vipd.vipadm('-L', '-n').stdout)

    def wait_for_counts(self, expected, timeout):
        deadline = time.monotonic() + timeout
        while self.counts() != expected and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.counts(), expected)

    def destinations(self):
        """The destination column of `vipadm -L -n -c`, one item per entry."""
        lines = self.vipd.vipadm('-L', '-n', '-c').stdout.splitlines()
        return [line.split()[-1] for line in lines[2:]]


class Connections(HeldConnections, unittest.TestCase):
    """A farm and a vipd per test: a flood leaves the half-open table full for a minute."""

    def setUp(self):
        self.start_farm('--half-open-size', str(HALF_OPEN))

    def assert_connection_rows(self, state, count, max_expiry):
        """`vipadm -L -n -c` in ipvsadm's format: `count` rows in `state` from the client."""
        lines = self.vipd.vipadm('-L', '-n', '-c').stdout.splitlines()
        self.assertEqual(lines[:2], [
            'IPVS connection entries',
            'pro expire state       source             virtual            destination'])
        row = re.compile(r'^TCP (\d\d):(\d\d)  ' + f'{state:<11} ' +
                         re.escape(self.farm.ip('client')) + r':\d+ +' +
                         re.escape(f'{self.service}') + r' +198\.18\.1\.1[123]:80$')
        rows = [m for m in map(row.match, lines[2:]) if m]
        self.assertEqual(len(rows), count, '\n'.join(lines))
        self.assertEqual(len(lines) - 2, count, '\n'.join(lines))
        for m in rows:
            self.assertLessEqual(int(m.group(1)) * 60 + int(m.group(2)), max_expiry)

    def test_held_connections_are_active_then_inactive_until_the_fin_timeout(self):
        self.vipd.vipadm('--set', '0', '3', '0')
        self.assertEqual(self.vipd.vipadm('-L', '--timeout').stdout,
                         'Timeout (tcp tcpfin udp): 900 3 300\n')
        holder = self.hold(20)
        self.wait_for_counts((20, 0), timeout=5)
        self.assert_connection_rows('ESTABLISHED', 20, max_expiry=15 * 60)
        self.assertEqual(self.step(holder, 'close'), 'closed')
        self.wait_for_counts((0, 20), timeout=5)
        self.assert_connection_rows('FIN_WAIT', 20, max_expiry=3)
        closed_at = time.monotonic()
        self.wait_for_counts((0, 0), timeout=10)
        # Not before the FIN timeout (3 s), and by the next sweep after it.
        self.assertGreaterEqual(time.monotonic() - closed_at, 1.5)

    def test_a_syn_flood_leaves_established_connections_working(self):
        holder = self.hold(5)
        self.wait_for_counts((5, 0), timeout=5)
        before = self.vipd.counters()
        self.farm.run('client', [sys.executable, '-c', FLOOD, self.farm.vip, '300'])
        moved = counter_deltas(before, self.vipd.counters())
        # The half-open table filled up; every further SYN was refused and counted.
        self.assertEqual(moved.get('INFO_NEW_CONN', 0), HALF_OPEN, moved)
        self.assertEqual(moved.get('DROP_HALF_OPEN_FULL', 0), 300 - HALF_OPEN, moved)
        # Half-open connections count as active, as IPVS counts SYN_RECV.
        self.assertEqual(self.counts(), (5 + HALF_OPEN, 0))
        for i in range(5):
            self.assertRegex(self.step(holder, f'get {i}'), r'^real\d$')


class DeletedReals(HeldConnections, unittest.TestCase):
    """A deleted real's connections: IPVS's expire_nodest_conn at 0 (the default) and at 1."""

    def test_they_stay_until_their_timeout_by_default(self):
        self.start_farm()
        self.hold(6)
        self.wait_for_counts((6, 0), timeout=5)
        self.vipd.vipadm('-d', '-t', self.service, '-r', self.farm.ip('real2'))
        time.sleep(1.5)  # a periodic sweep has run meanwhile
        live = [f'{self.farm.ip(real)}:{PORT}' for real in ('real1', 'real3')]
        destinations = self.destinations()
        self.assertEqual(len(destinations), 6, destinations)  # the deleted real's two as well
        self.assertEqual(len([d for d in destinations if d in live]), 4, destinations)

    def test_with_expire_nodest_conn_they_end_before_the_deletion_returns(self):
        self.start_farm('--expire-nodest-conn')
        self.hold(6)
        self.wait_for_counts((6, 0), timeout=5)
        gone = f'{self.farm.ip("real2")}:{PORT}'
        self.assertEqual(self.destinations().count(gone), 2)
        before = self.vipd.counters()
        self.vipd.vipadm('-d', '-t', self.service, '-r', self.farm.ip('real2'))
        # At once: the sweep ran before vipadm returned, not at the next periodic one.
        destinations = self.destinations()
        self.assertEqual(len(destinations), 4, destinations)
        self.assertNotIn(gone, destinations)
        moved = counter_deltas(before, self.vipd.counters())
        self.assertEqual(moved.get('INFO_NODEST_EXPIRED', 0), 2, moved)
        self.assertEqual(self.counts(), (4, 0))
        answers = {self.farm.http_get(f'http://{self.service}/').strip() for _ in range(4)}
        self.assertEqual(answers, {'real1', 'real3'})


class Persistence(unittest.TestCase):
    """ipvsadm -p: a client keeps reaching the same real; the template shows in the listings."""

    def setUp(self):
        self.farm = Farm().start()
        self.addCleanup(self.farm.close)
        self.vipd = Vipd(self.farm).start()
        self.addCleanup(self.vipd.stop)
        self.service = f'{self.farm.vip}:{PORT}'

    def test_a_persistent_service_keeps_a_client_on_one_real(self):
        self.vipd.vipadm('-A', '-t', self.service, '-s', 'rr', '-p', '60')
        for real in self.farm.reals:
            self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip(real), '-g')
        answers = [self.farm.http_get(f'http://{self.service}/').strip() for _ in range(6)]
        self.assertEqual(answers, ['real3'] * 6)
        self.assertIn(f'TCP  {self.service} rr persistent 60\n',
                      self.vipd.vipadm('-L', '-n').stdout)
        rows = self.vipd.vipadm('-L', '-n', '-c').stdout.splitlines()[2:]
        templates = [r for r in rows if ' NONE ' in r]
        self.assertEqual(len(templates), 1, rows)
        self.assertRegex(templates[0], r'^TCP 0[01]:\d\d  NONE        ' +
                         re.escape(f'{self.farm.ip("client")}:0') + r' +' +
                         re.escape(self.service) + r' +198\.18\.1\.13:80$')
        persist = self.vipd.vipadm('-L', '-n', '--persistent-conn').stdout
        real3 = [line for line in persist.splitlines() if '198.18.1.13:80' in line]
        self.assertEqual(len(real3), 1, persist)
        self.assertRegex(real3[0], r'->\s+198\.18\.1\.13:80\s+\d+\s+1\s')


if __name__ == '__main__':
    run_tests(__name__)
