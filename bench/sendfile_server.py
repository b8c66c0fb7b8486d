# Reference file server for the benchmark, written the tutorial way: one recv for the name, then
# socket.sendfile, which hands the file to the kernel (zero-copy) -- the ceiling for this protocol.
# Prints its port on the first line; serves one client at a time until killed.
import os
import socket
import sys

root = os.path.realpath(sys.argv[1])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(16)
print(srv.getsockname()[1], flush=True)

while True:
    conn, _ = srv.accept()
    with conn:
        name = conn.recv(4096).decode("utf-8", "replace").strip()
        path = os.path.realpath(os.path.join(root, name))
        # Only plain names inside the root: this is a benchmark peer, not a file server for strangers.
        if os.path.dirname(path) == root and os.path.isfile(path):
            with open(path, "rb") as f:
                try:
                    conn.sendfile(f)
                except OSError:
                    pass
