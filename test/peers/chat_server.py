# The tutorials' multi-client chat server: each client first sends its name (one line), then every line
# it sends is relayed to the other clients as "NAME: line"; joining and leaving are announced to the
# others as "NAME joined" / "NAME left". One thread, selectors. Prints the bound port (port 0) on stdout.
import selectors
import socket

sel = selectors.DefaultSelector()
clients = {}  # socket -> {"name": str | None, "buf": bytes}


def broadcast(sender, data):
    for c in list(clients):
        if c is not sender and clients[c]["name"] is not None:
            try:
                c.sendall(data)
            except OSError:
                pass


def drop(c):
    info = clients.pop(c)
    sel.unregister(c)
    c.close()
    if info["name"] is not None:
        broadcast(None, (info["name"] + " left\n").encode())


def on_data(c):
    try:
        data = c.recv(4096)
    except OSError:
        data = b""
    if not data:
        drop(c)
        return
    info = clients[c]
    info["buf"] += data
    while b"\n" in info["buf"]:
        line, info["buf"] = info["buf"].split(b"\n", 1)
        text = line.decode("utf-8", "replace").rstrip("\r")
        if info["name"] is None:
            info["name"] = text
            c.sendall(("welcome " + text + "\n").encode())
            broadcast(c, (text + " joined\n").encode())
        else:
            broadcast(c, (info["name"] + ": " + text + "\n").encode())


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(16)
server.setblocking(False)
sel.register(server, selectors.EVENT_READ)
print(server.getsockname()[1], flush=True)

while True:
    for key, _ in sel.select():
        if key.fileobj is server:
            c, _ = server.accept()
            clients[c] = {"name": None, "buf": b""}
            sel.register(c, selectors.EVENT_READ)
        else:
            on_data(key.fileobj)
