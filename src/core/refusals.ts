// Why a server refused a client or a file request: a code per reason, with its values, and the English
// sentence the CLI and the logs print. The editor words a refusal in the user's language from its code
// (src/common/messages.ts has one sentence per code, checked by the compiler), never from the English.

export type RefusalArgs = Readonly<Record<string, string | number>>;

const ENGLISH = {
  'refusal.nameTooLong': (a: RefusalArgs) => `name is longer than ${a.max} bytes`,
  'refusal.emptyName': () => 'empty name',
  'refusal.badEncoding': (a: RefusalArgs) => `name is not valid ${a.encoding}`,
  'refusal.nul': () => 'name contains a NUL character',
  'refusal.control': () => 'name contains control characters',
  'refusal.unc': () => 'UNC paths are not allowed',
  'refusal.backslash': () => 'backslashes are not allowed (use / for subfolders)',
  'refusal.driveLetter': () => 'drive letters are not allowed',
  'refusal.absolute': () => 'absolute paths are not allowed',
  'refusal.emptySegment': () => 'empty path segment (//)',
  'refusal.dotDot': () => '".." segments are not allowed',
  'refusal.colon': () => '":" is not allowed in names',
  'refusal.listingOff': () => 'listing is switched off',
  'refusal.noRoot': (a: RefusalArgs) => `the root folder is not available (${a.detail})`,
  'refusal.noSuchFile': () => 'no such file',
  'refusal.noSuchFolder': () => 'no such folder',
  'refusal.notAFolder': () => 'not a folder',
  'refusal.nameTooLongForFs': () => 'name too long for the file system',
  'refusal.outsideRoot': () => 'resolves outside the root (symlink)',
  'refusal.notRegularFile': (a: RefusalArgs) => `${a.what}, not a regular file`,
  'refusal.becameSymlink': () => 'changed into a symlink while being opened',
  'refusal.changed': () => 'changed while being opened',
  'refusal.cannotResolve': (a: RefusalArgs) => `cannot resolve: ${a.detail}`,
  'refusal.cannotStat': (a: RefusalArgs) => `cannot stat: ${a.detail}`,
  'refusal.cannotOpen': (a: RefusalArgs) => `cannot open: ${a.detail}`,
  'refusal.cannotReadFolder': (a: RefusalArgs) => `cannot read the folder: ${a.detail}`,
  'refusal.denied': (a: RefusalArgs) => `denied by the deny list: ${a.entry}`,
  'refusal.connectionLimit': (a: RefusalArgs) => `connection limit reached (${a.max})`,
  'refusal.stopping': () => 'server is stopping',
} as const;

export type RefusalCode = keyof typeof ENGLISH;

export interface Refusal {
  readonly code: RefusalCode;
  readonly args: RefusalArgs;
  /** The English sentence, for the CLI and the logs. */
  readonly reason: string;
}

export function refusal(code: RefusalCode, args: RefusalArgs = {}): Refusal {
  return { code, args, reason: ENGLISH[code](args) };
}
