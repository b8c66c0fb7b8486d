// The deny matcher on its own: the default list, globs, case, segments, multi-segment and folder
// entries, anchoring, the Windows name tails it ignores, and the patterns it refuses to take.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_DENY, DenyGlobError, DenyList, DeniedNameError, checkDenyList, normalizeSegment } from '../../../src/core/fileServer/denyList';
import { WorkbenchError } from '../../../src/core/errors';

const split = (p: string): string[] => p.split('/').filter((s) => s !== '');

describe('denyList', () => {
  describe('the default list', () => {
    const deny = new DenyList();
    const deniedAs: [string, string][] = [
      ['.env', '.env'],
      ['.ENV', '.env'],
      ['.Env.local', '.env.*'],
      ['.env.production', '.env.*'],
      ['config/.env', '.env'],
      ['.envrc', '.envrc'],
      ['server.KEY', '*.key'],
      ['certs/site.pem', '*.pem'],
      ['a.crt', '*.crt'],
      ['bundle.p12', '*.p12'],
      ['bundle.PFX', '*.pfx'],
      ['AuthKey_ABC123.p8', '*.p8'],
      ['putty.ppk', '*.ppk'],
      ['release.keystore', '*.keystore'],
      ['app.jks', '*.jks'],
      ['id_rsa', 'id_rsa*'],
      ['keys/id_rsa.pub', 'id_rsa*'],
      ['id_dsa', 'id_dsa*'],
      ['id_ecdsa', 'id_ecdsa*'],
      ['ID_ED25519', 'id_ed25519*'],
      ['.git', '.git/'],
      ['.git/config', '.git/'],
      ['.GIT/objects/ab/cdef', '.git/'],
      ['sub/.git/HEAD', '.git/'],
      ['.hg/hgrc', '.hg/'],
      ['.svn/entries', '.svn/'],
      ['.git-credentials', '.git-credentials'],
      ['.ssh/known_hosts', '.ssh/'],
      ['.aws/credentials', '.aws/'],
      ['.gnupg/pubring.kbx', '.gnupg/'],
      ['.docker/config.json', '.docker/config.json'],
      ['home/.Docker/Config.JSON', '.docker/config.json'],
      ['.npmrc', '.npmrc'],
      ['.pypirc', '.pypirc'],
      ['.netrc', '.netrc'],
      ['.htpasswd', '.htpasswd'],
      ['vault.kdbx', '*.kdbx'],
      ['infra/terraform.tfstate', '*.tfstate'],
      ['terraform.tfstate.backup', '*.tfstate.*'],
      ['credentials.json', 'credentials*.json'],
      ['client_secret_1234.apps.googleusercontent.com.json', 'client_secret*.json'],
    ];
    for (const [p, entry] of deniedAs) {
      it(`denies ${p} (by ${entry})`, () => {
        assert.equal(deny.match(split(p)), entry);
      });
    }

    const allowed = [
      'README.md',
      'env',
      '.environment',
      'dotenv.txt',
      '.envelope',
      '.gitignore',
      '.gitattributes',
      '.github/workflows/ci.yml',
      'git/config',
      'src/key.ts',
      'keys.txt',
      'monkey',
      'pem',
      'a.pem.txt',
      '.docker/daemon.json',
      'config.json',
      'docker/config.json',
      'id_rs',
      'my_id_rsa',
      'public/index.html',
      '中文.txt',
    ];
    for (const p of allowed) {
      it(`serves ${p}`, () => {
        assert.equal(deny.match(split(p)), undefined);
      });
    }

    it('holds every entry the issue asks for', () => {
      for (const e of [
        '.env',
        '.env.*',
        '*.pem',
        '*.key',
        '*.crt',
        '*.p12',
        '*.pfx',
        'id_rsa*',
        'id_dsa*',
        'id_ecdsa*',
        'id_ed25519*',
        '.git/',
        '.hg/',
        '.svn/',
        '.ssh/',
        '.aws/',
        '.gnupg/',
        '.npmrc',
        '.pypirc',
        '.netrc',
        '.docker/config.json',
        '*.kdbx',
      ]) {
        assert.ok(DEFAULT_DENY.includes(e), e);
      }
    });
  });

  describe('the tcpWorkbench.fileDeny setting in the manifest', () => {
    const root = path.resolve(__dirname, '../../../..');
    const read = (f: string) => JSON.parse(fs.readFileSync(path.join(root, f), 'utf8'));
    const pkg = read('package.json');

    it('defaults to DEFAULT_DENY, an array of strings', () => {
      const prop = pkg.contributes.configuration.properties['tcpWorkbench.fileDeny'];
      assert.equal(prop.type, 'array');
      assert.deepEqual(prop.items, { type: 'string' });
      assert.deepEqual(prop.default, [...DEFAULT_DENY]);
    });

    it('is restricted, so an untrusted workspace cannot loosen it', () => {
      assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('tcpWorkbench.fileDeny'));
    });

    for (const nls of ['package.nls.json', 'package.nls.zh-cn.json']) {
      it(`${nls} shows the whole default list in the description`, () => {
        const text: string = read(nls)['config.fileDeny'];
        const missing = DEFAULT_DENY.filter((g) => !text.includes(`\`${g}\``));
        assert.deepEqual(missing, []);
      });
    }
  });

  describe('what Windows would open anyway', () => {
    const deny = new DenyList();
    for (const p of ['.env.', '.env ', '.env. . ', 'a.pem.', 'server.key  ', '.env::$DATA', '.git::$INDEX_ALLOCATION/config', 'a.pem:stream', '.git./config']) {
      it(`denies ${JSON.stringify(p)}`, () => {
        assert.notEqual(deny.match(split(p)), undefined);
      });
    }
    it('normalizes segments (case, NFC, tail) but keeps dots-only names', () => {
      assert.equal(normalizeSegment('.ENV. '), '.env');
      assert.equal(normalizeSegment('Cafe\u0301'), 'caf\u00e9');
      assert.equal(normalizeSegment('...'), '...');
      assert.equal(normalizeSegment('x::$DATA'), 'x');
    });
  });

  describe('globs', () => {
    it('* matches any run (also none), ? exactly one character', () => {
      const d = new DenyList(['*.log', 'dump?.sql']);
      assert.equal(d.match(['a.log']), '*.log');
      assert.equal(d.match(['.log']), '*.log');
      assert.equal(d.match(['dump1.sql']), 'dump?.sql');
      assert.equal(d.match(['dump.sql']), undefined);
      assert.equal(d.match(['dump12.sql']), undefined);
    });

    it('{a,b} alternatives, as Vite writes *.{crt,pem}', () => {
      const d = new DenyList(['*.{crt,pem}']);
      assert.equal(d.match(['x.crt']), '*.{crt,pem}');
      assert.equal(d.match(['x.PEM']), '*.{crt,pem}');
      assert.equal(d.match(['x.key']), undefined);
    });

    it('treats regex characters literally', () => {
      const d = new DenyList(['a+b(1).txt', '[x].txt', '$HOME']);
      assert.equal(d.match(['a+b(1).txt']), 'a+b(1).txt');
      assert.equal(d.match(['aab(1).txt']), undefined);
      assert.equal(d.match(['[x].txt']), '[x].txt');
      assert.equal(d.match(['x.txt']), undefined);
      assert.equal(d.match(['$home']), '$HOME');
    });

    it('matches a multi-segment entry as consecutive segments anywhere, and what is inside', () => {
      const d = new DenyList(['secrets/prod']);
      assert.equal(d.match(split('secrets/prod')), 'secrets/prod');
      assert.equal(d.match(split('a/b/secrets/prod/db.txt')), 'secrets/prod');
      assert.equal(d.match(split('secrets')), undefined);
      assert.equal(d.match(split('secrets/dev/prod')), undefined);
      assert.equal(d.match(split('prod/secrets')), undefined);
    });

    it('anchors an entry that starts with / to the root', () => {
      const d = new DenyList(['/private']);
      assert.equal(d.match(split('private/x')), '/private');
      assert.equal(d.match(split('sub/private/x')), undefined);
    });

    it('** spans any number of folders; leading and trailing ** change nothing', () => {
      const d = new DenyList(['config/**/token.txt']);
      assert.equal(d.match(split('config/token.txt')), 'config/**/token.txt');
      assert.equal(d.match(split('x/config/a/b/token.txt')), 'config/**/token.txt');
      assert.equal(d.match(split('config/a/b/other.txt')), undefined);
      assert.equal(new DenyList(['a/**/**/**/b']).match(split('a/x/y/b')), 'a/**/**/**/b');
      assert.equal(new DenyList(['a/**/**/**/b']).match(split('a/b')), 'a/**/**/**/b');
      const v = new DenyList(['**/.git/**']);
      assert.equal(v.match(split('.git')), '**/.git/**');
      assert.equal(v.match(split('a/.git/HEAD')), '**/.git/**');
      assert.equal(v.match(split('.github/x')), undefined);
    });

    it('a folder entry and a plain entry both cover a file or folder of that name and its content', () => {
      const d = new DenyList(['build/', 'cache']);
      assert.equal(d.match(['build']), 'build/');
      assert.equal(d.match(['build', 'out.bin']), 'build/');
      assert.equal(d.match(['cache', 'a']), 'cache');
    });

    it('reports the first entry that matches, as written', () => {
      assert.equal(new DenyList(['*.TXT', 'a.txt']).match(['a.txt']), '*.TXT');
    });

    it('an empty list denies nothing', () => {
      const d = new DenyList([]);
      assert.equal(d.empty, true);
      assert.equal(d.match(['.env']), undefined);
      assert.equal(d.deniedPath('/root', '/root/.git/config'), undefined);
    });

    it('deniedPath works on paths inside a root and gives a typed refusal', () => {
      const e = new DenyList().deniedPath('/srv/root', '/srv/root/sub/.git/HEAD');
      assert.ok(e instanceof DeniedNameError && e instanceof WorkbenchError);
      assert.equal(e.code, 'file.denied');
      assert.equal(e.entry, '.git/');
      assert.deepEqual(e.args, { entry: '.git/' });
      assert.equal(e.message, 'denied by the deny list: .git/');
      assert.equal(new DenyList().deniedPath('/srv/root', '/srv/root/sub/ok.txt'), undefined);
      // The root itself is never denied by its own name: the user chose to serve it.
      assert.equal(new DenyList().deniedPath('/home/u/.ssh', '/home/u/.ssh'), undefined);
    });
  });

  describe('bad patterns', () => {
    const bad: [unknown, RegExp][] = [
      ['', /empty/],
      ['   ', /empty/],
      ['a\\b', /use \//],
      ['../x', /"\.\."/],
      ['a/./b', /"\."/],
      ['a//b', /empty/],
      ['/', /empty/],
      ['*.{a,b', /without its/],
      ['{a,{b,c}}', /nested/],
      [42, /empty/],
    ];
    for (const [glob, message] of bad) {
      it(`refuses ${JSON.stringify(glob)}`, () => {
        assert.throws(
          () => new DenyList([glob as string]),
          (e: unknown) => e instanceof DenyGlobError && e.code === 'file.denyGlob' && message.test(e.message),
        );
      });
    }
    it('checkDenyList trims, keeps good lists, and refuses a non-list', () => {
      assert.deepEqual(checkDenyList([' .env ', '*.key']), ['.env', '*.key']);
      assert.throws(() => checkDenyList('.env'), DenyGlobError);
      assert.throws(() => checkDenyList(['.env', '']), DenyGlobError);
    });
  });
});
