// The one `host:port` parser every entry point uses (CLI, commands, settings).
import { AddressProblem, WorkbenchError } from './errors';

export interface HostPort {
  host: string;
  port: number;
}

/** Codes `address.<what>` (portNotNumber, portRange, noPort…), with the text and values in `args`. */
export class HostPortError extends WorkbenchError {
  constructor(what: AddressProblem, message: string, args: Readonly<Record<string, string | number>> = {}) {
    super(`address.${what}`, message, args);
  }
}

/** Parses a port given as a number or a string; `allowZero` accepts 0 (= any free port, for servers). */
export function parsePort(value: string | number, allowZero = false): number {
  const text = String(value).trim();
  const min = allowZero ? 0 : 1;
  if (!/^\d+$/.test(text)) {
    throw new HostPortError('portNotNumber', `"${text}" is not a port number (${min}-65535).`, { text, min });
  }
  const port = Number(text);
  if (port < min || port > 65535) {
    throw new HostPortError('portRange', `Port ${text} is out of range (${min}-65535).`, { text, min });
  }
  return port;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;

/** Validates a host name or an IP address (IPv6 without brackets). */
export function checkHost(host: string): string {
  const h = host.trim();
  if (h.length === 0) {
    throw new HostPortError('emptyHost', 'The host is empty.');
  }
  if (h.includes(':')) {
    if (!/^[0-9A-Fa-f:.]+(%[\w.-]+)?$/.test(h)) {
      throw new HostPortError('badIpv6', `"${h}" is not a valid IPv6 address.`, { host: h });
    }
    return h;
  }
  if (!HOSTNAME.test(h)) {
    throw new HostPortError('badHost', `"${h}" is not a valid host name.`, { host: h });
  }
  return h;
}

/**
 * Parses `host:port`, `[v6]:port` or, when `defaultHost` is given, a bare `port`.
 * Throws HostPortError with a message a person can act on.
 */
export function parseHostPort(input: string, defaultHost?: string): HostPort {
  const text = input.trim();
  if (text.length === 0) {
    throw new HostPortError('empty', 'Enter host:port, for example 127.0.0.1:9007.');
  }
  if (defaultHost !== undefined && /^\d+$/.test(text)) {
    return { host: defaultHost, port: parsePort(text) };
  }
  let host: string;
  let port: string;
  if (text.startsWith('[')) {
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
    if (!m) {
      throw new HostPortError('notHostPort', `"${text}" is not host:port (IPv6 addresses go in brackets: [::1]:9007).`, { text });
    }
    if (m[2] === undefined) {
      throw new HostPortError('noPort', `"${text}" has no port (for example [::1]:9007).`, { text, example: '[::1]:9007' });
    }
    host = m[1];
    port = m[2];
    if (!host.includes(':')) {
      throw new HostPortError('bracketsNotIpv6', `"${host}" in brackets is not an IPv6 address.`, { host });
    }
  } else {
    const colons = text.split(':').length - 1;
    if (colons === 0) {
      throw new HostPortError('noPort', `"${text}" has no port (for example ${text}:9007).`, { text, example: `${text}:9007` });
    }
    if (colons > 1) {
      throw new HostPortError('ipv6NeedsBrackets', `"${text}" looks like an IPv6 address: put it in brackets, for example [::1]:9007.`, { text });
    }
    const i = text.lastIndexOf(':');
    host = text.slice(0, i);
    port = text.slice(i + 1);
    if (host.length === 0) {
      throw new HostPortError('noHost', `"${text}" has no host (for example 127.0.0.1${text}).`, { text, example: `127.0.0.1${text}` });
    }
    if (port.length === 0) {
      throw new HostPortError('noPort', `"${text}" has no port (for example ${text}9007).`, { text, example: `${text}9007` });
    }
  }
  return { host: checkHost(host), port: parsePort(port) };
}

/** Formats for display and for re-parsing: IPv6 in brackets. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
