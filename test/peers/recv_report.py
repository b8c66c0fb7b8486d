# A TCP peer that tells what its recv() calls got: for the `.tcp` provoke steps (pieces, together, reset,
# shutdown, pause). Usage: recv_report.py CONNS [--greet TEXT] [--ack]
# Prints its port, accepts CONNS clients; for each (in its own thread): sends TEXT first when --greet is
# given, then recv()s until EOF (FIN: recv returned 0), a reset (ECONNRESET) or 10 s pass, answering every
# recv with "got N\n" when --ack is given. Then prints one JSON line per client:
#   {"data": "...", "recvs": [sizes…], "end": "fin" | "rst" | "timeout"}
import json
import socket
import sys
import threading

conns = int(sys.argv[1])
greet = sys.argv[sys.argv.index("--greet") + 1].encode() if "--greet" in sys.argv else None
ack = "--ack" in sys.argv

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(conns)
print(server.getsockname()[1], flush=True)
lock = threading.Lock()


def serve(conn):
    conn.settimeout(10)
    if greet:
        conn.sendall(greet)
    data, recvs, end = b"", [], "timeout"
    try:
        while True:
            got = conn.recv(65536)
            if not got:
                end = "fin"
                break
            data += got
            recvs.append(len(got))
            if ack:
                conn.sendall(b"got %d\n" % len(got))
    except ConnectionResetError:
        end = "rst"
    except socket.timeout:
        pass
    with lock:
        print(json.dumps({"data": data.decode("latin1"), "recvs": recvs, "end": end}), flush=True)
    conn.close()


threads = []
for _ in range(conns):
    c, _ = server.accept()
    t = threading.Thread(target=serve, args=(c,))
    t.start()
    threads.append(t)
for t in threads:
    t.join()
