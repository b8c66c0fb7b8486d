// Paths the tools are given: relative ones start at the host's root (the workspace, or the CLI's folder).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkbenchError } from '../errors';

export function resolvePath(root: string, p: string): string {
  return path.resolve(root, p);
}

/** A .tcp file's text; a missing or unreadable file is a clear error. */
export function readScriptFile(file: string): string {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      throw new WorkbenchError('agent.notAFile', `${file} is not a file.`, { file });
    }
    if (stat.size > 4 * 1024 * 1024) {
      throw new WorkbenchError('agent.tooBig', `${file} is larger than 4 MiB; a .tcp file that big is not a conversation.`, { file });
    }
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof WorkbenchError) {
      throw e;
    }
    const code = (e as NodeJS.ErrnoException).code;
    throw new WorkbenchError('agent.cannotRead', `Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}.`, { file });
  }
}
