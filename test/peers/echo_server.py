# The tutorial echo server: accept a client, recv() and sendall() back until recv returns b"", repeat.
# Usage: echo_server.py [HOST] [PORT]; prints the bound port on stdout (useful with port 0).
# Serves clients one after another until it is killed.
import socket
import sys

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 0

s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((host, port))
s.listen(5)
print(s.getsockname()[1], flush=True)

while True:
    conn, addr = s.accept()
    while True:
        data = conn.recv(1024)
        if not data:
            break
        conn.sendall(data)
    conn.close()
