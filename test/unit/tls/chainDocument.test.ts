// The certificate chain document in another language's words: the editor passes translated labels, the facts
// stay as the certificate has them, and the values start in one column even when labels are Chinese
// (two columns per character in a monospace editor).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChainWords, describeCertificate, renderChain } from '../../../src/core/tls';
import { CertFactory, ENGLISH_CHAIN_WORDS } from './tlsFixtures';

const CHINESE: ChainWords = {
  subject: '主题：',
  issuer: '颁发者：',
  sans: '备用名称：',
  valid: '有效期：',
  key: '密钥：',
  signature: '签名算法：',
  sha256: 'SHA-256 指纹：',
  serial: '序列号：',
  leaf: '叶证书',
  intermediate: '中间证书',
  root: '根证书',
  ca: (role) => `${role}（CA 证书）`,
  none: '（无）',
  unknown: '（未知）',
  noCertificate: '（对端未发送证书）',
  daysLeft: (d) => `剩余 ${d} 天`,
  expiredDaysAgo: (d) => `已过期 ${d} 天`,
};

/** Columns of a line up to `value`, counting CJK and fullwidth characters as two. */
function columnOf(line: string, value: string): number {
  const before = line.slice(0, line.indexOf(value));
  return [...before].reduce((n, ch) => n + (/[\u2e80-\ua4cf\uff00-\uff60]/.test(ch) ? 2 : 1), 0);
}

describe('renderChain (the certificate chain document)', function () {
  this.timeout(30000);
  let certs: CertFactory;

  before(() => {
    certs = new CertFactory();
  });
  after(() => certs.dispose());

  it('writes the labels it is given, in one column, and the facts unchanged', async () => {
    const ca = await certs.ca('chain-ca', 'Chain CA');
    const leaf = await certs.leaf('chain-leaf', { ca, cn: 'api.test', toDays: -3, fromDays: -10 });
    const chain = [describeCertificate(leaf.cert), describeCertificate(ca.cert)];
    const text = renderChain(chain, '127.0.0.1:6380 的证书链', CHINESE);
    const lines = text.split('\n');
    assert.equal(lines[1], '='.repeat(23), 'the underline is as wide as the title on screen');
    assert.ok(lines.includes('[0] 叶证书'), text);
    assert.ok(lines.includes('[1] 根证书（CA 证书）'), text);
    assert.match(text, /已过期 \d+ 天/);
    assert.match(text, /剩余 \d+ 天/);
    const fields = lines.filter((l) => /^ {2}\S/.test(l));
    assert.equal(fields.length, 16, text);
    const values = [
      chain[0].subject,
      chain[0].issuer,
      'DNS:localhost, IP:127.0.0.1',
      chain[0].validFrom,
      chain[0].key,
      chain[0].signatureAlgorithm,
      chain[0].fingerprint256,
      chain[0].serialNumber,
    ];
    // The widest label is 'SHA-256 指纹：' (14 columns); two spaces follow it.
    const columns = fields.slice(0, 8).map((l, i) => columnOf(l, values[i]));
    assert.deepEqual(new Set(columns), new Set([2 + 14 + 2]), `values in one column:\n${fields.join('\n')}`);
    assert.ok(!/Subject|Issuer|leaf|days/.test(text.split('# [0]')[0]), `no English label is left:\n${text}`);
  });

  it("in English, lays the document out as before (values in column 16) with the editor's l10n keys as words", async () => {
    const leaf = await certs.leaf('chain-self', { cn: 'self.test' });
    const text = renderChain([describeCertificate(leaf.cert)], undefined, ENGLISH_CHAIN_WORDS);
    assert.match(text, /^\[0\] leaf\n {2}Subject: {6}CN=self\.test\n {2}Issuer: {7}CN=self\.test\n {2}SANs: {9}DNS:localhost/);
    assert.equal(renderChain([], 'x', CHINESE), 'x\n=\n\n（对端未发送证书）');
    const bundle = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../l10n/bundle.l10n.json'), 'utf8')) as Record<string, string>;
    const words = Object.values(ENGLISH_CHAIN_WORDS).filter((v): v is string => typeof v === 'string');
    assert.deepEqual(
      words.filter((w) => !(w in bundle)),
      [],
      'every English word of the test is a key of the editor bundle',
    );
  });
});
