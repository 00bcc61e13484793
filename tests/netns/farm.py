#!/usr/bin/env python3
"""An LVS-DR web farm in network namespaces, for vipd's end-to-end tests (stdlib only).

One L2 segment: a Linux bridge in a "switch" namespace, and one veth pair per node (the node's
end is `eth0` in the node's namespace, the other end `p-<role>` is a port of the bridge):

    client 198.18.0.10/15   director 198.18.0.2/15 + VIP/32   realN 198.18.1.1N/15 + VIP/32 on lo
        eth0                      eth0                              eth0 (arp_ignore=1, announce=2)
         |                         |                                 |
      p-client               p-director (xdp_pass)                p-realN
         +------------------ br0 (switch namespace) -----------------+

Each real runs nginx answering `GET /` with its name (`real1\n`). IPv6 is disabled everywhere
so that no neighbour discovery reaches the director: tests count every packet it sees.

Usage:
    with Farm(reals=3, xdp_pass_obj=path) as farm:     # or VIPD_XDP_PASS_OBJ=path
        farm.popen('director', ['vipd', '--bpf-pin-dir', farm.bpffs + '/pins', ...])
        assert farm.http_get(f'http://{farm.vip}/') in {'real1\\n', 'real2\\n', 'real3\\n'}

Cleanup: everything the farm creates is recorded, as it is created, with a reaper process that
runs in a session of its own and undoes it all when the farm closes or its owner dies, even by
SIGKILL. That matters because `meson test` ends a test on timeout or Ctrl-C by SIGTERM to the
process group and SIGKILL half a second later, too soon for an orderly teardown. The farm only
ever removes what it recorded: namespaces it did not create are never touched.
"""

import atexit
import dataclasses
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

XDP_PASS_ENV = 'VIPD_XDP_PASS_OBJ'
DEFAULT_VIP = '198.18.1.100'
CLIENT_IP = '198.18.0.10'
DIRECTOR_IP = '198.18.0.2'
PREFIX_LEN = 15
INTERFACE = 'eth0'
BRIDGE = 'br0'
NETNS_DIR = '/run/netns'

# Interface names live inside the farm's own namespaces, so they need no run-unique part and
# stay far below Linux's 15 characters ('p-director' is the longest).
MAX_REALS = 80
# Each farm of this process gets its own serial, so two farms never share a name.
_serial = itertools.count()


class FarmError(RuntimeError):
    """A farm could not be built or a command inside it failed."""


def real_ip(index):
    """Address of real number `index` (1-based): real1 is 198.18.1.11."""
    return f'198.18.1.{10 + index}'


@dataclasses.dataclass(frozen=True)
class Node:
    """One namespace of the farm; `ip` is None for the switch."""
    role: str
    netns: str
    ip: str | None


def _run(argv, timeout=60, check=True, **kwargs):
    """Runs a command with its output captured as text unless told otherwise. With check, a
    failure or timeout raises FarmError carrying stderr (what a failing test needs to show)."""
    kwargs.setdefault('stdout', subprocess.PIPE)
    kwargs.setdefault('stderr', subprocess.PIPE)
    kwargs.setdefault('text', True)
    try:
        proc = subprocess.run(argv, timeout=timeout, check=False, **kwargs)
    except subprocess.TimeoutExpired as e:
        raise FarmError(f'{" ".join(argv)}: timed out after {timeout} s') from e
    if check and proc.returncode != 0:
        raise FarmError(f'{" ".join(argv)}: exit {proc.returncode}: {(proc.stderr or "").strip()}')
    return proc


# ---- reaper: the only code that removes anything -----------------------------------------

_RECORD_KINDS = ('netns', 'mount', 'dir', 'user', 'group')


def _netns_inodes(namespaces):
    """Inodes of the namespaces' files under /run/netns: what /proc/PID/ns/net links name."""
    inodes = set()
    for ns in namespaces:
        try:
            inodes.add(os.stat(os.path.join(NETNS_DIR, ns)).st_ino)
        except OSError:
            pass
    return inodes


