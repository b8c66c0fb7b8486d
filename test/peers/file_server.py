# A file server written the way the socket tutorials write it: accept, ONE recv(1024) for the name,
# decode, open the file from the root and sendall it in pieces, close; unknown name -> close with zero bytes.
# usage: file_server.py ROOT PORT [ENCODING] [--linger0]
# Prints the bound port on stdout (useful with port 0). --linger0 makes the kernel reset open
# connections when the process dies, the way a crashed server on Windows looks to its clients.
import os
import socket
import struct
import sys


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    root, port = args[0], int(args[1])
    enc = args[2] if len(args) > 2 else "utf-8"
    linger0 = "--linger0" in sys.argv
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(128)
    print(srv.getsockname()[1], flush=True)
    while True:
        conn, addr = srv.accept()
        if linger0:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        try:
            name = conn.recv(1024).decode(enc)
            try:
                f = open(os.path.join(root, name), "rb")
            except OSError:
                print("file does not exist: %r" % name, file=sys.stderr, flush=True)
                conn.close()
                continue
            with f:
                while True:
                    data = f.read(65536)
                    if not data:
                        break
                    conn.sendall(data)
        except (OSError, UnicodeDecodeError) as e:
            print("error: %s" % e, file=sys.stderr, flush=True)
        conn.close()


main()
