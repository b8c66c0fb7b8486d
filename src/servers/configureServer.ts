// Configure Server…: one wizard — which server (when there is a choice), which field (name, port, mode,
// reply text, folder, target, TLS, the target's certificate check), its new value — then restart a running
// server so the change applies now.
import * as vscode from 'vscode';
import { parsePort } from '../core/hostPort';
import { entryOf } from '../state/commandArgs';
import { registerCommand } from '../state/commands';
import { Config } from '../common/config';
import { Services } from '../state/services';
import { askFolder } from '../ui/folders';
import { MultiStepInput, Step } from '../ui/multiStepInput';
import { TARGET_EXAMPLE, echoModeItems, portProblem, portPrompt, targetPrompt, targetProblem } from '../ui/prompts';
import { ServerEntry, ServerSpec } from '../state/serverEntry';
import { serveFolderPurpose, startEntry } from './startServer';
import { TlsAnswers, targetCaDialog, targetTlsSpecOf, targetTlsStep, tlsAnswersOf, tlsSpecOf, tlsStepCount, tlsSteps } from './tlsWizardSteps';
import { serverTlsBadge, splitTlsScheme } from '../state/serverTls';

type Field = 'port' | 'mode' | 'replyText' | 'root' | 'label' | 'target' | 'tls' | 'targetTls';
type Change = Partial<Omit<ServerSpec, 'id' | 'kind'>>;

interface Answers extends TlsAnswers {
  entry?: ServerEntry;
  field?: Field;
  change?: Change;
}

export function registerConfigureServer(svc: Services): void {
  registerCommand(svc.context, svc.log, 'tcpWorkbench.configureServer', async (arg) => {
    const a = await askChange(svc, entryOf(svc, arg));
    const change = a?.field === 'tls' ? { tls: tlsSpecOf(a) } : a?.field === 'targetTls' ? { targetTls: targetTlsSpecOf(a) } : a?.change;
    if (!a?.entry || !change) {
      return;
    }
    const { entry, field } = a;
    svc.servers.update(entry, change);
    if (field !== 'label' && entry.state === 'listening') {
      // A running server keeps its options; restart so the change applies now.
      await svc.servers.stop(entry);
      await startEntry(svc, entry, {}, true);
    }
  });
}

/** The server (`given`, the only one, or picked as step 1), the field and its new value; undefined when cancelled. */
async function askChange(svc: Services, given: ServerEntry | undefined): Promise<Answers | undefined> {
  const all = svc.servers.list();
  const entry = given ?? (all.length === 1 ? all[0] : undefined);
  if (!entry && all.length === 0) {
    return undefined;
  }
  const cfg = svc.config();
  const title = (a: Answers) => (a.entry ? vscode.l10n.t('Configure {0}', a.entry.label) : vscode.l10n.t('Configure Server'));

  const serverStep: Step<Answers> = async (input, a) => {
    const items = all.map((e) => ({ label: e.label, description: e.addressText ?? vscode.l10n.t('stopped'), entry: e }));
    a.entry = (await input.pick({ title: title({}), placeholder: vscode.l10n.t('Which server?'), items, active: (i) => i.entry === a.entry })).entry;
    Object.assign(a, tlsAnswersOf(a.entry.spec));
    return fieldStep(a.entry);
  };

  const valueStep =
    (e: ServerEntry, field: Exclude<Field, 'tls' | 'targetTls'>): Step<Answers> =>
    async (input, a) => {
      a.change = await askValue(input, title(a), e, cfg, field);
      return undefined;
    };

  // TLS is several questions (and dialogs last): the answers become the change once the wizard ends.
  const stepsOf = (e: ServerEntry, field: Field): Step<Answers> => {
    if (field === 'tls') {
      return tlsSteps<Answers>(title, () => undefined);
    }
    if (field === 'targetTls') {
      return targetTlsStep<Answers>(title, targetCaDialog);
    }
    return valueStep(e, field);
  };

  const fieldStep =
    (e: ServerEntry): Step<Answers> =>
    async (input, a) => {
      a.field = (await input.pick({ title: title(a), placeholder: vscode.l10n.t('Change what?'), items: fieldItems(e, cfg), active: (i) => i.field === a.field })).field;
      return stepsOf(e, a.field);
    };

  // The TLS questions start on what the server has now.
  const fieldSteps = (a: Answers) => (a.field === 'tls' ? tlsStepCount(a) : 1);
  return MultiStepInput.run<Answers>({ entry, ...(entry ? tlsAnswersOf(entry.spec) : {}) }, entry ? fieldStep(entry) : serverStep, (a) => (entry ? 1 : 2) + fieldSteps(a));
}

