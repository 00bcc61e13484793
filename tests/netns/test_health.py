#!/usr/bin/env python3
"""End to end: health checks. Three reals behind the VIP with HTTP checks under continuous
client traffic: a real whose server is killed is out within interval + (fall-1) x
delay_before_retry + fall x timeout and no request started after that reaches it; restarted, it
has traffic again within rise x interval plus one interval. With on_failure = "inhibit" a real
whose check fails stays at weight 0 and its open connections keep working. vipd killed with -9
and restarted takes no checked real out and refuses no connection.

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import json
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
from test_connections import HeldConnections  # noqa: E402
from test_metrics import parse, value  # noqa: E402
from vipd_farm import Vipd  # noqa: E402

PORT = 80
INTERVAL, TIMEOUT, RETRY, RISE, FALL = 1.0, 0.5, 0.5, 2, 3
# What the bounds leave for scheduling on a loaded test machine: the farm's processes, vipd's
# loop and the polling here.
SLACK = 1.5

# Runs in the client's namespace: a GET over a new connection every 20 ms until stdin closes;
# prints one JSON line per request: when it started (CLOCK_MONOTONIC, shared by every
# namespace), and the real that answered or the error.
TRAFFIC = textwrap.dedent('''\
    import json, select, socket, sys, time
    vip = sys.argv[1]
    print('ready', flush=True)
    while not select.select([sys.stdin], [], [], 0.02)[0]:
        started = time.monotonic()
        try:
            with socket.create_connection((vip, 80), timeout=2) as c:
                c.sendall(b'GET / HTTP/1.0\\r\\nHost: vip\\r\\n\\r\\n')
                reply = b''
                while chunk := c.recv(4096):
                    reply += chunk
            answer = reply.decode(errors='replace').rsplit('\\n', 2)[-2]
        except OSError as e:
            answer = 'error: ' + type(e).__name__
        print(json.dumps([started, answer]), flush=True)
''')


class Traffic:
    """Continuous client traffic through the VIP, recorded."""

    def __init__(self, farm):
        self.proc = farm.popen('client', [sys.executable, '-c', TRAFFIC, farm.vip],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != 'ready':
            raise RuntimeError('client traffic did not start')

    def stop(self):
        """[(started, answer), ...] of every request made."""
        out, _ = self.proc.communicate(input='', timeout=30)
        return [tuple(json.loads(line)) for line in out.splitlines() if line.startswith('[')]


def config(farm, on_failure='remove', own_check=None):
    text = (f'[[service]]\nprotocol = "tcp"\naddress = "{farm.vip}:{PORT}"\nscheduler = "rr"\n')
    if own_check is None:
        text += textwrap.dedent(f'''\
              [[service.check]]
              type = "http"
              path = "/"
              interval = {INTERVAL}
              timeout = {TIMEOUT}
              delay_before_retry = {RETRY}
              rise = {RISE}
              fall = {FALL}
              on_failure = "{on_failure}"
            ''')
    for real in farm.reals:
        text += f'\n  [[service.real]]\n  address = "{farm.ip(real)}:{PORT}"\n'
        if own_check and real in own_check:
            text += own_check[real]
    return text


class Health(HeldConnections, unittest.TestCase):

    def setUp(self):
        self.farm = Farm().start()
        self.addCleanup(self.farm.close)
        self.service = f'{self.farm.vip}:{PORT}'
        self.conf = os.path.join(self.farm.tempdir, 'vipd.conf')

    def start_vipd(self, text):
        with open(self.conf, 'w') as f:
            f.write(text)
        self.vipd = Vipd(self.farm, extra_args=['--config', self.conf]).start()
        self.addCleanup(lambda: self.vipd.stop())

    def listed(self):
        """address -> weight of the reals `vipadm -L -n` shows (the effective table)."""
        return {a.split(':')[0]: int(w) for a, w in
                re.findall(r'->\s+(\S+)\s+Route\s+(\d+)', self.vipd.vipadm('-L', '-n').stdout)}

    def wait_until(self, what, timeout):
        deadline = time.monotonic() + timeout
        while not what():
            if time.monotonic() > deadline:
                self.fail(f'not within {timeout} s; -L -n:\n{self.vipd.vipadm("-L", "-n").stdout}'
                          f'\nlog:\n{self.vipd.log()}')
            time.sleep(0.05)
        return time.monotonic()

    def all_up(self):
        return len(self.listed()) == len(self.farm.reals)

    def test_a_dead_real_leaves_and_comes_back(self):
        self.start_vipd(config(self.farm))
        self.wait_until(self.all_up, timeout=10)
        real2 = self.farm.ip('real2')
        traffic = Traffic(self.farm)
        time.sleep(1)
        self.farm.stop_real('real2')
        killed = time.monotonic()
        gone = self.wait_until(lambda: real2 not in self.listed(), timeout=30)
        bound = INTERVAL + (FALL - 1) * RETRY + FALL * TIMEOUT
        self.assertLessEqual(gone - killed, bound + SLACK)
        self.assertRegex(self.vipd.log(), re.escape(f'real {real2}:{PORT} of TCP {self.service} '
                                                    'down (refused: connect: Connection refused)'
                                                    ': removed from the table'))
        health = self.health(real2)
        self.assertEqual((health['state'], health['inTable'], health['reason']),
                         ('down', False, 'refused'))
        time.sleep(2)
        self.farm.start_real('real2')
        restarted = time.monotonic()
        back = self.wait_until(lambda: real2 in self.listed(), timeout=30)
        self.assertLessEqual(back - restarted, RISE * INTERVAL + INTERVAL + SLACK)
        time.sleep(1)
        requests = traffic.stop()
        after_gone = [a for t, a in requests if gone <= t < restarted]
        self.assertTrue(after_gone)
        self.assertEqual({a for a in after_gone}, {'real1', 'real3'})
        self.assertIn('real2', {a for t, a in requests if t >= back + 0.1})
        self.assertEqual(self.health(real2)['state'], 'up')
        self.assertIn(f'real {real2}:{PORT} of TCP {self.service} up: in the table with weight 1',
                      self.vipd.log())

    def test_the_metrics_show_each_reals_health(self):
        self.start_vipd(config(self.farm))
        self.wait_until(self.all_up, timeout=10)
        real2 = self.farm.ip('real2')
        samples = parse(self.vipd.scrape())
        for real in self.farm.reals:
            self.assertEqual(value(samples, 'vipd_real_up', remote_address=self.farm.ip(real)), 1)
        self.farm.stop_real('real2')
        self.wait_until(lambda: value(parse(self.vipd.scrape()), 'vipd_real_up',
                                      remote_address=real2) == 0, timeout=30)
        samples = parse(self.vipd.scrape())
        self.assertEqual(value(samples, 'vipd_real_down_transitions_total',
                               remote_address=real2, reason='refused'), 1)
        self.assertEqual(value(samples, 'vipd_real_up', remote_address=self.farm.ip('real1')), 1)
        # Out of the table: node_exporter's weight series says 0, as vipadm -L -n leaves it out.
        self.assertEqual(value(samples, 'vipd_backend_weight', remote_address=real2), 0)
        self.assertGreater(value(samples, 'vipd_real_check_duration_seconds',
                                 remote_address=self.farm.ip('real1')), 0)

    def health(self, address):
        listing = json.loads(self.vipd.vipadm('-L', '-n', '--json').stdout)
        for real in listing['services'][0]['reals']:
            if real['address'] == address:
                return real['health']
        self.fail(f'{address} not in the running table')

    def test_inhibit_keeps_open_connections_working(self):
        # real2's check is on a port of its own, served apart from nginx, so that failing it
        # leaves the connections nginx holds open.
        check = textwrap.dedent(f'''\
                [[service.real.check]]
                type = "tcp"
                port = 8081
                interval = {INTERVAL}
                timeout = {TIMEOUT}
                delay_before_retry = {RETRY}
                fall = {FALL}
                on_failure = "inhibit"
            ''')
        checked = self.farm.popen('real2', [sys.executable, '-m', 'http.server', '8081'],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.start_vipd(config(self.farm, own_check={'real2': check}))
        self.wait_until(self.all_up, timeout=10)
        holder = self.hold(3)
        answers = [self.step(holder, f'get {i}') for i in range(3)]
        self.assertEqual(sorted(answers), ['real1', 'real2', 'real3'])
        checked.kill()
        checked.wait()
        real2 = self.farm.ip('real2')
        self.wait_until(lambda: self.listed().get(real2) == 0, timeout=30)
        self.assertIn(f'real {real2}:{PORT} of TCP {self.service} down (refused: connect: '
                      'Connection refused): kept at weight 0, its connections drain',
                      self.vipd.log())
        i = answers.index('real2')
        for _ in range(3):
            self.assertEqual(self.step(holder, f'get {i}'), 'real2')
        fresh = {self.farm.http_get(f'http://{self.service}/').strip() for _ in range(6)}
        self.assertEqual(fresh, {'real1', 'real3'})
        self.assertEqual(self.health(real2)['effectiveWeight'], 0)
        self.assertTrue(self.health(real2)['inTable'])
        # -S saves the running table: real2 with its weight, not the checker's 0.
        self.assertIn(f'-a -t {self.service} -r {real2}:{PORT} -g -w 1',
                      self.vipd.vipadm('-S', '-n').stdout)

    def test_a_new_real_gets_no_connection_before_its_first_check(self):
        self.start_vipd(config(self.farm))
        self.wait_until(self.all_up, timeout=10)
        # A real added by vipadm gets the service's checks; this one has no server.
        self.farm.stop_real('real3')
        self.vipd.vipadm('-d', '-t', self.service, '-r', self.farm.ip('real3'))
        self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip('real3'), '-g')
        self.assertNotIn(self.farm.ip('real3'), self.listed())
        res = self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip('real3'), '-g',
                               check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('exists', res.stderr)
        for _ in range(20):
            self.assertIn(self.farm.http_get(f'http://{self.service}/').strip(),
                          {'real1', 'real2'})
        self.wait_until(lambda: self.health(self.farm.ip('real3'))['state'] == 'down', timeout=30)
        self.farm.start_real('real3')
        self.wait_until(lambda: self.farm.ip('real3') in self.listed(), timeout=30)

    def test_a_plain_check_misses_a_real_without_the_vip(self):
        """Why via_vip is needed (docs/HEALTH.md): a real whose lo lost the VIP drops the
        director's forwarded frames, yet a check from the director to its own address passes."""
        self.start_vipd(config(self.farm))
        self.wait_until(self.all_up, timeout=10)
        real2 = self.farm.ip('real2')
        self.farm.run('real2', ['ip', 'addr', 'del', f'{self.farm.vip}/32', 'dev', 'lo'])
        time.sleep(INTERVAL * (FALL + 1))
        self.assertIn(real2, self.listed())
        self.assertEqual(self.health(real2)['state'], 'up')
        answers = []
        for _ in range(6):
            try:
                answers.append(self.farm.http_get(f'http://{self.service}/', timeout=1).strip())
            except Exception:  # noqa: BLE001 - the farm's error for a request that failed
                answers.append('failed')
        self.assertIn('failed', answers)
        self.assertEqual(set(answers) - {'failed'}, {'real1', 'real3'})

    def test_the_sorry_server_serves_while_the_quorum_is_lost(self):
        text = config(self.farm).replace(
            'scheduler = "rr"\n', f'scheduler = "rr"\nsorry_server = "{self.farm.ip("real3")}"\n'
            'quorum = 2\n', 1)
        # real3 is the sorry server only: the service's reals are real1 and real2.
        text = text.split(f'\n  [[service.real]]\n  address = "{self.farm.ip("real3")}:{PORT}"')[0]
        self.start_vipd(text)
        real1, real3 = self.farm.ip('real1'), self.farm.ip('real3')
        self.wait_until(lambda: set(self.listed()) == {real1, self.farm.ip('real2')}, timeout=10)
        self.farm.stop_real('real2')  # the weights left, 1, are below the quorum of 2
        self.wait_until(lambda: set(self.listed()) == {real3}, timeout=30)
        self.assertIn('lost its quorum; sorry server', self.vipd.log())
        self.assertEqual({self.farm.http_get(f'http://{self.service}/').strip()
                          for _ in range(4)}, {'real3'})
        self.assertNotIn(real3, self.vipd.vipadm('-S', '-n').stdout)
        self.farm.start_real('real2')
        self.wait_until(lambda: set(self.listed()) == {real1, self.farm.ip('real2')}, timeout=30)
        self.assertEqual({self.farm.http_get(f'http://{self.service}/').strip()
                          for _ in range(4)}, {'real1', 'real2'})

    def test_a_restart_takes_no_checked_real_out(self):
        self.start_vipd(config(self.farm))
        self.wait_until(self.all_up, timeout=10)
        self.farm.stop_real('real2')
        real2 = self.farm.ip('real2')
        self.wait_until(lambda: real2 not in self.listed(), timeout=30)
        traffic = Traffic(self.farm)
        time.sleep(0.5)
        self.vipd.kill()
        self.vipd = Vipd(self.farm, extra_args=['--config', self.conf]).start()
        # The restarted vipd lists at once what the fast path held: real2 out, the others in.
        self.assertEqual(set(self.listed()), {self.farm.ip('real1'), self.farm.ip('real3')})
        self.assertEqual(self.health(real2)['state'], 'down')
        time.sleep(2)
        requests = traffic.stop()
        self.assertTrue(requests)
        self.assertEqual({a for _, a in requests}, {'real1', 'real3'})


if __name__ == '__main__':
    run_tests(__name__)
