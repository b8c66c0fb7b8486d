// Localized sentences for the TLS room's errors (src/core/tls/tlsErrors.ts): why a certificate did not
// verify or a handshake failed, in words. messages.ts merges them into its table.
import { l10n } from 'vscode';
import type { Sentence } from './featureMessages';

type Args = Readonly<Record<string, string | number>>;

const has = (a: Args, ...keys: string[]): boolean => keys.every((k) => a[k] !== undefined && a[k] !== '');
const day = (iso: string | number): string => String(iso).slice(0, 10);

export const TLS_SENTENCES: Record<string, Sentence> = {
  'tls.expired': (a) => (has(a, 'notAfter') ? l10n.t('The certificate has expired ({0}).', day(a.notAfter)) : l10n.t('The certificate has expired.')),
  'tls.notYetValid': (a) => (has(a, 'notBefore') ? l10n.t('The certificate is not valid yet (from {0}).', day(a.notBefore)) : l10n.t('The certificate is not valid yet.')),
  'tls.selfSigned': () => l10n.t('The certificate is self-signed: nothing you trust vouches for it.'),
  'tls.unknownIssuer': (a) =>
    has(a, 'issuer')
      ? l10n.t('The certificate is issued by an authority you do not trust ({0}).', a.issuer)
      : l10n.t('The certificate is issued by an authority you do not trust.'),
  'tls.nameMismatch': (a) => (has(a, 'name', 'names') ? l10n.t('The name {0} is not in the certificate (it has: {1}).', a.name, a.names) : undefined),
  'tls.untrusted': (a) => (has(a, 'reason') ? l10n.t('The certificate did not verify ({0}).', a.reason) : undefined),
  'tls.clientCertRequired': () => l10n.t('TLS handshake: the server asked for a client certificate.'),
  'tls.alpnRefused': (a) => (has(a, 'offered') ? l10n.t('TLS handshake: the server accepts none of the protocols offered (ALPN {0}).', a.offered) : undefined),
  'tls.notTls': () => l10n.t('The peer does not speak TLS (a plaintext port?).'),
  'tls.handshakeTimeout': (a) => (has(a, 'ms') ? l10n.t('The TLS handshake did not finish within {0} ms.', a.ms) : undefined),
  'tls.handshake': (a) =>
    a.reason === 'closed'
      ? l10n.t('TLS handshake: the peer closed the connection (a plaintext port, or it refused us).')
      : has(a, 'reason')
        ? l10n.t('TLS handshake failed: {0}', a.reason)
        : undefined,
  'tls.badFile': (a) => (has(a, 'file', 'what', 'reason') ? l10n.t('Cannot use {0} as {1}: {2}', a.file, a.what, a.reason) : undefined),
};
