// Where the file server serves from and where downloads go: the workspace folder, asking in a
// multi-root workspace, or a folder dialog when no folder is open (never a failure).
import * as vscode from 'vscode';

/** A folder for `purpose` (a sentence fragment for the dialog); undefined when the user cancels. */
export async function pickFolder(purpose: string): Promise<string | undefined> {
  const local = localFolders();
  if (local.length === 1) {
    return local[0].uri.fsPath;
  }
  if (local.length > 1) {
    const f = await vscode.window.showWorkspaceFolderPick({ placeHolder: purpose, ignoreFocusOut: true });
    return f?.uri.fsPath;
  }
  return askFolder(purpose);
}

export async function askFolder(purpose: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    title: purpose,
    openLabel: vscode.l10n.t('Select Folder'),
  });
  return picked?.[0]?.fsPath;
}

/** The single workspace folder without asking, if there is exactly one. */
export function onlyWorkspaceFolder(): string | undefined {
  const local = localFolders();
  return local.length === 1 ? local[0].uri.fsPath : undefined;
}

/** The open workspace folders on this machine's disk (a server cannot serve a remote one). */
export function localFolders(): vscode.WorkspaceFolder[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
}
