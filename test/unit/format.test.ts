// Sizes, durations and rates for people.
import * as assert from 'node:assert/strict';
import { formatBytes, formatDuration, formatRate } from '../../src/core/format';

describe('format', () => {
  it('formatBytes: bytes, then one decimal below 10, whole numbers above', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1024), '1.0 KB');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(20 * 1024), '20 KB');
    assert.equal(formatBytes(5 * 1024 ** 3), '5.0 GB');
    assert.equal(formatBytes(2048 * 1024 ** 4), '2048 TB');
  });

  it('formatDuration: tenths below 10 s, then s, min, h', () => {
    assert.equal(formatDuration(250), '0.3 s');
    assert.equal(formatDuration(9_949), '9.9 s');
    assert.equal(formatDuration(42_000), '42 s');
    assert.equal(formatDuration(61_000), '1 min 1 s');
    assert.equal(formatDuration(3_725_000), '1 h 2 min');
  });

  it('formatRate: bytes per second, 0 for no time', () => {
    assert.equal(formatRate(3 * 1024 * 1024, 1000), '3.0 MB/s');
    assert.equal(formatRate(1000, 500), '2.0 KB/s');
    assert.equal(formatRate(1000, 0), '0 B/s');
  });
});
