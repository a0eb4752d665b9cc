"""A one-connection echo server for the convoy experiment, optionally beside
a thread that counts for ever. Usage: echo_server.py SWITCH_INTERVAL [cpu].
Listens on 127.0.0.1 only, prints its port, serves one client, and exits
when the client hangs up. Messages are read 64 bytes at a time."""
import socket
import sys
import threading


def count_forever():
    n = 0
    while True:
        n += 1


sys.setswitchinterval(float(sys.argv[1]))
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
print(server.getsockname()[1], flush=True)
if len(sys.argv) > 2 and sys.argv[2] == "cpu":
    threading.Thread(target=count_forever, daemon=True).start()
server.settimeout(30)
conn, _ = server.accept()
conn.settimeout(30)
conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
with conn:
    while data := conn.recv(64):
        conn.sendall(data)
