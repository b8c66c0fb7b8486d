// The agent tools (src/core/agent/tools.ts) as VS Code language model tools for agent mode. Each is
// contributed in package.json (`languageModelTools`, the same names, descriptions and schemas; a unit
// test keeps the two equal) and registered here. A tool that opens a port or connects asks first
// (prepareInvocation), and refuses in an untrusted workspace, as the commands do. Failures come back
// as readable tool results, never as exceptions.
import * as vscode from 'vscode';
import { invokeTool } from '../core/agent/invoke';
import { TOOLS, ToolDef } from '../core/agent/tools';
import { DEFAULT_TIMEOUT_MS } from '../core/agent/limits';
import { Services } from '../state/services';
import { EditorAgentHost } from './editorHost';
import type { RunScriptFile } from '../scripts/registerScripts';

type Input = Record<string, unknown>;

/** What the user is asked before a tool opens a port or connects; the progress line otherwise. */
export function prepared(name: string, input: Input): vscode.PreparedToolInvocation {
  const s = (k: string) => (input[k] === undefined ? '' : String(input[k]));
  const where = (host: string, port: string) => `${host || '127.0.0.1'}:${port || vscode.l10n.t('any free port')}`;
  switch (name) {
    case 'tcpWorkbench_startServer': {
      const what =
        s('kind') === 'mock'
          ? vscode.l10n.t('a mock server from {0}', s('file') + (input.block !== undefined ? ` (${s('block')})` : ''))
          : s('kind') === 'relay'
            ? vscode.l10n.t('a relay to {0}', s('target'))
            : s('kind') === 'file'
              ? vscode.l10n.t('a file server for {0}', s('root') || '.')
              : s('kind') === 'reply'
                ? vscode.l10n.t('a server that replies {0}', JSON.stringify(s('reply').slice(0, 80)))
                : vscode.l10n.t('an echo server');
      return {
        invocationMessage: vscode.l10n.t('Starting {0}', what),
        confirmationMessages: {
          title: vscode.l10n.t('Start a TCP server?'),
          message: vscode.l10n.t('The agent wants to start {0}, listening on {1}.', what, where(s('host'), s('port'))),
        },
      };
    }
    case 'tcpWorkbench_exchange': {
      const to = where(s('host'), s('port'));
      const sent =
        input.sendHex !== undefined ? `hex ${s('sendHex').slice(0, 80)}` : input.send !== undefined ? JSON.stringify(s('send').slice(0, 80)) : vscode.l10n.t('nothing');
      return {
        invocationMessage: vscode.l10n.t('Exchanging with {0}', to),
        confirmationMessages: {
          title: vscode.l10n.t('Connect to {0}?', to),
          message: vscode.l10n.t('The agent wants to connect to {0}, send {1} and wait up to {2} ms for the answer.', to, sent, s('timeoutMs') || String(DEFAULT_TIMEOUT_MS)),
        },
      };
    }
    case 'tcpWorkbench_runScript':
      return {
        invocationMessage: vscode.l10n.t('Running {0}', s('file')),
        confirmationMessages: {
          title: vscode.l10n.t('Run {0}?', s('file')),
          message: vscode.l10n.t(
            'The agent wants to run the client blocks of {0}{1}. Its listen blocks start as mock servers, and it connects to the addresses the file names.',
            s('file'),
            input.block !== undefined ? ` (${s('block')})` : '',
          ),
        },
      };
    case 'tcpWorkbench_readTraffic':
      return { invocationMessage: vscode.l10n.t('Reading the traffic of {0}', s('source')) };
    case 'tcpWorkbench_stopServer':
      return { invocationMessage: vscode.l10n.t('Stopping {0}', s('id')) };
    default:
      return { invocationMessage: vscode.l10n.t('Listing the TCP servers') };
  }
}

class WorkbenchTool implements vscode.LanguageModelTool<Input> {
  constructor(
    private readonly def: ToolDef,
    private readonly host: EditorAgentHost,
    private readonly svc: Services,
  ) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<Input>): vscode.PreparedToolInvocation {
    return prepared(this.def.name, typeof options.input === 'object' && options.input !== null ? options.input : {});
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<Input>): Promise<vscode.LanguageModelToolResult> {
    let text: string;
    if (this.def.network && !vscode.workspace.isTrusted) {
      text = vscode.l10n.t('{0} refused: this workspace is not trusted, and the tool opens a port or connects. Trust the workspace first.', this.def.name);
    } else {
      const outcome = await invokeTool(this.host, this.def, options.input);
      text = outcome.text;
      if (outcome.isError) {
        this.svc.log.warn(text.split('\n')[0]);
      }
    }
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
  }
}

export function registerAgentTools(svc: Services, runScriptFile: RunScriptFile): void {
  const host = new EditorAgentHost(svc, runScriptFile);
  for (const def of TOOLS) {
    svc.context.subscriptions.push(vscode.lm.registerTool(def.name, new WorkbenchTool(def, host, svc)));
  }
}