function fieldItems(entry: ServerEntry, cfg: Config): (vscode.QuickPickItem & { field: Field })[] {
  const fields: (vscode.QuickPickItem & { field: Field })[] = [
    { field: 'label', label: vscode.l10n.t('Name'), description: entry.label },
    { field: 'port', label: vscode.l10n.t('Port'), description: String(entry.configuredPort(cfg)) },
  ];
  if (entry.kind === 'echo') {
    fields.push({ field: 'mode', label: vscode.l10n.t('Mode'), description: entry.spec.mode ?? cfg.echoMode });
    fields.push({ field: 'replyText', label: vscode.l10n.t('Reply text'), description: entry.spec.replyText ?? cfg.replyText });
  } else if (entry.kind === 'relay') {
    fields.push({ field: 'target', label: vscode.l10n.t('Target'), description: entry.spec.target });
    if (splitTlsScheme(entry.spec.target ?? '').tls) {
      const t = entry.spec.targetTls;
      const check = t?.insecure ? vscode.l10n.t('any certificate (insecure)') : t?.caFile ? vscode.l10n.t('verified with {0}', t.caFile) : vscode.l10n.t('verified');
      fields.push({ field: 'targetTls', label: vscode.l10n.t('Target certificate'), description: check });
    }
  } else if (entry.kind === 'file') {
    fields.push({ field: 'root', label: vscode.l10n.t('Folder'), description: entry.spec.root ?? entry.root ?? vscode.l10n.t('the workspace folder') });
  }
  if (entry.kind !== 'mock') {
    fields.push({ field: 'tls', label: vscode.l10n.t('TLS'), description: serverTlsBadge(entry) ?? vscode.l10n.t('Plain TCP') });
  }
  return fields;
}

/** The last step: the new value of `field`, asked the way that field needs. */
async function askValue(input: MultiStepInput, title: string, entry: ServerEntry, cfg: Config, field: Exclude<Field, 'tls' | 'targetTls'>): Promise<Change> {
  switch (field) {
    case 'label': {
      const empty = vscode.l10n.t('A server needs a name.');
      const v = await input.input({ title, prompt: vscode.l10n.t('Name'), value: entry.label, validate: (t) => (t.trim() ? undefined : empty) });
      return { label: v.trim() };
    }
    case 'port': {
      const v = await input.input({ title, prompt: portPrompt(), value: String(entry.configuredPort(cfg)), validate: (t) => portProblem(t) });
      return { port: parsePort(v, true) };
    }
    case 'mode': {
      const current = entry.spec.mode ?? cfg.echoMode;
      const v = await input.pick({ title, placeholder: vscode.l10n.t('Echo server mode'), items: echoModeItems(), active: (i) => i.mode === current });
      return { mode: v.mode };
    }
    case 'replyText':
      return { replyText: await input.input({ title, prompt: vscode.l10n.t('Reply text'), value: entry.spec.replyText ?? cfg.replyText }) };
    case 'root':
      // The folder dialog cannot go Back: it is always the last step.
      return { root: await input.dialog(() => askFolder(serveFolderPurpose())) };
    case 'target': {
      const v = await input.input({
        title,
        prompt: targetPrompt(cfg.host),
        placeholder: TARGET_EXAMPLE,
        value: entry.spec.target ?? '',
        validate: (t) => targetProblem(t, cfg.host),
      });
      return { target: v.trim() };
    }
  }
}
