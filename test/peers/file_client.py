# A download client written the way the socket tutorials write it: one send of the encoded name (no
# terminator, no shutdown), then recv(4096) until b"" into a file; an empty answer means "file does not exist".
# usage: file_client.py HOST PORT NAME OUTFILE [ENCODING]
import socket
import sys


def main():
    host, port, name, outfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    enc = sys.argv[5] if len(sys.argv) > 5 else "utf-8"
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((host, port))
    s.send(name.encode(enc))
    f = None
    total = 0
    while True:
        data = s.recv(4096)
        if data == b"":
            break
        if f is None:
            f = open(outfile, "wb")
        f.write(data)
        total += len(data)
    s.close()
    if f is None:
        print("file does not exist")
    else:
        f.close()
        print("received %d bytes" % total)


main()
