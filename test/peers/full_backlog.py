# A listening socket that never accepts, with its accept queue filled: a new connect gets no answer
# (Linux drops the SYN), which is how a connect timeout is provoked without any network.
# Usage: full_backlog.py; prints the port on stdout, holds until stdin is closed.
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
s.listen(0)
port = s.getsockname()[1]
fillers = []
for _ in range(8):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setblocking(False)
    try:
        c.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    fillers.append(c)
print(port, flush=True)
sys.stdin.read()
for c in fillers:
    c.close()
s.close()
