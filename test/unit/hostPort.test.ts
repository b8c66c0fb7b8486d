import * as assert from 'node:assert/strict';
import { HostPortError, checkHost, formatHostPort, parseHostPort, parsePort } from '../../src/core/hostPort';

describe('hostPort', () => {
  describe('parseHostPort', () => {
    it('parses host:port', () => {
      assert.deepEqual(parseHostPort('127.0.0.1:9007'), { host: '127.0.0.1', port: 9007 });
      assert.deepEqual(parseHostPort('  example.com:80 '), { host: 'example.com', port: 80 });
    });

    it('parses an IPv6 address in brackets', () => {
      assert.deepEqual(parseHostPort('[::1]:7'), { host: '::1', port: 7 });
      assert.deepEqual(parseHostPort('[fe80::1%eth0]:65535'), { host: 'fe80::1%eth0', port: 65535 });
    });

    it('accepts a bare port only when a default host is given', () => {
      assert.deepEqual(parseHostPort('9007', '127.0.0.1'), { host: '127.0.0.1', port: 9007 });
      assert.throws(() => parseHostPort('9007'), /has no port/);
    });

    const bad: [string, RegExp][] = [
      [':80', /has no host/],
      ['host:', /has no port/],
      ['[::1]', /has no port/],
      ['1.2.3.4:99999', /out of range \(1-65535\)/],
      ['abc', /"abc" has no port/],
      ['localhost:0', /out of range/],
      ['::1:7', /brackets/],
      ['[abc]:7', /not an IPv6 address/],
      ['', /Enter host:port/],
      ['localhost:http', /not a port number/],
      ['bad host:80', /not a valid host name/],
    ];
    for (const [input, message] of bad) {
      it(`refuses ${JSON.stringify(input)} with a clear message`, () => {
        assert.throws(
          () => parseHostPort(input),
          (e: unknown) => e instanceof HostPortError && message.test(e.message),
        );
      });
    }
  });

  it('parsePort allows 0 only for servers', () => {
    assert.equal(parsePort('0', true), 0);
    assert.equal(parsePort(65535), 65535);
    assert.throws(() => parsePort('0'), /out of range \(1-65535\)/);
    assert.throws(() => parsePort('-1', true), /not a port number \(0-65535\)/);
    assert.throws(() => parsePort('abc'), /not a port number \(1-65535\)/);
    assert.throws(() => parsePort('65536', true), /out of range \(0-65535\)/);
    assert.throws(() => parsePort('1e3'), /not a port number/);
  });

  it('checkHost accepts names and addresses and refuses junk', () => {
    assert.equal(checkHost(' localhost '), 'localhost');
    assert.equal(checkHost('::1'), '::1');
    assert.equal(checkHost('10.0.0.1'), '10.0.0.1');
    assert.throws(() => checkHost(''), /empty/);
    assert.throws(() => checkHost('a/b'), /not a valid host name/);
    assert.throws(() => checkHost('::g'), /not a valid IPv6/);
  });

  it('formatHostPort round-trips through parseHostPort', () => {
    for (const [h, p] of [
      ['127.0.0.1', 1],
      ['::1', 9007],
      ['example.com', 65535],
    ] as const) {
      const text = formatHostPort(h, p);
      assert.deepEqual(parseHostPort(text), { host: h, port: p });
    }
    assert.equal(formatHostPort('::1', 7), '[::1]:7');
  });
});
