#!/usr/bin/python3
# A Modbus RTU-over-TCP server from Debian's python3-pymodbus (not ours): holding registers 0..9 hold
# 42, 7, 1000, 0, ... Usage: modbus_rtu_server.py PORT. Prints "ready" once the socket is bound.
import asyncio
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server import StartAsyncTcpServer


async def main(port):
    store = ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, [42, 7, 1000] + [0] * 7), zero_mode=True)
    context = ModbusServerContext(slaves=store, single=True)
    task = asyncio.create_task(StartAsyncTcpServer(context=context, framer=ModbusRtuFramer, address=("127.0.0.1", port)))
    for _ in range(200):
        await asyncio.sleep(0.05)
        try:
            _, w = await asyncio.open_connection("127.0.0.1", port)
            w.close()
            break
        except OSError:
            pass
    print("ready", flush=True)
    await task


asyncio.run(main(int(sys.argv[1])))
