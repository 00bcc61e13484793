"""What a supervisor sees of vipd, for the end-to-end tests: the sd_notify(3) datagrams of a
Type=notify unit (NotifySocket), and syslog(3) lines (SyslogCapture).

Both listen on sockets in a directory of the caller's (the farm's temp dir), so tests in other
worktrees never share one. syslog(3) always writes to /dev/log: SyslogCapture.wrap() runs a
command in a mount namespace of its own whose /dev is a small tmpfs holding the few devices vipd
uses and a `log` link to the capture socket; the host's /dev is never touched."""

import os
import select
import socket
import struct
import time

_SCM_CREDENTIALS = 2


class _Datagrams:
    """A bound AF_UNIX datagram socket that collects what arrives, with the sender's pid."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind(path)
        os.chmod(path, 0o666)
        self.received = []  # (pid, text)

    def close(self):
        self.sock.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _drain(self, timeout):
        ready, _, _ = select.select([self.sock], [], [], timeout)
        while ready:
            data, anc, _, _ = self.sock.recvmsg(65536, socket.CMSG_SPACE(12))
            pid = None
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == _SCM_CREDENTIALS:
                    pid = struct.unpack('iII', payload[:12])[0]
            self.received.append((pid, data.decode(errors='replace')))
            ready, _, _ = select.select([self.sock], [], [], 0)

    def wait_for(self, predicate, timeout=10.0, start=0):
        """The first message from index `start` on for which predicate(text) holds, as (index,
        pid, text); raises AssertionError with everything received on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            for i in range(start, len(self.received)):
                pid, text = self.received[i]
                if predicate(text):
                    return i, pid, text
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f'not received on {self.path}: {self.received[start:]}')
            self._drain(min(left, 0.2))


class NotifySocket(_Datagrams):
    """$NOTIFY_SOCKET of a Type=notify unit: sd_notify's newline-separated assignments."""

    def env(self):
        return dict(os.environ, NOTIFY_SOCKET=self.path)

    @staticmethod
    def fields(text):
        return dict(line.split('=', 1) for line in text.splitlines() if '=' in line)

    def wait_field(self, name, value=None, start=0, timeout=10.0):
        """The next message from index `start` on that assigns `name` (= `value`, if given):
        (index, pid, fields)."""
        def match(text):
            f = self.fields(text)
            return name in f and (value is None or f[name] == value)
        i, pid, text = self.wait_for(match, timeout, start)
        return i, pid, self.fields(text)


_DEV_SETUP = '''
set -e
dev=$1; sock=$2; shift 2
mount -t tmpfs -o mode=0755 vipd-test-dev "$dev"
for n in null zero full random urandom; do
    touch "$dev/$n"; mount --bind "/dev/$n" "$dev/$n"
done
ln -s "$sock" "$dev/log"
mount --rbind "$dev" /dev
exec "$@"
'''


class SyslogCapture(_Datagrams):
    """syslog(3) lines of a command run through wrap(): '<PRI>... ident[pid]: message'."""

    def __init__(self, directory):
        super().__init__(os.path.join(directory, 'syslog.sock'))
        self.dev = os.path.join(directory, 'dev')
        os.makedirs(self.dev, exist_ok=True)

    def wrap(self, argv):
        """argv run in a private mount namespace whose /dev/log is this capture."""
        return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', _DEV_SETUP, 'sh',
                self.dev, self.path] + list(argv)

    def wait_message(self, fragment, timeout=10.0, start=0):
        """The first line containing `fragment`: (index, pid, line)."""
        return self.wait_for(lambda text: fragment in text, timeout, start)


def pids_with_argument(argument):
    """Live processes one of whose arguments is exactly `argument` (a unique socket path)."""
    pids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/cmdline', 'rb') as f:
                args = f.read().split(b'\0')
        except OSError:
            continue
        if argument.encode() in args:
            pids.append(int(entry))
    return pids
