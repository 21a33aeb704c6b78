import { once } from 'node:events';
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { TcpProxy } from '../support/tcp-proxy';

describe(TcpProxy.name, () => {
  /** An upstream that echoes what it receives, and keeps it. */
  let echo: Server;
  let received = '';
  let accepted = 0;
  let proxy: TcpProxy;
  const dial = async () => {
    const socket = connect(proxy.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    return socket;
  };
  const closed = (socket: Socket) => new Promise((resolve) => socket.once('close', resolve));
  const roundTrip = async (socket: Socket, text: string) => {
    socket.write(text);
    const [answer] = await once(socket, 'data');
    return String(answer);
  };

  beforeAll(async () => {
    echo = createServer((socket) => {
      accepted++;
      socket.on('data', (data) => {
        received += data;
        socket.write(data);
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port });
  });
  afterEach(() => proxy.restore());
  afterAll(async () => {
    await proxy.close();
    echo.close();
  });

  it('forwards, cuts old and new connections, and forwards new ones again once restored', async () => {
    const before = await dial();
    expect(await roundTrip(before, 'ping')).toBe('ping');

    proxy.cut();
    await closed(before);
    const during = connect(proxy.port, '127.0.0.1');
    const [refused] = await once(during, 'error');
    expect(refused).toMatchObject({ code: 'ECONNRESET' });

    proxy.restore();
    const after = await dial();
    expect(await roundTrip(after, 'pong')).toBe('pong');
    after.destroy();
  });

  it('black-holes old and new connections, keeping them open, and forwards new ones once restored', async () => {
    const old = await dial();
    expect(await roundTrip(old, 'first')).toBe('first');
    const acceptedBefore = accepted;

    proxy.blackHole();
    old.write('lost');
    const during = await dial(); // accepted, and then nothing
    during.write('also lost');

    proxy.restore();
    const after = await dial();
    expect(await roundTrip(after, 'second')).toBe('second');
    expect(received).not.toMatch(/lost/);
    expect(accepted).toBe(acceptedBefore + 1); // the black-holed connection never reached the upstream
    expect([old.destroyed, during.destroyed]).toEqual([false, false]);
    for (const socket of [old, during, after]) socket.destroy();
  });

  it('cuts when a client sends what it is told to watch for, before forwarding it', async () => {
    const socket = await dial();
    const cut = proxy.cutWhen((sent) => sent.includes('COMMIT'));
    expect(await roundTrip(socket, 'INSERT')).toBe('INSERT');
    socket.write('COMMIT');
    await cut;
    await closed(socket);
    expect(received).not.toMatch(/COMMIT/);
  });
});
