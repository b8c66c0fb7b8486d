// The TLS questions of Add Server… and Configure…: plain TCP, TLS with the generated certificate or with the
// user's own certificate and key (PEM files), then whether clients must present a certificate (mTLS, a client
// CA); for a relay to a `tls://` target, how the target's certificate is checked. File dialogs cannot carry
// Back: they run after the quick-input steps (see MultiStepInput.dialog).
import * as vscode from 'vscode';
import { ServerSpec, ServerTlsSpec } from '../state/serverEntry';
import { MultiStepInput, Step } from '../ui/multiStepInput';

export type TlsChoice = 'plain' | 'generated' | 'own';
/** How a relay checks its `tls://` target: the system's CAs, a CA file besides them, or not at all. */
export type TargetCheck = 'verify' | 'ca' | 'insecure';

/** What the TLS steps write into the wizard's answers. */
export interface TlsAnswers {
  tlsChoice?: TlsChoice;
  /** Require a client certificate (the CA file is chosen in a dialog). */
  mtls?: boolean;
  clientCaFile?: string;
  certFile?: string;
  keyFile?: string;
  targetCheck?: TargetCheck;
  targetCaFile?: string;
}

/** The answers that re-ask an existing setting (Configure…): what it is now is what the picks start on. */
export function tlsAnswersOf(spec: Pick<ServerSpec, 'tls' | 'targetTls'>): TlsAnswers {
  const t = spec.tls;
  const target = spec.targetTls;
  return {
    tlsChoice: !t ? 'plain' : t.certFile ? 'own' : 'generated',
    mtls: t?.clientCaFile !== undefined,
    targetCheck: target?.insecure ? 'insecure' : target?.caFile ? 'ca' : 'verify',
  };
}

export function tlsItems(): (vscode.QuickPickItem & { choice: TlsChoice })[] {
  return [
    { label: vscode.l10n.t('Plain TCP'), description: vscode.l10n.t('no encryption'), choice: 'plain' },
    { label: vscode.l10n.t('TLS'), description: vscode.l10n.t('with a generated certificate for localhost (Export Local CA… to trust it)'), choice: 'generated' },
    { label: vscode.l10n.t('TLS with my own certificate…'), description: vscode.l10n.t('a certificate and its key, PEM files'), choice: 'own' },
  ];
}

function mtlsItems(): (vscode.QuickPickItem & { mtls: boolean })[] {
  return [
    { label: vscode.l10n.t('No client certificate'), description: vscode.l10n.t('any TLS client may connect'), mtls: false },
    { label: vscode.l10n.t('Require a client certificate…'), description: vscode.l10n.t('signed by a CA you choose (mTLS)'), mtls: true },
  ];
}

function targetItems(): (vscode.QuickPickItem & { check: TargetCheck })[] {
  return [
    { label: vscode.l10n.t("Verify the target's certificate"), description: vscode.l10n.t("with the system's trusted CAs"), check: 'verify' },
    { label: vscode.l10n.t('Verify with a CA I choose…'), description: vscode.l10n.t("a CA file (PEM) trusted besides the system's"), check: 'ca' },
    { label: vscode.l10n.t('Accept any certificate (insecure)'), description: vscode.l10n.t('for a test server; the relay cannot tell an impostor'), check: 'insecure' },
  ];
}

/** A PEM file from the system's dialog; undefined when it was closed. */
async function askPem(title: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    title,
    filters: { PEM: ['pem', 'crt', 'key', 'cer'], [vscode.l10n.t('All files')]: ['*'] },
  });
  return picked?.[0]?.fsPath;
}

/** How many quick-input steps the TLS questions add (1, or 2 once TLS is chosen). */
export function tlsStepCount(a: TlsAnswers): number {
  return a.tlsChoice && a.tlsChoice !== 'plain' ? 2 : 1;
}

/** The TLS steps, given the title and the step that follows them (the file server's folder, when it asks). */
export function tlsSteps<A extends TlsAnswers>(title: (a: A) => string, after: (a: A) => Step<A> | undefined): Step<A> {
  const certStep: Step<A> = async (input: MultiStepInput, a) => {
    a.certFile = await input.dialog(() => askPem(vscode.l10n.t('Choose the server certificate (PEM)')));
    a.keyFile = await input.dialog(() => askPem(vscode.l10n.t('Choose the private key of {0} (PEM)', a.certFile ?? '')));
    return after(a);
  };
  // After the TLS picks: the own certificate's dialogs, then the kind's own last step (a folder).
  const last = (a: A): Step<A> | undefined => (a.tlsChoice === 'own' ? certStep : after(a));
  const clientCaStep: Step<A> = async (input, a) => {
    a.clientCaFile = await input.dialog(() => askPem(vscode.l10n.t('Choose the CA that signs client certificates (PEM)')));
    return last(a);
  };
  const mtlsStep: Step<A> = async (input, a) => {
    const picked = await input.pick({
      title: title(a),
      placeholder: vscode.l10n.t('Ask clients for a certificate?'),
      items: mtlsItems(),
      active: (i) => i.mtls === (a.mtls ?? false),
    });
    a.mtls = picked.mtls;
    return a.mtls ? clientCaStep : last(a);
  };
  return async (input, a) => {
    const picked = await input.pick({
      title: title(a),
      placeholder: vscode.l10n.t('Plain TCP or TLS?'),
      items: tlsItems(),
      active: (i) => i.choice === (a.tlsChoice ?? 'plain'),
    });
    a.tlsChoice = picked.choice;
    return a.tlsChoice === 'plain' ? after(a) : mtlsStep;
  };
}

/**
 * The relay's question about its `tls://` target, then `after` (the listen-side TLS steps). A CA file is
 * chosen in a dialog after every quick-input step: `targetCaDialog` is what `after`'s chain ends with.
 */
export function targetTlsStep<A extends TlsAnswers>(title: (a: A) => string, after: (a: A) => Step<A> | undefined): Step<A> {
  return async (input, a) => {
    const picked = await input.pick({
      title: title(a),
      placeholder: vscode.l10n.t("How is the target's certificate checked?"),
      items: targetItems(),
      active: (i) => i.check === (a.targetCheck ?? 'verify'),
    });
    a.targetCheck = picked.check;
    return after(a);
  };
}

/** The dialog for the target's CA file when `targetCheck` is `ca` (the last step), else nothing. */
export function targetCaDialog<A extends TlsAnswers>(a: A): Step<A> | undefined {
  if (a.targetCheck !== 'ca') {
    return undefined;
  }
  return async (input, answers) => {
    answers.targetCaFile = await input.dialog(() => askPem(vscode.l10n.t("Choose the CA that signs the target's certificate (PEM)")));
    return undefined;
  };
}

/** The relay's `targetTls` setting from the answers (undefined: verify with the system's CAs, the default). */
export function targetTlsSpecOf(a: TlsAnswers): ServerSpec['targetTls'] {
  if (a.targetCheck === 'insecure') {
    return { insecure: true };
  }
  return a.targetCheck === 'ca' && a.targetCaFile ? { caFile: a.targetCaFile } : undefined;
}

/** The server's TLS setting from the answers (undefined: plain TCP). */
export function tlsSpecOf(a: TlsAnswers): ServerTlsSpec | undefined {
  if (!a.tlsChoice || a.tlsChoice === 'plain') {
    return undefined;
  }
  const own = a.tlsChoice === 'own' ? { certFile: a.certFile, keyFile: a.keyFile } : {};
  return { ...own, ...(a.mtls && a.clientCaFile ? { clientCaFile: a.clientCaFile } : {}) };
}
