// Add Server… asked as one wizard: kind → port → what the kind needs (echo mode, folder, relay target and,
// for a `tls://` target, how its certificate is checked) → plain or TLS, with a step counter and Back;
// cancelled at any step, nothing is added. Start Relay asks the relay's part of it.
import * as vscode from 'vscode';
import { EchoMode } from '../core/servers/echoServer';
import { parsePort } from '../core/hostPort';
import { Services } from '../state/services';
import { askFolder, localFolders, onlyWorkspaceFolder } from '../ui/folders';
import { MultiStepInput, Step } from '../ui/multiStepInput';
import { TARGET_EXAMPLE, echoModeItems, portProblem, portPrompt, targetPrompt, targetProblem } from '../ui/prompts';
import { serveFolderPurpose } from './startServer';
import { TlsAnswers, targetCaDialog, targetTlsSpecOf, targetTlsStep, tlsSpecOf, tlsStepCount, tlsSteps } from './tlsWizardSteps';
import { splitTlsScheme } from '../state/serverTls';
import { ServerSpec, ServerTlsSpec } from '../state/serverEntry';

type AddableKind = 'echo' | 'file' | 'relay';

export interface NewServer {
  kind: AddableKind;
  /** Absent when Start Relay asked (its port is an argument or the setting). */
  port?: number;
  mode?: EchoMode;
  root?: string;
  target?: string;
  tls?: ServerTlsSpec;
  targetTls?: ServerSpec['targetTls'];
}

type Answers = Partial<NewServer> & TlsAnswers;

/** The kinds Add Server… offers (a mock server starts from its .tcp file instead). */
export function kindItems(): (vscode.QuickPickItem & { serverKind: AddableKind })[] {
  return [
    { label: vscode.l10n.t('Echo Server'), description: vscode.l10n.t('echoes or answers what clients send'), serverKind: 'echo' },
    { label: vscode.l10n.t('File Server'), description: vscode.l10n.t('sends a file when a client names it'), serverKind: 'file' },
    { label: vscode.l10n.t('Relay'), description: vscode.l10n.t('sits between a client and a server and records both directions'), serverKind: 'relay' },
  ];
}

/**
 * Asks for a new server's kind, port and the rest; undefined when the user cancelled. `relayOnly` (Start
 * Relay) asks only a relay's target and TLS; its port is the caller's.
 */
export async function askNewServer(svc: Services, relayOnly = false): Promise<NewServer | undefined> {
  const host = svc.safeHost();
  const echoMode = svc.config().echoMode;

  const titleOf = (a: Answers) => {
    const kind = kindItems().find((i) => i.serverKind === a.kind);
    return kind ? vscode.l10n.t('Add Server: {0}', kind.label) : vscode.l10n.t('Add Server');
  };

  const kindStep: Step<Answers> = async (input, a) => {
    const picked = await input.pick({
      title: titleOf({}),
      placeholder: vscode.l10n.t('Which kind of server?'),
      items: kindItems(),
      active: (i) => i.serverKind === a.kind,
    });
    a.kind = picked.serverKind;
    return portStep;
  };

  const portStep: Step<Answers> = async (input, a) => {
    const text = await input.input({ title: titleOf(a), prompt: portPrompt(), value: String(a.port ?? 0), validate: (v) => portProblem(v) });
    a.port = parsePort(text, true);
    if (a.kind === 'echo') {
      return modeStep;
    }
    if (a.kind === 'relay') {
      return targetStep;
    }
    // One workspace folder is what a file server serves, without asking (then the wizard has 3 steps).
    a.root = onlyWorkspaceFolder();
    return tlsStep;
  };

  const modeStep: Step<Answers> = async (input, a) => {
    const current = a.mode ?? echoMode;
    const picked = await input.pick({ title: titleOf(a), placeholder: vscode.l10n.t('Echo server mode'), items: echoModeItems(), active: (i) => i.mode === current });
    a.mode = picked.mode;
    return tlsStep;
  };

  const targetStep: Step<Answers> = async (input, a) => {
    const text = await input.input({
      title: titleOf(a),
      prompt: targetPrompt(host),
      placeholder: TARGET_EXAMPLE,
      value: a.target ?? '',
      validate: (v) => targetProblem(v, host),
    });
    a.target = text.trim();
    return splitTlsScheme(a.target).tls ? targetTlsStep(titleOf, () => tlsStep) : tlsStep;
  };

  const folderStep: Step<Answers> = async (input, a) => {
    const purpose = serveFolderPurpose();
    const folders = localFolders();
    if (folders.length > 1) {
      const items = folders.map((f) => ({ label: f.name, description: f.uri.fsPath, path: f.uri.fsPath }));
      a.root = (await input.pick({ title: titleOf(a), placeholder: purpose, items, active: (i) => i.path === a.root })).path;
    } else {
      // No folder open: the system's folder dialog, which has no Back — it is the last step for that reason.
      a.root = await input.dialog(() => askFolder(purpose));
    }
    return undefined;
  };

  // Every kind may listen with TLS; the dialogs (a folder, a relay target's CA) come last.
  const tlsTarget = (a: Answers) => a.kind === 'relay' && splitTlsScheme(a.target ?? '').tls;
  const tlsStep = tlsSteps<Answers>(titleOf, (a) => (a.kind === 'file' && !a.root ? folderStep : tlsTarget(a) ? targetCaDialog(a) : undefined));

  const kindSteps = (a: Answers) => {
    if (a.kind === 'relay') {
      return tlsTarget(a) ? 4 : 3;
    }
    return a.kind === 'file' && onlyWorkspaceFolder() ? 2 : 3;
  };
  const total = (a: Answers) => (relayOnly ? -2 : 0) + kindSteps(a) + tlsStepCount(a);
  const a = await MultiStepInput.run<Answers>(relayOnly ? { kind: 'relay' } : {}, relayOnly ? targetStep : kindStep, total);
  if (!a?.kind || (a.port === undefined && !relayOnly)) {
    return undefined;
  }
  // Only what the last kind asked: an answer kept from a kind the user went Back from does not count.
  return {
    kind: a.kind,
    port: a.port,
    mode: a.kind === 'echo' ? a.mode : undefined,
    root: a.kind === 'file' ? a.root : undefined,
    target: a.kind === 'relay' ? a.target : undefined,
    tls: tlsSpecOf(a),
    targetTls: tlsTarget(a) ? targetTlsSpecOf(a) : undefined,
  };
}
