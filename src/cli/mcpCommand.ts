// `tcp-workbench mcp`: the tool table (src/core/agent/tools.ts) as a Model Context Protocol server on
// stdin/stdout. Loaded only by this command (the SDK is most of the CLI bundle). Servers the tools start
// live until stopped or until the client goes away (stdin ends, or SIGINT/SIGTERM). Logs go to stderr:
// stdout carries only the protocol.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { CoreAgentHost } from '../core/agent/coreHost';
import { inputProblem, invokeTool } from '../core/agent/invoke';
import { TOOLS, toolNamed } from '../core/agent/tools';
import { io, parse, str, untilSignal, usage } from './args';

export async function runMcp(args: string[], version: string): Promise<number> {
  const { values } = parse(args, { root: { type: 'string' } }, 0);
  const root = path.resolve(str(values.root) ?? '.');
  if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    usage(`--root ${root} is not a folder.`);
  }
  const host = new CoreAgentHost(root);
  const server = new Server({ name: 'tcp-workbench', version }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: TOOLS.map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: t.inputSchema as unknown as { type: 'object'; [k: string]: unknown },
      annotations: { title: t.title, readOnlyHint: t.readOnly, openWorldHint: t.network },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = toolNamed(request.params.name);
    if (!tool) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool "${request.params.name}"; the tools are ${TOOLS.map((t) => t.name).join(', ')}.`);
    }
    const input = request.params.arguments ?? {};
    const problem = inputProblem(tool, input);
    if (problem) {
      throw new McpError(ErrorCode.InvalidParams, `Invalid arguments for ${tool.name}: ${problem}`);
    }
    const outcome = await invokeTool(host, tool, input);
    return { content: [{ type: 'text', text: outcome.text }], isError: outcome.isError };
  });
  const signal = untilSignal();
  const gone = new Promise<string>((resolve) => {
    process.stdin.once('end', () => resolve('the client closed stdin'));
    process.stdin.once('close', () => resolve('the client closed stdin'));
    server.onclose = () => resolve('the connection closed');
    void signal.signalled.then((s) => resolve(s));
  });
  try {
    await server.connect(new StdioServerTransport());
    io.err(`tcp-workbench ${version} MCP server on stdio, ${TOOLS.length} tools, root ${root}\n`);
    const why = await gone;
    io.err(`${why}: stopping ${host.listServers().length} server(s)\n`);
  } finally {
    signal.dispose();
    await host.dispose();
    await server.close().catch(() => undefined);
  }
  return 0;
}
