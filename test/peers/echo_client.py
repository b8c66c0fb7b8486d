# The tutorial echo client: connect, one send, one recv(1024), print what came back.
# Usage: echo_client.py HOST PORT TEXT [ENCODING]
import socket
import sys

host, port, text = sys.argv[1], int(sys.argv[2]), sys.argv[3]
encoding = sys.argv[4] if len(sys.argv) > 4 else "utf-8"

s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(10)
s.connect((host, port))
s.send(text.encode(encoding))
data = s.recv(1024)
s.close()
sys.stdout.write(data.decode(encoding))
sys.stdout.flush()
