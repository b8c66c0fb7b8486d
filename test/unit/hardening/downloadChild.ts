// Runs one download() in a child process, so a test can give it limits of its own (ulimit -f for a
// "disk full" without root). Usage: downloadChild.js '<DownloadOptions as JSON>'. Prints one JSON line.
import { download } from '../../../src/core/downloads/downloader';

const options = JSON.parse(process.argv[2]) as Parameters<typeof download>[0];
download(options).then(
  (r) => {
    console.log(JSON.stringify({ ok: true, bytes: r.bytes, path: r.path }));
  },
  (e: Error & { errno?: string; bytesReceived?: number }) => {
    console.log(JSON.stringify({ ok: false, name: e.name, message: e.message, code: e.errno, bytesReceived: e.bytesReceived }));
  },
);
