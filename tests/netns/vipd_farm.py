"""vipd on a Farm: start the daemon in the director's namespace, drive it with vipadm, read the
fast path's counters, and watch what the client sends and receives. Shared by the end-to-end
tests and tools/demo.

Binaries come from VIPD_BIN and VIPADM_BIN (meson passes them), counter names from
abi/vipd_counters.h, the one definition of the counter enum."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COUNTERS_H = os.path.join(ROOT, 'abi', 'vipd_counters.h')
VIPD_CHAIN_SLOT = 7  # VIPD_CHAIN_SLOT_VIPD, abi/vipd_chain.h


def counter_names():
    """Counter names in enum order, read from the X-macro list in abi/vipd_counters.h."""
    with open(COUNTERS_H) as f:
        text = f.read()
    return re.findall(r'^\s*X\((\w+),', text, flags=re.M)


class Vipd:
    """A vipd process in the farm's director namespace, with its own socket and pin directory."""

    def __init__(self, farm, vipd_bin=None, vipadm_bin=None, pin_dir=None, extra_args=(),
                 socket_path=None, state_dir=None, foreground=True):
        self.farm = farm
        self.vipd_bin = vipd_bin or os.environ['VIPD_BIN']
        self.vipadm_bin = vipadm_bin or os.environ['VIPADM_BIN']
        self.socket = socket_path or os.path.join(farm.tempdir, 'vipd.sock')
        self.pin_dir = pin_dir or os.path.join(farm.bpffs, 'pins')
        self.state_dir = state_dir or os.path.join(farm.tempdir, 'state')
        self.log_path = os.path.join(farm.tempdir, 'vipd.log')
        self.extra_args = list(extra_args)
        self.foreground = foreground  # False: vipd decides (a service manager, or detaching)
        self.proc = None

    def argv(self):
        """The command line start() runs."""
        return [self.vipd_bin, '--interface', self.farm.interface('director'),
                '--socket', self.socket, '--bpf-pin-dir', self.pin_dir,
                '--state-dir', self.state_dir,
                '--conn-table-size', '65536'] + (['--foreground'] if self.foreground else []) + \
            self.extra_args

    def run_to_exit(self, timeout=30):
        """Runs vipd in the foreground until it exits (a start that is refused); returns the
        CompletedProcess, stderr included. A vipd that keeps running fails the caller."""
        return self.farm.run('director', self.argv(), check=False, timeout=timeout)

    def start(self, timeout=10.0, env=None, wrap=None):
        """Starts vipd and returns once its admin socket accepts connections. `env`: its
        environment; `wrap`: a function of the command line that returns the one to run."""
        argv = wrap(self.argv()) if wrap else self.argv()
        with open(self.log_path, 'ab') as log:  # the child keeps its own descriptor
            self.proc = self.farm.popen('director', argv, stdout=log, stderr=log, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f'vipd exited with {self.proc.returncode}: {self.log()}')
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.socket)
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f'vipd did not open {self.socket}: {self.log()}')

    def stop(self, timeout=10.0):
        """SIGTERM, as systemd stops it; returns the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.terminate()
        return self.proc.wait(timeout)

    def reload(self, timeout=10.0):
        """SIGHUP, as systemctl reload sends it; returns the log line of the reload's outcome
        ('reloaded ...' or 'reload refused ...')."""
        outcomes = re.compile(r'^<\d>vipd: (reloaded .*|reload refused.*)$', re.M)
        seen = len(outcomes.findall(self.log()))
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = outcomes.findall(self.log())
            if len(found) > seen:
                return found[seen]
            if self.proc.poll() is not None:
                raise RuntimeError(f'vipd exited with {self.proc.returncode}: {self.log()}')
            time.sleep(0.05)
        raise RuntimeError(f'vipd did not log the reload: {self.log()}')

    def kill(self):
        """SIGKILL, as a crash: vipd cleans nothing up."""
        self.proc.kill()
        return self.proc.wait(10)

    def log(self):
        try:
            with open(self.log_path, errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def vipadm(self, *args, stdin=None, check=True):
        """Runs vipadm in the director's namespace (VIPD_SOCKET set); returns CompletedProcess."""
        env = dict(os.environ, VIPD_SOCKET=self.socket)
        res = subprocess.run(['ip', 'netns', 'exec', self.farm.ns('director'), self.vipadm_bin]
                             + list(args), input=stdin, capture_output=True, text=True, env=env,
                             timeout=30)
        if check and res.returncode != 0:
            raise RuntimeError(f'vipadm {" ".join(args)} exited {res.returncode}: {res.stderr}')
        return res

    def scrape(self, address='127.0.0.1:19100'):
        """vipd's /metrics (by default where vipd serves it), as text."""
        return self.farm.run('director', ['curl', '--silent', '--show-error', '--fail',
                                          '--noproxy', '*', '--max-time', '10',
                                          f'http://{address}/metrics']).stdout

    def counters(self):
        """The fast path's counters, summed over CPUs, by name."""
        out = subprocess.run(['bpftool', '-j', 'map', 'dump', 'pinned',
                              os.path.join(self.pin_dir, 'vipd_cnt_v1')],
                             capture_output=True, text=True, check=True).stdout
        names = counter_names()
        totals = dict.fromkeys(names, 0)
        for entry in json.loads(out):
            formatted = entry.get('formatted', entry)
            key = formatted['key']
            totals[names[key]] = sum(v['value'] for v in formatted['values'])
        return totals


