// One way to call a tool for both front ends: check the input against the schema, run, and turn the
// result or the failure into bounded text. A failure is a readable result, never an exception.
import { AgentHost } from './host';
import { capResult } from './limits';
import { checkInput } from './schema';
import { ToolDef } from './tools';

export interface ToolOutcome {
  readonly text: string;
  readonly isError: boolean;
}

/** The input's problem, for front ends that report bad input their own way (MCP: a protocol error). */
export function inputProblem(tool: ToolDef, input: unknown): string | undefined {
  return checkInput(tool.inputSchema, input);
}

export async function invokeTool(host: AgentHost, tool: ToolDef, input: unknown): Promise<ToolOutcome> {
  const problem = inputProblem(tool, input);
  if (problem) {
    return { text: `Invalid input for ${tool.name}: ${problem}`, isError: true };
  }
  try {
    const result = await tool.run(host, input as Record<string, unknown>);
    return { text: capResult(JSON.stringify(result, null, 1)), isError: false };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { text: capResult(`${tool.name} failed: ${message}`), isError: true };
  }
}