def _pids_in(inodes):
    """Live processes whose network namespace is one of `inodes` (zombies have none)."""
    pids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            link = os.readlink(f'/proc/{entry}/ns/net')
        except OSError:
            continue
        if int(link[len('net:['):-1]) in inodes:
            pids.append(int(entry))
    return pids


def _kill_processes_in(namespaces, grace=5.0):
    """SIGTERM first so nginx and vipd shut down as they would, SIGKILL what outlives `grace`.

    Every process in a farm namespace was started for the farm (by popen, or by one of
    those), so this catches daemons that escaped their parent as well."""
    inodes = _netns_inodes(namespaces)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        deadline = time.monotonic() + grace
        for pid in _pids_in(inodes):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        while _pids_in(inodes) and time.monotonic() < deadline:
            time.sleep(0.05)


def _unmount(path):
    """Unmounts, lazily if something still holds the mount, so the directory can go."""
    for argv in (['umount', path], ['umount', '--lazy', path]):
        if subprocess.run(argv, stderr=subprocess.DEVNULL, check=False).returncode == 0:
            return
    print(f'farm reaper: cannot unmount {path}', file=sys.stderr)


def _reap(records):
    """Undoes `records` (kind, value) in reverse: processes, namespaces, mounts, directories.

    Deleting a namespace deletes its veths (and with them the bridge ports and XDP programs)."""
    namespaces = [value for kind, value in records if kind == 'netns']
    _kill_processes_in(namespaces)
    for kind, value in reversed(records):
        if kind == 'netns':
            subprocess.run(['ip', 'netns', 'delete', value], check=False)
        elif kind == 'mount':
            _unmount(value)
        elif kind == 'dir':
            shutil.rmtree(value, ignore_errors=True)
        elif kind in ('user', 'group'):
            subprocess.run([kind + 'del', value], stderr=subprocess.DEVNULL, check=False)


def _reaper_main():
    """Collects records from stdin until EOF (the farm closed, or its owner died), then reaps."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    records = []
    for line in sys.stdin.buffer:
        kind, _, value = line.decode(errors='replace').rstrip('\n').partition(' ')
        if kind in _RECORD_KINDS and value and line.endswith(b'\n'):
            records.append((kind, value))
    _reap(records)


class _Reaper:
    """Owner's side of the reaper process: records objects, and on finish waits for the reap."""

    def __init__(self):
        self._proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), '--reap'],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, bufsize=0,
            start_new_session=True, cwd='/')

    def record(self, kind, value):
        """One unbuffered write below PIPE_BUF: atomic, and safe inside a signal handler."""
        assert kind in _RECORD_KINDS and '\n' not in value
        self._proc.stdin.write(f'{kind} {value}\n'.encode())

    def finish(self, timeout=120):
        """Closing the pipe is the signal to reap; waiting makes the removal visible on return."""
        self._proc.stdin.close()
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            print(f'farm: reaper {self._proc.pid} still running after {timeout} s',
                  file=sys.stderr)


# ---- the farm ----------------------------------------------------------------------------

_NGINX_CONF = '''\
# {role}: answers every request with its own name; every file it uses is under {dir}.
daemon off;
master_process on;
worker_processes 1;
user root;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/tmp/client_body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    server {{
        listen 0.0.0.0:80;
        location / {{
            default_type text/plain;
            return 200 "{role}\\n";
        }}
    }}
}}
'''


