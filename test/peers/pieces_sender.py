# A tutorial-style sender for the timeline tests: listens on 127.0.0.1 (port 0, printed), accepts one
# client and sends 3 pieces 0 ms apart (corked, as Nagle would batch them), then 3 pieces 20 ms apart,
# then one big send of BIG bytes, then ends with FIN (shutdown) or RST (SO_LINGER 0). Every send is
# printed as a JSON line {"t": epoch ms, "size": n} so the test knows the writes it cannot observe.
# Usage: pieces_sender.py fin|rst [BIG]
import json
import socket
import struct
import sys
import time

end = sys.argv[1]
big = int(sys.argv[2]) if len(sys.argv) > 2 else 0
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
srv.settimeout(10)
c, _ = srv.accept()
c.settimeout(10)
c.recv(16)  # the client says "go" once it is watching


def send(data):
    c.sendall(data)
    print(json.dumps({"t": time.time() * 1000, "size": len(data)}), flush=True)


c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
for piece in (b"one;", b"two;", b"three;"):
    send(piece)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
time.sleep(0.1)
for piece in (b"four;", b"five;", b"six;"):
    time.sleep(0.02)
    send(piece)
if big:
    time.sleep(0.1)
    send(b"x" * big)
time.sleep(0.1)
if end == "rst":
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
else:
    c.shutdown(socket.SHUT_WR)
    c.recv(16)  # until the client closes
    c.close()
print("done", flush=True)
