// The file to download: picked from the server's listing (folders open, `..` goes up), or typed.
import * as vscode from 'vscode';
import { list } from '../core/downloads/downloader';
import { HostPort, formatHostPort } from '../core/hostPort';
import { Config } from '../common/config';
import { Services } from '../state/services';
import { showTypedQuickPick } from '../ui/typedQuickPick';

type NameItem = vscode.QuickPickItem & { name?: string; folder?: string };

/** A file name from the server's listing (folders open), or typed; undefined when cancelled. */
export async function pickRemoteName(svc: Services, target: HostPort, cfg: Config): Promise<string | undefined> {
  const where = formatHostPort(target.host, target.port);
  let folder = '';
  // Bounded: each round is one user action, and the user can always type or cancel.
  for (let round = 0; round < 100; round++) {
    let names: string[] = [];
    try {
      names = await list(target.host, target.port, folder || undefined, { encoding: cfg.encoding === 'hex' ? 'utf-8' : cfg.encoding, timeoutMs: 3000 });
    } catch (e) {
      svc.log.warn(vscode.l10n.t('No listing from {0}: {1}', where, (e as Error).message));
    }
    const items: NameItem[] = [];
    if (folder) {
      items.push({ label: '$(arrow-up) ..', folder: folder.replace(/[^/]*\/$/, '') });
    }
    for (const n of names) {
      if (n.endsWith('/')) {
        items.push({ label: `$(folder) ${n}`, folder: folder + n });
      } else {
        items.push({ label: `$(file) ${n}`, name: folder + n });
      }
    }
    const picked = await showTypedQuickPick<NameItem, NameItem>({
      title: vscode.l10n.t('Download from {0}', where) + (folder ? ` — ${folder}` : ''),
      placeholder:
        names.length > 0
          ? vscode.l10n.t('Pick a file, or type its name as the server knows it')
          : vscode.l10n.t('Type the file name as the server knows it (the server sent no listing)'),
      known: items,
      typed: (v) => (v ? { label: `$(cloud-download) ${v}`, description: vscode.l10n.t('typed'), name: folder + v, alwaysShow: true } : undefined),
      accept: (item) => item,
    });
    if (!picked) {
      return undefined;
    }
    if (picked.name !== undefined) {
      return picked.name;
    }
    folder = picked.folder ?? '';
  }
  return undefined;
}
