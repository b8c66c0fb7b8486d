# A peer that floods its client for the timeline's responsiveness measurement: listens on 127.0.0.1
# (port 0, printed), accepts one client, waits for its first bytes ("go"), then sends RATE chunks a second
# (one small line each, TCP_NODELAY so each is its own segment) for SECONDS seconds, prints "done" and
# closes. Bounded in time: it gives up waiting after 60 s.
# Usage: flood_sender.py [RATE] [SECONDS]
import socket
import sys
import time

rate = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
srv.settimeout(60)
c, _ = srv.accept()
c.settimeout(60)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
c.recv(16)
start = time.monotonic()
sent = 0
while True:
    elapsed = time.monotonic() - start
    if elapsed >= seconds:
        break
    # Catch up to the rate (a sleep can run long on a busy machine), then sleep about one chunk's time.
    due = int(elapsed * rate) + 1
    while sent < due:
        c.sendall(b"chunk %06d;\n" % sent)
        sent += 1
    time.sleep(1 / rate)
print("done %d" % sent, flush=True)
c.close()
