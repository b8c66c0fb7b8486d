// A server alone in a child process (forked by helpers.startChildServer), so the tests can measure its
// memory without their own buffers in the figure. Usage: serverChild.js echo | file <root>.
// Sends {port} once listening, answers {cmd: 'memory' | 'resetPeak'}, and stops on SIGTERM.
import { EchoServer } from '../../../src/core/servers/echoServer';
import { FileServer } from '../../../src/core/fileServer/fileServer';
import { TcpServer } from '../../../src/core/servers/serverBase';

const [kind, root] = process.argv.slice(2);
let baseline = process.memoryUsage().rss;
let peak = baseline;
// Sampled often: a burst of buffering between two samples is what the tests want to catch.
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 10);

function reply(cmd: string, value?: unknown): void {
  process.send?.({ reply: cmd, value });
}

async function main(): Promise<void> {
  const server: TcpServer = kind === 'file' ? new FileServer({ root, nameTimeoutMs: 5000 }) : new EchoServer();
  const { port } = await server.start();
  process.on('message', (m: { cmd: string }) => {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    if (m.cmd === 'memory') {
      reply('memory', { rss, peak, baseline });
    } else if (m.cmd === 'resetPeak') {
      baseline = rss;
      peak = rss;
      reply('resetPeak');
    }
  });
  process.once('SIGTERM', () => {
    clearInterval(sampler);
    void server.stop().then(() => process.exit(0));
  });
  process.send?.({ port });
}

main().catch((e: Error) => {
  process.send?.({ error: e.message });
  process.exit(1);
});
