// Loaded by .mocharc before every spec: mocha runs without --exit, so a test that leaks a socket, a timer
// or a child would keep the run alive for ever. After the last test this waits a bounded time for the
// process to end by itself; if it does not, it names what is still open and exits non-zero.
const GRACE_MS = 30_000;

export const mochaHooks = {
  afterAll(): void {
    setTimeout(() => {
      const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
      console.error(`the unit tests left resources open ${GRACE_MS / 1000} s after the last test: ${open.join(', ')}`);
      // mocha's own 'exit' listener sets the exit code to the failure count; this one runs after it.
      process.on('exit', () => (process.exitCode = Math.max(Number(process.exitCode ?? 0), 1)));
      process.exit(1);
    }, GRACE_MS).unref();
  },
};
