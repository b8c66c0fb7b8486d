# Receives bytes and prints how many and their sha256 (for checking large transfers byte-exact).
# Usage: sha256_sink.py listen [DELAY_S]            -> prints its port, takes one client, reads until EOF
#        sha256_sink.py connect PORT SIZE [DELAY_S] -> connects to 127.0.0.1:PORT, reads SIZE bytes (or until EOF)
# DELAY_S: wait this long before the first recv (a slow reader, so the sender must hold back).
# Prints "LENGTH SHA256" on stdout when done.
import hashlib
import socket
import sys
import time

mode = sys.argv[1]
if mode == "listen":
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    print(server.getsockname()[1], flush=True)
    conn, _ = server.accept()
    want = None
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0
else:
    conn = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=60)
    want = int(sys.argv[3])
    delay = float(sys.argv[4]) if len(sys.argv) > 4 else 0
    print("connected", flush=True)

time.sleep(delay)

h = hashlib.sha256()
n = 0
while want is None or n < want:
    data = conn.recv(1 << 16)
    if not data:
        break
    h.update(data)
    n += len(data)
conn.close()
print(n, h.hexdigest(), flush=True)
