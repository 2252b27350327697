"""Drive `pc-hybrid create-agent --interactive` in a real pseudo-terminal, answering like a user.
Usage: drive_wizard.py BINARY WORKDIR -> exit code of the binary; the transcript on stdout."""

import os
import pty
import re
import select
import sys
import time

binary, workdir = sys.argv[1], sys.argv[2]
transcript = b""


def read_until(fd, pattern, timeout=15):
    global transcript
    deadline = time.monotonic() + timeout
    rx = re.compile(pattern.encode())
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            transcript += chunk
            plain = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", transcript)
            if rx.search(plain):
                return
    sys.stdout.write(transcript.decode(errors="replace"))
    raise SystemExit(f"timed out waiting for {pattern!r}")


pid, fd = pty.fork()
if pid == 0:
    os.chdir(workdir)
    os.execv(binary, [binary, "create-agent", "--interactive"])

read_until(fd, r"Agent name")
os.write(fd, b"Bad-Name\r")
read_until(fd, r"not snake_case")
# dialoguer keeps the rejected text: erase it before typing again.
os.write(fd, b"\x7f" * 8 + b"tax_advisor\r")
read_until(fd, r"Domain area")
os.write(fd, b"\x1b[B\x1b[B")  # security -> web_development -> finance
time.sleep(0.2)
os.write(fd, b"\r")
read_until(fd, r"Agent description")
os.write(fd, b"Answers \"tax\" questions\r")
read_until(fd, r"Select capabilities")
os.write(fd, b" ")  # toggle code_analysis
time.sleep(0.2)
os.write(fd, b"\r")
read_until(fd, r"Other capabilities")
os.write(fd, b"vat_returns\r")
read_until(fd, r"Create this agent\?")
os.write(fd, b"y")
read_until(fd, r"created in", timeout=30)
_, status = os.waitpid(pid, 0)
sys.stdout.write(re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", transcript).decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
