# The tutorial fixed-reply server: accept a client, recv(1024), sendall() a fixed reply for each
# chunk until recv returns b"". Usage: reply_server.py REPLY [once] [ENCODING]; "once" closes the
# connection after the first reply. Prints the bound port (port 0) on stdout; serves clients in turn.
import socket
import sys

encoding = sys.argv[3] if len(sys.argv) > 3 else "utf-8"
reply = sys.argv[1].encode("utf-8").decode("unicode_escape").encode("latin1").decode("utf-8").encode(encoding)
once = len(sys.argv) > 2 and sys.argv[2] == "once"

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(5)
print(s.getsockname()[1], flush=True)

while True:
    conn, addr = s.accept()
    while True:
        data = conn.recv(1024)
        if not data:
            break
        conn.sendall(reply)
        if once:
            break
    conn.close()
