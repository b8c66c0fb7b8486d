// The TLS commands of a session: Show Certificate Chain, STARTTLS (upgrade a plaintext session in place,
// with the same verification and prompt as Connect), and Forget Trusted Certificates….
import * as vscode from 'vscode';
import { ClientSession } from '../core/sessions/clientSession';
import { isInteractive, isOptions, sessionOf } from '../state/commandArgs';
import { registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { sessionAddress, tlsSummary } from '../state/sessionManager';
import { UserError } from '../common/showError';
import { pickOne } from '../ui/prompts';
import { registerChainDocuments, showChainDocument } from './chainDocuments';
import { decideUntrusted, effectiveTlsOptions, forgetCertificates, isUntrusted, tlsOptionsOf, trustedCertificates } from './tlsConnect';

/** The session of a row or `{ sessionId }`, the active one, or (asking) one of several that `fits`. */
async function sessionFor(svc: Services, arg: unknown, title: string, fits: (s: ClientSession) => boolean): Promise<ClientSession | undefined> {
  const given = sessionOf(svc, arg);
  if (given) {
    return given;
  }
  const current = svc.sessions.current;
  if (current && fits(current)) {
    return current;
  }
  const all = svc.sessions.sessions().filter(fits);
  if (all.length <= 1 || !isInteractive(arg)) {
    return all[0];
  }
  return pickOne(all, title, (s) => ({ label: sessionAddress(s), description: vscode.l10n.t('Session {0}', s.id) }));
}

export function registerTlsCommands(svc: Services): void {
  registerChainDocuments(svc.context);

  registerCommand(svc.context, svc.log, 'tcpWorkbench.showCertificateChain', async (arg) => {
    const s = await sessionFor(svc, arg, vscode.l10n.t('Show the certificate chain of which connection?'), (x) => x.tlsFacts !== undefined);
    if (!s) {
      throw new UserError(vscode.l10n.t('No TLS connection is open.'));
    }
    if (!s.tlsFacts) {
      throw new UserError(vscode.l10n.t('Session {0} to {1} is not a TLS connection.', s.id, sessionAddress(s)));
    }
    const uri = await showChainDocument(vscode.l10n.t('Certificate chain of {0}', sessionAddress(s)), s.tlsFacts.chain);
    return { uri: uri.toString(), certificates: s.tlsFacts.chain.length };
  });

  registerCommand(svc.context, svc.log, 'tcpWorkbench.startTls', async (arg) => {
    const s = await sessionFor(svc, arg, vscode.l10n.t('Start TLS on which connection?'), (x) => x.state === 'connected' && !x.tlsFacts);
    if (!s) {
      throw new UserError(vscode.l10n.t('No plaintext connection is open.'));
    }
    const interactive = isInteractive(arg);
    const where = sessionAddress(s);
    const options = await effectiveTlsOptions(svc, s.options, tlsOptionsOf(isOptions(arg) ? arg.tls : undefined));
    if (!options) {
      return undefined;
    }
    try {
      await s.startTls(options);
    } catch (e) {
      // The session is closed by a failed upgrade; trusting the certificate helps the next connection.
      if (isUntrusted(e) && (await decideUntrusted(svc, where, e, interactive))) {
        vscode.window.showInformationMessage(vscode.l10n.t('The certificate of {0} is now trusted; connect again and repeat STARTTLS.', where));
        return undefined;
      }
      throw e;
    }
    svc.sessions.refresh();
    const facts = s.tlsFacts!;
    svc.log.info(vscode.l10n.t('Session {0} to {1} upgraded to TLS ({2})', s.id, where, tlsSummary(facts)));
    svc.traffic.note(`session:${s.id}`, vscode.l10n.t('Session {0}', s.id), where, vscode.l10n.t('TLS started: {0}', tlsSummary(facts)));
    return { sessionId: s.id, protocol: facts.protocol, cipher: facts.cipher, trust: facts.trust };
  });

  registerCommand(svc.context, svc.log, 'tcpWorkbench.forgetTrustedCertificates', async (arg) => {
    const all = trustedCertificates(svc);
    if (isOptions(arg)) {
      const a = arg.address;
      if (a !== undefined && typeof a !== 'string') {
        throw new UserError(vscode.l10n.t('"address" must be text like host:port, not {0}.', typeof a));
      }
      return { forgotten: await forgetCertificates(svc, a === undefined ? undefined : [a]) };
    }
    const addresses = Object.keys(all);
    if (addresses.length === 0) {
      vscode.window.showInformationMessage(vscode.l10n.t('No certificates are trusted by fingerprint in this workspace.'));
      return { forgotten: 0 };
    }
    const picked = await vscode.window.showQuickPick(
      addresses.map((a) => ({ label: a, description: all[a].join(', '), picked: true })),
      { title: vscode.l10n.t('Forget Trusted Certificates'), placeHolder: vscode.l10n.t('The addresses whose trusted certificates to forget'), canPickMany: true },
    );
    if (!picked || picked.length === 0) {
      return undefined;
    }
    const forgotten = await forgetCertificates(
      svc,
      picked.map((p) => p.label),
    );
    vscode.window.showInformationMessage(vscode.l10n.t('Forgot {0} trusted certificates.', forgotten));
    return { forgotten };
  });
}
