#!/usr/bin/env python3
"""End to end: 100 reals with HTTP checks, one machine standing in for a cluster (100 servers on
100 addresses of one real's namespace). Ten servers stop: exactly those ten leave the table;
they start again: they come back, and no other real moved meanwhile.

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import os
import random
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
from vipd_farm import Vipd  # noqa: E402

REALS = 100

# Runs in the real's namespace: an HTTP server on each address given, one socket each, in one
# select loop. "stop I" closes server I's socket (connections to it are then refused), "start
# I" opens it again; each command answers "ok".
SERVERS = textwrap.dedent('''\
    import select, socket, sys
    addresses = sys.argv[1:]
    def listener(a):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a, 80))
        s.listen(64)
        return s
    servers = {i: listener(a) for i, a in enumerate(addresses)}
    print('ready', flush=True)
    while True:
        ready, _, _ = select.select([sys.stdin] + list(servers.values()), [], [])
        for r in ready:
            if r is sys.stdin:
                words = sys.stdin.readline().split()
                if not words:
                    sys.exit(0)
                i = int(words[1])
                if words[0] == 'stop':
                    servers.pop(i).close()
                else:
                    servers[i] = listener(addresses[i])
                print('ok', flush=True)
                continue
            try:
                c, _ = r.accept()
                c.settimeout(1)
                c.recv(4096)
                c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok')
                c.close()
            except OSError:
                pass
''')


def address(i):
    return f'198.18.2.{i + 1}'


class HundredReals(unittest.TestCase):

    def setUp(self):
        self.farm = Farm(reals=1).start()
        self.addCleanup(self.farm.close)
        self.farm.stop_real('real1')  # its nginx listens on every address: the servers below do
        for i in range(REALS):
            self.farm.run('real1', ['ip', 'addr', 'add', f'{address(i)}/15', 'dev', 'eth0'])
        self.servers = self.farm.popen('real1', [sys.executable, '-c', SERVERS] +
                                       [address(i) for i in range(REALS)],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.addCleanup(self.servers.kill)
        self.assertEqual(self.servers.stdout.readline().strip(), 'ready')
        conf = os.path.join(self.farm.tempdir, 'vipd.conf')
        with open(conf, 'w') as f:
            f.write(f'[[service]]\nprotocol = "tcp"\naddress = "{self.farm.vip}:80"\n'
                    'scheduler = "rr"\n\n  [[service.check]]\n  type = "http"\n'
                    '  interval = 1.0\n  timeout = 0.5\n  delay_before_retry = 0.5\n'
                    '  rise = 2\n  fall = 2\n')
            for i in range(REALS):
                f.write(f'\n  [[service.real]]\n  address = "{address(i)}:80"\n')
        self.vipd = Vipd(self.farm, extra_args=['--config', conf]).start()
        self.addCleanup(self.vipd.stop)

    def command(self, word, i):
        self.servers.stdin.write(f'{word} {i}\n')
        self.servers.stdin.flush()
        self.assertEqual(self.servers.stdout.readline().strip(), 'ok')

    def listed(self):
        return set(re.findall(r'->\s+(\S+):80\s+Route', self.vipd.vipadm('-L', '-n').stdout))

    def wait_for(self, expected, timeout=60):
        deadline = time.monotonic() + timeout
        while self.listed() != expected and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.listed(), expected, self.vipd.log()[-3000:])

    def test_exactly_the_ten_that_die_leave_and_they_come_back(self):
        everyone = {address(i) for i in range(REALS)}
        self.wait_for(everyone)
        dead = sorted(random.Random(14).sample(range(REALS), 10))
        for i in dead:
            self.command('stop', i)
        self.wait_for(everyone - {address(i) for i in dead})
        log = self.vipd.log()
        self.assertEqual(len(re.findall(r' down \(refused', log)), 10)
        time.sleep(3)  # and stays so: the others do not flap
        self.assertEqual(self.listed(), everyone - {address(i) for i in dead})
        for i in dead:
            self.command('start', i)
        self.wait_for(everyone)
        log = self.vipd.log()
        self.assertEqual(len(re.findall(r' up \(first check passed\): in the table', log)), REALS)
        self.assertEqual(len(re.findall(r' up: in the table', log)), 10)


if __name__ == '__main__':
    run_tests(__name__)
