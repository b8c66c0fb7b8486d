// The JSON Schema subset the tools' inputs use (objects of strings, numbers and booleans), and a checker
// for it: both front ends validate a call before running it, so a bad call is one clear sentence.
export type JsonSchema =
  | { readonly type: 'string'; readonly description: string; readonly enum?: readonly string[]; readonly maxLength?: number }
  | { readonly type: 'integer' | 'number'; readonly description: string; readonly minimum?: number; readonly maximum?: number }
  | { readonly type: 'boolean'; readonly description: string };

export interface ObjectSchema {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties: false;
}

/** Why `value` does not fit `schema` (the first problem, one English sentence), or undefined. */
export function checkInput(schema: ObjectSchema, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `The input must be an object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}.`;
  }
  const input = value as Record<string, unknown>;
  for (const name of schema.required ?? []) {
    if (input[name] === undefined) {
      return `"${name}" is required.`;
    }
  }
  for (const [name, v] of Object.entries(input)) {
    const s = schema.properties[name];
    if (!s) {
      return `Unknown property "${name}"; the properties are ${Object.keys(schema.properties).join(', ')}.`;
    }
    if (v === undefined) {
      continue;
    }
    const problem = checkValue(s, v);
    if (problem) {
      return `"${name}" ${problem}.`;
    }
  }
  return undefined;
}

function checkValue(s: JsonSchema, v: unknown): string | undefined {
  switch (s.type) {
    case 'string':
      if (typeof v !== 'string') {
        return `must be a string, not ${typeof v}`;
      }
      if (s.enum && !s.enum.includes(v)) {
        return `must be one of ${s.enum.join(', ')}, not "${v.slice(0, 40)}"`;
      }
      if (s.maxLength !== undefined && v.length > s.maxLength) {
        return `is longer than ${s.maxLength} characters`;
      }
      return undefined;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `must be true or false, not ${typeof v}`;
    default:
      if (typeof v !== 'number' || !Number.isFinite(v) || (s.type === 'integer' && !Number.isInteger(v))) {
        return `must be ${s.type === 'integer' ? 'a whole number' : 'a number'}`;
      }
      if ((s.minimum !== undefined && v < s.minimum) || (s.maximum !== undefined && v > s.maximum)) {
        return `must be between ${s.minimum ?? '-∞'} and ${s.maximum ?? '∞'}, not ${v}`;
      }
      return undefined;
  }
}
