#!/usr/bin/env python3
"""End to end: vipd as a daemon. Its output (a closed stderr pipe costs a log line, not vipd;
plain lines on a terminal, <N> priorities for the journal, syslog once detached or without
stderr), a proper detach (setsid, /, /dev/null, relative paths kept working), every signal a
supervisor or an operator may send (vipd(8) SIGNALS), the sd_notify protocol of a Type=notify
unit, and the synchronous reload over the admin socket (vipd --reload, the unit's ExecReload).

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import os
import pty
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from supervisor import NotifySocket, SyslogCapture, pids_with_argument  # noqa: E402
from test_config import service_toml  # noqa: E402
from test_startup import answers, pins, remove, serve, xdp_programs  # noqa: E402
from vipd_farm import Vipd  # noqa: E402

LOG_DAEMON = 3 << 3
NOTICE, WARNING, ERROR = 5, 4, 3


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


def wait_until(predicate, timeout=10.0, what='condition'):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f'timed out waiting for {what}')
        time.sleep(0.05)


def monotonic_usec():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000


class Output(unittest.TestCase):

    def test_a_closed_stderr_pipe_costs_a_log_line_not_vipd(self):
        """vipd ... 2>&1 | head -n 1: the pipe's reader is gone after the first line; a later
        line meets EPIPE (SIGPIPE is ignored) and everything from then on goes to syslog."""
        with Farm(reals=2) as farm, SyslogCapture(farm.tempdir) as syslog:
            vipd = Vipd(farm)
            shell = ' '.join(vipd.argv()) + ' 2>&1 | head -n 1 >/dev/null'
            vipd.proc = farm.popen('director', syslog.wrap(['sh', '-c', shell]))
            wait_until(lambda: pids_with_argument(vipd.socket) and
                       vipd.vipadm('-L', '-n', check=False).returncode == 0, what='vipd')
            [pid] = pids_with_argument(vipd.socket)
            # Log lines until one finds the pipe closed (head may still be reading the first).
            for _ in range(20):
                os.kill(pid, signal.SIGUSR1)
                try:
                    syslog.wait_message('stderr is gone (Broken pipe): logging to syslog from '
                                        'now on', timeout=0.5)
                    break
                except AssertionError:
                    pass
            serve(farm, vipd)
            self.assertEqual(answers(farm), ['real1', 'real2'])
            os.kill(pid, signal.SIGHUP)
            _, _, line = syslog.wait_message('reloaded (no configuration file): 0 services')
            self.assertTrue(line.startswith(f'<{LOG_DAEMON | NOTICE}>'), line)
            os.kill(pid, signal.SIGTERM)
            self.assertEqual(vipd.proc.wait(10), 0)  # head's status: the pipeline ended
            syslog.wait_message('stopping on SIGTERM')
            self.assertIsNone(pins(vipd))

    def run_on_terminal(self, farm, argv, env=None):
        """argv with stderr on a pseudo-terminal; what it wrote there."""
        master, slave = pty.openpty()
        try:
            proc = farm.popen('director', argv, stderr=slave, stdout=subprocess.DEVNULL,
                              env=env)
            os.close(slave)
            out = b''
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: every writer closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            proc.wait(30)
            return out.decode(errors='replace').replace('\r\n', '\n')
        finally:
            os.close(master)

    def test_a_terminal_gets_plain_lines_and_the_journal_priorities(self):
        with Farm(reals=1) as farm:
            argv = Vipd(farm, extra_args=['--interface', 'nosuch0']).argv()
            plain = self.run_on_terminal(farm, argv)
            self.assertIn('vipd: error: interface nosuch0: no such interface', plain)
            self.assertNotIn('<3>', plain)
            managed = dict(os.environ, NOTIFY_SOCKET=os.path.join(farm.tempdir, 'nobody'))
            self.assertIn('<3>vipd: interface nosuch0: no such interface',
                          self.run_on_terminal(farm, argv, managed))
            # A JOURNAL_STREAM naming another file was inherited from a parent, it is not ours.
            st = os.stat('/dev/null')
            inherited = dict(os.environ, JOURNAL_STREAM=f'{st.st_dev}:{st.st_ino}')
            self.assertIn('vipd: error: interface nosuch0',
                          self.run_on_terminal(farm, argv, inherited))
            # JOURNAL_STREAM naming vipd's stderr: systemd's stream to the journal.
            script = ('import os, sys, subprocess\n'
                      'st = os.fstat(2)\n'
                      'os.environ["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"\n'
                      'sys.exit(subprocess.run(sys.argv[1:]).returncode)\n')
            self.assertIn('<3>vipd: interface nosuch0: no such interface',
                          self.run_on_terminal(farm, [sys.executable, '-c', script] + argv))

    def test_a_detached_vipd_has_no_terminal_logs_to_syslog_and_keeps_relative_paths(self):
        with Farm(reals=2) as farm, SyslogCapture(farm.tempdir) as syslog:
            conf = os.path.join(farm.tempdir, 'vipd.conf')
            write(conf, service_toml(farm.vip, [(farm.ip('real1'), 1)]))
            vipd = Vipd(farm, socket_path=os.path.join(farm.tempdir, 'vipd.sock'),
                        foreground=False, extra_args=['--config', 'vipd.conf'])
            argv = [a if a != vipd.socket else 'vipd.sock' for a in vipd.argv()]
            # The caller's stdout and stderr are pipes: it waits for their end, which comes
            # only if vipd let go of them. It returns once vipd serves.
            res = farm.run('director', syslog.wrap(argv), cwd=farm.tempdir, timeout=20)
            self.assertEqual(res.returncode, 0, res.stderr)
            [pid] = pids_with_argument('vipd.sock')
            self.assertEqual(vipd.vipadm('-L', '-n').returncode, 0)
            self.assertEqual(os.getsid(pid), pid, 'a session of its own')
            self.assertEqual(os.readlink(f'/proc/{pid}/cwd'), '/')
            for fd in (0, 1, 2):
                self.assertEqual(os.readlink(f'/proc/{pid}/fd/{fd}'), '/dev/null')
            _, sender, line = syslog.wait_message('running; admin socket ' + vipd.socket)
            self.assertTrue(line.startswith(f'<{LOG_DAEMON | NOTICE}>'), line)
            self.assertIn(f'vipd[{pid}]: ', line)
            self.assertEqual(sender, pid)
            # The file and the socket were named relative to the directory vipd left.
            write(conf, service_toml(farm.vip, [(farm.ip('real1'), 1), (farm.ip('real2'), 1)]))
            os.kill(pid, signal.SIGHUP)
            syslog.wait_message(f'reloaded {conf}: 1 services')
            self.assertEqual(answers(farm), ['real1', 'real2'])
            write(conf, 'nonsense\n')
            os.kill(pid, signal.SIGHUP)
            _, _, line = syslog.wait_message('reload refused')
            self.assertTrue(line.startswith(f'<{LOG_DAEMON | ERROR}>'), line)
            os.kill(pid, signal.SIGTERM)
            wait_until(lambda: not pids_with_argument('vipd.sock'), what='vipd to exit')
            self.assertFalse(os.path.exists(vipd.socket), 'the socket is removed')
            self.assertIsNone(pins(vipd))


class Signals(unittest.TestCase):

    def test_sigusr1_logs_the_status_and_sigusr2_is_ignored(self):
        with Farm(reals=2) as farm:
            vipd = Vipd(farm).start()
            serve(farm, vipd)
            vipd.proc.send_signal(signal.SIGUSR1)
            wait_until(lambda: 'status: serving 1 services, 2 reals' in vipd.log(),
                       what='the status line')
            vipd.proc.send_signal(signal.SIGUSR2)
            wait_until(lambda: 'SIGUSR2 ignored' in vipd.log(), what='SIGUSR2 logged')
            self.assertIsNone(vipd.proc.poll())
            self.assertEqual(answers(farm), ['real1', 'real2'])
            self.assertEqual(vipd.stop(), 0, vipd.log())

    def test_sighup_during_a_start_waits_for_the_start(self):
        """A signal that arrives before the loop runs is handled by it, not fatal. The file's
        real has no neighbour entry: the start waits up to a second for it after the attach,
        and the SIGHUP comes then."""
        with Farm(reals=1) as farm:
            conf = os.path.join(farm.tempdir, 'vipd.conf')
            write(conf, service_toml(farm.vip, [('198.18.1.99', 1)]))
            vipd = Vipd(farm, extra_args=['--config', conf])
            with open(vipd.log_path, 'ab') as log:
                vipd.proc = farm.popen('director', vipd.argv(), stdout=log, stderr=log)
            wait_until(lambda: 'XDP attached' in vipd.log(), what='the attach')
            vipd.proc.send_signal(signal.SIGHUP)
            wait_until(lambda: 'reloaded' in vipd.log() or vipd.proc.poll() is not None,
                       what='the reload')
            self.assertIsNone(vipd.proc.poll(), vipd.log())
            self.assertLess(vipd.log().index('running'), vipd.log().index('reloaded'))
            self.assertEqual(vipd.stop(), 0, vipd.log())

    def test_sigint_stops_cleanly_and_removes_everything(self):
        with Farm(reals=2) as farm:
            vipd = Vipd(farm).start()
            serve(farm, vipd)
            vipd.proc.send_signal(signal.SIGINT)
            self.assertEqual(vipd.proc.wait(10), 0, vipd.log())
            self.assertIn('stopping on SIGINT: removing the XDP program and its maps', vipd.log())
            self.assertEqual(xdp_programs(farm), [])
            self.assertIsNone(pins(vipd))

    def test_sigquit_stops_and_keeps_forwarding_without_the_flag(self):
        with Farm(reals=2) as farm:
            vipd = Vipd(farm).start()
            serve(farm, vipd)
            programs, pinned = xdp_programs(farm), pins(vipd)
            vipd.proc.send_signal(signal.SIGQUIT)
            self.assertEqual(vipd.proc.wait(10), 0, vipd.log())
            self.assertIn('stopping on SIGQUIT: the XDP program keeps forwarding', vipd.log())
            self.assertEqual(xdp_programs(farm), programs)
            self.assertEqual(pins(vipd), pinned)
            self.assertEqual(answers(farm), ['real1', 'real2'])
            self.assertEqual(remove(farm, vipd).returncode, 0)
            self.assertEqual(xdp_programs(farm), [])


class Notify(unittest.TestCase):

    def test_start_reloads_and_stop_as_a_type_notify_unit_sees_them(self):
        with Farm(reals=2) as farm, \
                NotifySocket(os.path.join(farm.tempdir, 'notify.sock')) as notify:
            conf = os.path.join(farm.tempdir, 'vipd.conf')
            write(conf, service_toml(farm.vip, [(farm.ip('real1'), 1)]))
            # No --foreground: under a service manager vipd stays the process it started.
            vipd = Vipd(farm, foreground=False, extra_args=['--config', conf])
            vipd.start(env=notify.env())
            i, pid, f = notify.wait_field('READY', '1')
            self.assertEqual(pid, vipd.proc.pid)
            self.assertEqual(f['STATUS'], 'serving 1 services, 1 reals')
            self.assertIsNone(vipd.proc.poll())

            write(conf, service_toml(farm.vip, [(farm.ip('real1'), 1), (farm.ip('real2'), 1)]))
            before = monotonic_usec()
            vipd.proc.send_signal(signal.SIGHUP)
            i, pid, f = notify.wait_field('RELOADING', '1', start=i + 1)
            self.assertTrue(before <= int(f['MONOTONIC_USEC']) <= monotonic_usec(), f)
            i, pid, f = notify.wait_field('READY', '1', start=i + 1)
            self.assertEqual(f['STATUS'],
                             'serving 1 services, 2 reals; last reload ok (1 ok, 0 refused)')

            write(conf, service_toml(farm.vip, [(farm.ip('real1'), 1)]) + 'wieght = 1\n')
            res = farm.run('director', [vipd.vipd_bin, '--reload', '--socket', vipd.socket],
                           check=False)
            self.assertEqual(res.returncode, 1, res.stderr)
            i, _, f = notify.wait_field('RELOADING', '1', start=i + 1)
            i, _, f = notify.wait_field('READY', '1', start=i + 1)
            self.assertTrue(f['STATUS'].startswith(
                f"serving 1 services, 2 reals; last reload refused: {conf}:"), f)
            self.assertIn("unknown key 'wieght'", f['STATUS'])

            vipd.proc.send_signal(signal.SIGTERM)
            i, pid, f = notify.wait_field('STOPPING', '1', start=i + 1)
            self.assertEqual(pid, vipd.proc.pid)
            self.assertIn('stopping on SIGTERM', f['STATUS'])
            self.assertEqual(vipd.proc.wait(10), 0, vipd.log())


class ReloadCommand(unittest.TestCase):

    def test_vipd_reload_returns_the_outcome_once_applied(self):
        with Farm(reals=2) as farm:
            conf = os.path.join(farm.tempdir, 'vipd.conf')
            write(conf, service_toml(farm.vip, [(farm.ip('real1'), 1)]))
            vipd = Vipd(farm, extra_args=['--config', conf]).start()
            reload = [vipd.vipd_bin, '--reload', '--socket', vipd.socket]
            write(conf, service_toml(farm.vip, [(farm.ip('real1'), 1), (farm.ip('real2'), 1)]))
            res = farm.run('director', reload, check=False)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(res.stderr, f'vipd: reloaded {conf}: 1 services\n')
            # Done when it returned: the new real is in the table, no waiting.
            self.assertIn(f'-> {farm.ip("real2")}:80', vipd.vipadm('-L', '-n').stdout)
            rules = vipd.vipadm('-S', '-n').stdout

            write(conf, service_toml(farm.vip, [(farm.ip('real1'), 1)]) + 'wieght = 1\n')
            res = farm.run('director', reload, check=False)
            self.assertEqual(res.returncode, 1, res.stderr)
            self.assertIn(f"vipd: {conf}:12:1: unknown key 'wieght' in [[service.real]]\n",
                          res.stderr)
            self.assertTrue(res.stderr.endswith(
                f'vipd: reload refused, the running table stays: errors in {conf}\n'),
                res.stderr)
            self.assertEqual(vipd.vipadm('-S', '-n').stdout, rules)
            self.assertEqual(answers(farm), ['real1', 'real2'])

            # The socket from the file's [vipd] section when --socket is not given.
            write(conf, f'[vipd]\nsocket = "{vipd.socket}"\n' +
                  service_toml(farm.vip, [(farm.ip('real2'), 1)]))
            res = farm.run('director', [vipd.vipd_bin, '--reload', '--config', conf],
                           check=False)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(answers(farm), ['real2'])
            self.assertEqual(vipd.stop(), 0, vipd.log())

    def test_vipd_reload_without_a_vipd_fails(self):
        with Farm(reals=1) as farm:
            res = farm.run('director', [os.environ['VIPD_BIN'], '--reload', '--socket',
                                        os.path.join(farm.tempdir, 'none.sock')], check=False)
            self.assertEqual(res.returncode, 2, res.stderr)
            self.assertIn('connecting to vipd at', res.stderr)


if __name__ == '__main__':
    run_tests(__name__)
