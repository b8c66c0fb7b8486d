// Parsed `.tcp` documents, shared by diagnostics, CodeLens and the Testing view: one parse per
// document version, and the text of a file whether or not it is open in an editor.
import * as vscode from 'vscode';
import { messageOf } from '../common/messages';
import { ParseOptions, Script, envVars, mergeVars, parseScript, readVarsFile } from '../core/script';

export const LANGUAGE_ID = 'tcp-script';

export const isScriptDocument = (doc: vscode.TextDocument): boolean => doc.languageId === LANGUAGE_ID || doc.uri.path.endsWith('.tcp');

const cache = new Map<string, { version: number; script: Script }>();

/** The document's script, parsed once per version; the parser reports problems, it never throws. */
export function parsedDocument(doc: vscode.TextDocument): Script {
  const key = doc.uri.toString();
  const hit = cache.get(key);
  if (hit && hit.version === doc.version) {
    return hit.script;
  }
  const script = parseScript(doc.getText(), parseOptionsFor(doc.uri));
  cache.set(key, { version: doc.version, script });
  return script;
}

export function forgetDocument(doc: vscode.TextDocument): void {
  cache.delete(doc.uri.toString());
}

/** The text an editor holds (unsaved edits included), else the file's contents. */
export async function scriptText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) {
    return open.getText();
  }
  return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
}

export function toRange(r: { line: number; start: number; end: number }): vscode.Range {
  return new vscode.Range(r.line, r.start, r.line, r.end);
}

/** Where the `tcpWorkbench.script.varsFile` setting points (set by registerScripts; undefined for none). */
let varsFileOf: () => string | undefined = () => undefined;

export function useVarsFile(get: () => string | undefined): void {
  varsFileOf = get;
  cache.clear();
}

/**
 * The variables from outside a file in the editor, by the CLI's rule (docs/tcp-language.md, "Variables from
 * outside"): the vars file of the setting over `TCPW_VAR_name` environment variables. Throws when the
 * setting or its file cannot be used (a run says so; diagnostics then use the environment alone).
 */
export function editorVars(): Record<string, string> {
  const file = varsFileOf();
  return mergeVars(envVars(process.env), file === undefined ? [] : [readVarsFile(file)], {});
}

/** Why the variables from outside cannot be used (the setting or its file), in words; undefined when they can. */
export function editorVarsProblem(): string | undefined {
  try {
    editorVars();
    return undefined;
  } catch (e) {
    return messageOf(e);
  }
}

/** How the editor parses a file: includes relative to it (a saved file), and the variables from outside over the file's own `@name`. */
export function parseOptionsFor(uri: vscode.Uri): ParseOptions {
  let vars: Record<string, string>;
  try {
    vars = editorVars();
  } catch {
    vars = envVars(process.env);
  }
  return { file: uri.scheme === 'file' ? uri.fsPath : undefined, vars };
}
