// Variables from outside a file: `TCPW_VAR_name` environment variables, `--vars-file FILE` (name=value
// lines) and `--var name=value`. One rule: a value from outside replaces the file's own `@name`, and of
// the outside sources the one nearest the command wins — --var over --vars-file (a later file over an
// earlier one) over the environment.
import * as fs from 'node:fs';
import { WorkbenchError } from '../errors';
import { NAME } from './variables';

export const ENV_PREFIX = 'TCPW_VAR_';
/** A vars file is at most this big (it holds names and values, not data). */
export const MAX_VARS_FILE = 1024 * 1024;

/** `TCPW_VAR_host=10.0.0.2` → `{ host: '10.0.0.2' }`; names that are not variable names are ignored. */
export function envVars(env: NodeJS.ProcessEnv): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const name = k.slice(ENV_PREFIX.length);
    if (k.startsWith(ENV_PREFIX) && v !== undefined && NAME.test(name)) {
      vars[name] = v;
    }
  }
  return vars;
}

/**
 * A vars file's `name=value` lines: blank lines and lines starting with `#` are skipped, spaces around
 * the name and the value are trimmed, a value in double quotes keeps its spaces (no escapes). A bad line
 * is an error naming the file and line, so a typo never turns into a silently missing variable.
 */
export function parseVarsFile(text: string, file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  text.split(/\r?\n|\r/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      return;
    }
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!NAME.test(name)) {
      throw new WorkbenchError('script.varsFile', `${file}:${i + 1}: expected name=value (name: letters, digits, _ . -), not "${line}".`, { file, line: i + 1, text: line });
    }
    const value = line.slice(eq + 1).trim();
    vars[name] = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  });
  return vars;
}

export function readVarsFile(file: string): Record<string, string> {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (st.size > MAX_VARS_FILE) {
      throw new Error(`larger than ${MAX_VARS_FILE} bytes`);
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const error = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new WorkbenchError('script.varsFileRead', `Cannot read the vars file ${file}: ${error}.`, { file, error });
  }
  return parseVarsFile(text, file);
}

/** The precedence rule in one place: environment, then each vars file in order, then --var. */
export function mergeVars(env: Record<string, string>, files: readonly Record<string, string>[], cli: Record<string, string>): Record<string, string> {
  return Object.assign({}, env, ...files, cli) as Record<string, string>;
}