class Farm:
    """A client, a director and `reals` real servers behind a VIP, LVS-DR style, on one bridge.

    Roles are 'switch', 'client', 'director', 'real1' ... 'realN'. Build it with `with Farm()`
    (or start() and close()); close() is idempotent and also runs at exit and on SIGTERM."""

    def __init__(self, reals=3, vip=DEFAULT_VIP, xdp_pass_obj=None):
        if not 1 <= reals <= MAX_REALS:
            raise FarmError(f'reals must be 1..{MAX_REALS}, not {reals}')
        self.vip = vip
        self.xdp_pass_obj = xdp_pass_obj or os.environ.get(XDP_PASS_ENV)
        self.prefix = f'vipd-{os.getpid()}-{next(_serial)}-'
        self.bpffs = f'/run/{self.prefix}bpf'
        self.tempdir = None
        self.reals = [f'real{i}' for i in range(1, reals + 1)]
        nodes = [Node('switch', self.prefix + 'sw', None),
                 Node('client', self.prefix + 'client', CLIENT_IP),
                 Node('director', self.prefix + 'director', DIRECTOR_IP)]
        nodes += [Node(r, self.prefix + r, real_ip(i)) for i, r in enumerate(self.reals, 1)]
        self._nodes = {node.role: node for node in nodes}
        self._reaper = None
        self._nginx = {}
        self._processes = []
        self._previous_sigterm = None

    # -- lifecycle --

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def start(self):
        """Builds the farm; on any failure, removes what was already built and re-raises."""
        if self._reaper is not None:
            raise FarmError(f'farm {self.prefix} is already running')
        if not self.xdp_pass_obj or not os.path.isfile(self.xdp_pass_obj):
            raise FarmError(f'xdp_pass object not found ({XDP_PASS_ENV}='
                            f'{self.xdp_pass_obj!r}); it is built as tests/netns/xdp_pass.bpf.o')
        self._reaper = _Reaper()
        self._install_exit_hooks()
        try:
            self._mount_bpffs()
            self.tempdir = tempfile.mkdtemp(prefix=self.prefix)
            self._reaper.record('dir', self.tempdir)
            for node in self._nodes.values():
                self._add_netns(node)
            self._build_switch()
            for role in ['client', 'director'] + self.reals:
                self._connect(self._nodes[role])
            self._configure_client()
            self._configure_director()
            for role in self.reals:
                self._configure_real(role)
                self.start_real(role)
        except BaseException:
            self.close()
            raise
        return self

    def close(self):
        """Kills every process in the farm, deletes its namespaces, bpffs and temp dir."""
        if self._reaper is None:
            return
        reaper, self._reaper = self._reaper, None
        self._remove_exit_hooks()
        reaper.finish()
        for proc in self._processes:
            try:
                proc.wait(10)  # already killed by the reaper; this only collects the status
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._processes.clear()
        self._nginx.clear()

    def _install_exit_hooks(self):
        """atexit covers a forgotten close(); SIGTERM (meson's timeout) would skip both."""
        atexit.register(self.close)
        if threading.current_thread() is threading.main_thread():
            self._previous_sigterm = signal.signal(signal.SIGTERM, self._on_sigterm)

    def _remove_exit_hooks(self):
        atexit.unregister(self.close)
        if self._previous_sigterm is not None:
            if signal.getsignal(signal.SIGTERM) == self._on_sigterm:
                signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None

    def _on_sigterm(self, signum, frame):
        """Cleans up, then lets the previous disposition act: by default, die of SIGTERM."""
        previous = self._previous_sigterm
        self.close()
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            os.kill(os.getpid(), signum)

    # -- building --

    def _mount_bpffs(self):
        """Mounted before anything runs in a namespace: `ip netns exec` remounts /sys, so the
        director's pins need a bpffs outside /sys, visible in every namespace."""
        os.mkdir(self.bpffs, 0o700)
        self._reaper.record('dir', self.bpffs)
        _run(['mount', '-t', 'bpf', 'bpf', self.bpffs])
        self._reaper.record('mount', self.bpffs)

    def add_group(self, suffix):
        """A system group for the farm's tests, removed with the farm; returns its name."""
        name = self.prefix + suffix
        self._reaper.record('group', name)  # first: a kill between the two leaves nothing
        _run(['groupadd', name])
        return name

    def add_user(self, suffix, groups=()):
        """A user without home or login shell, in `groups` besides its primary group (users),
        removed with the farm (before the groups: the reaper undoes in reverse); its name."""
        name = self.prefix + suffix
        self._reaper.record('user', name)
        _run(['useradd', '--no-create-home', '--no-user-group', '--shell', '/usr/sbin/nologin']
             + (['--groups', ','.join(groups)] if groups else []) + [name])
        return name

    def _add_netns(self, node):
        """Creates the namespace with IPv6 off before any interface exists, so none ever sends
        a router solicitation or MLD report; reals also get LVS-DR's ARP rules as defaults,
        which their eth0 inherits."""
        _run(['ip', 'netns', 'add', node.netns])
        self._reaper.record('netns', node.netns)
        _run(['ip', '-n', node.netns, 'link', 'set', 'lo', 'up'])
        sysctls = ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']
        if node.role in self.reals:
            sysctls += [f'net.ipv4.conf.{scope}.{name}={value}'
                        for scope in ('all', 'default')
                        for name, value in (('arp_ignore', 1), ('arp_announce', 2))]
        self.run(node.role, ['sysctl', '-q', '-w'] + sysctls)

    def _build_switch(self):
        """A bridge without STP: its ports forward as soon as they are up."""
        sw = self.ns('switch')
        _run(['ip', '-n', sw, 'link', 'add', BRIDGE, 'type', 'bridge', 'stp_state', '0'])
        _run(['ip', '-n', sw, 'link', 'set', BRIDGE, 'up'])

    def _connect(self, node):
        """A veth created directly in the two namespaces: nothing ever appears in the host's."""
        sw, port = self.ns('switch'), self.switch_port(node.role)
        _run(['ip', '-n', node.netns, 'link', 'add', INTERFACE, 'type', 'veth',
              'peer', 'name', port, 'netns', sw])
        _run(['ip', '-n', sw, 'link', 'set', port, 'master', BRIDGE, 'up'])
        _run(['ip', '-n', node.netns, 'addr', 'add', f'{node.ip}/{PREFIX_LEN}', 'dev', INTERFACE])
        _run(['ip', '-n', node.netns, 'link', 'set', INTERFACE, 'up'])

    def _configure_client(self):
        """TX checksum offload off: veth would otherwise hand on frames with partial checksums,
        and the frames XDP forwards must carry a full one."""
        self.run('client', ['ethtool', '-K', INTERFACE, 'tx', 'off'])

    def _configure_director(self):
        """The VIP as an LVS-DR operator sets it, and xdp_pass on the director's switch port."""
        _run(['ip', '-n', self.ns('director'), 'addr', 'add', f'{self.vip}/32', 'dev', INTERFACE])
        _run(['ip', '-n', self.ns('switch'), 'link', 'set', 'dev', self.switch_port('director'),
              'xdpdrv', 'obj', self.xdp_pass_obj, 'sec', 'xdp'])

    def _configure_real(self, role):
        """The VIP on lo, so the real accepts the director's frames; it never answers ARP for it
        (arp_ignore/arp_announce were set when the namespace was made)."""
        _run(['ip', '-n', self.ns(role), 'addr', 'add', f'{self.vip}/32', 'dev', 'lo'])
        real_dir = os.path.join(self.tempdir, role)
        os.makedirs(os.path.join(real_dir, 'tmp'))
        with open(os.path.join(real_dir, 'nginx.conf'), 'w', encoding='ascii') as f:
            f.write(_NGINX_CONF.format(role=role, dir=real_dir))

    # -- real servers --

    def start_real(self, role, timeout=10):
        """Starts the real's nginx and returns once it listens (it writes its pid file after
        opening its sockets)."""
        if role in self._nginx:
            raise FarmError(f'{role}: nginx already running')
        real_dir = os.path.join(self.tempdir, role)
        pid_file = os.path.join(real_dir, 'nginx.pid')
        if os.path.exists(pid_file):
            os.unlink(pid_file)  # left by a killed nginx; would pass for readiness
        proc = self.popen(role, ['nginx', '-p', real_dir, '-c', os.path.join(real_dir, 'nginx.conf'),
                                 '-e', os.path.join(real_dir, 'error.log')],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not self._pid_file_names(pid_file, proc.pid):
            if proc.poll() is not None or time.monotonic() > deadline:
                self._stop_process(proc)
                with open(os.path.join(real_dir, 'error.log'), encoding='utf-8',
                          errors='replace') as log:
                    raise FarmError(f'{role}: nginx did not start: {log.read().strip()}')
            time.sleep(0.02)
        self._nginx[role] = proc

    def stop_real(self, role):
        """Stops the real's nginx (fast shutdown); connections to it are then refused."""
        proc = self._nginx.pop(role, None)
        if proc is None:
            raise FarmError(f'{role}: nginx is not running')
        self._stop_process(proc)

    @staticmethod
    def _pid_file_names(pid_file, pid):
        try:
            with open(pid_file, encoding='ascii') as f:
                return f.read().strip() == str(pid)
        except OSError:
            return False

    def _stop_process(self, proc, timeout=10):
        """SIGTERM, then SIGKILL to its whole session (nginx's workers included)."""
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self._processes.remove(proc)

    # -- running things --

    def ns(self, role):
        """The namespace name of a role ('switch', 'client', 'director', 'real1', ...)."""
        return self.node(role).netns

    def node(self, role):
        """The role's Node; an unknown role is an error that lists the valid ones."""
        try:
            return self._nodes[role]
        except KeyError:
            raise FarmError(f'no role {role!r}; roles: {", ".join(self._nodes)}') from None

    def ip(self, role):
        """The node's own address (not the VIP)."""
        return self.node(role).ip

    def interface(self, role):
        """The node's interface inside its namespace (the same name in every node)."""
        if role == 'switch':
            raise FarmError('the switch has ports, not an interface: use switch_port()')
        self.node(role)
        return INTERFACE

    def switch_port(self, role):
        """The bridge port (in the switch namespace) that leads to `role`."""
        self.node(role)
        return f'p-{role}'

    def mac(self, role):
        """MAC address of the node's interface."""
        out = _run(['ip', '-n', self.ns(role), '-j', 'link', 'show', 'dev', INTERFACE]).stdout
        return json.loads(out)[0]['address']

    def run(self, role, argv, *, check=True, timeout=60, **kwargs):
        """Runs argv in the role's namespace; output captured as text unless told otherwise.
        With check, a failure raises FarmError carrying stderr."""
        return _run(['ip', 'netns', 'exec', self.ns(role)] + list(argv), timeout=timeout,
                    check=check, **kwargs)

    def popen(self, role, argv, **kwargs):
        """Starts argv in the role's namespace, in a session of its own so that a SIGTERM to
        the test's process group leaves it for the farm's orderly teardown; killed at close()."""
        kwargs.setdefault('start_new_session', True)
        proc = subprocess.Popen(['ip', 'netns', 'exec', self.ns(role)] + list(argv), **kwargs)
        self._processes.append(proc)
        return proc

    def http_get(self, url, ns='client', timeout=5.0):
        """GET over a new connection from `ns`; returns the body, raises FarmError on any
        failure (refused, timed out, HTTP error). Proxy variables are ignored: the farm is
        reachable only from inside."""
        return self.run(ns, ['curl', '--silent', '--show-error', '--fail', '--noproxy', '*',
                             '--max-time', str(timeout), url], timeout=timeout + 10).stdout


if __name__ == '__main__' and sys.argv[1:] == ['--reap']:
    _reaper_main()