def _bytes_int(v):
    """A bpftool -j value: a number, or little-endian hex bytes."""
    return v if isinstance(v, int) else int.from_bytes(bytes(int(b, 16) for b in v), 'little')


def chain_slots(vipd):
    """Program id in each filled slot of vipd's chain (abi/vipd_chain.h), by slot."""
    out = subprocess.run(['bpftool', '-j', 'map', 'dump', 'pinned',
                          os.path.join(vipd.pin_dir, 'vipd_chain_v1')],
                         capture_output=True, text=True, check=True).stdout
    return {_bytes_int(e['key']): _bytes_int(e['value']) for e in json.loads(out)}


def packet_program_tag(vipd):
    """The tag (a hash of the instructions) of vipd's packet program, in its chain slot."""
    prog = chain_slots(vipd)[VIPD_CHAIN_SLOT]
    out = subprocess.run(['bpftool', '-j', 'prog', 'show', 'id', str(prog)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)['tag']


def counter_deltas(before, after):
    """Counters that moved between two readings."""
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}


# Runs in the client's namespace: counts IPv4 frames the client sends to the VIP (and their IP
# lengths), and TCP RSTs and ICMP port unreachables it receives from the VIP, until its stdin
# closes.
_SNIFFER = textwrap.dedent('''\
    import json, select, socket, sys
    ifname, vip = sys.argv[1], socket.inet_aton(sys.argv[2])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((ifname, 0))
    counts = {'to_vip': 0, 'bytes_to_vip': 0, 'rst_from_vip': 0, 'icmp_unreach_from_vip': 0}
    print('ready', flush=True)
    while True:
        ready, _, _ = select.select([s, sys.stdin], [], [])
        if sys.stdin in ready:
            break
        frame, addr = s.recvfrom(65535)
        if frame[12:14] != b'\\x08\\x00':
            continue
        ip = frame[14:]
        l4 = ip[(ip[0] & 0x0f) * 4:]
        if addr[2] == socket.PACKET_OUTGOING and ip[16:20] == vip:
            counts['to_vip'] += 1
            counts['bytes_to_vip'] += int.from_bytes(ip[2:4], 'big')  # IPVS counts IP lengths
        elif addr[2] != socket.PACKET_OUTGOING and ip[12:16] == vip:
            if ip[9] == 6 and l4[13] & 0x04:
                counts['rst_from_vip'] += 1
            if ip[9] == 1 and l4[0] == 3 and l4[1] == 3:
                counts['icmp_unreach_from_vip'] += 1
    print(json.dumps(counts), flush=True)
''')


class ClientSniffer:
    """Counts, on the client's interface, what goes to the VIP and what comes back refused."""

    def __init__(self, farm):
        self.farm = farm
        self.proc = None

    def __enter__(self):
        self.proc = self.farm.popen('client', [sys.executable, '-c', _SNIFFER,
                                               self.farm.interface('client'), self.farm.vip],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != 'ready':
            raise RuntimeError('client sniffer did not start')
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()

    def result(self):
        """Stops the capture and returns its counts."""
        out, _ = self.proc.communicate(input='', timeout=10)
        return json.loads(out.strip().splitlines()[-1])
