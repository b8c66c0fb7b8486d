// The provoke steps' sentences (`send … pieces N gap T`, `send together`, `nodelay on|off`; see
// src/core/script/provoke.ts) in the user's language. scriptMessages.ts merges them into its table.
import { l10n } from 'vscode';
import type { MessageArgs } from '../core/script';

export const PROVOKE_SENTENCES: Record<'script.badProvoke', (a: MessageArgs) => string | undefined> = {
  'script.badProvoke': (a) => {
    switch (a.form) {
      case 'pieces':
        return l10n.t('pieces needs a count from 1 to {0}, for example pieces 3.', Number(a.max).toLocaleString('en-US'));
      case 'gap':
        return l10n.t('gap needs a duration of at most 10s, for example gap 20ms.');
      case 'onOff':
        return l10n.t('nodelay needs on (Nagle off) or off (Nagle on), not "{0}".', a.word);
      case 'together':
        return l10n.t('send together needs two or more messages: strings, hex bytes or files, one after the other.');
      default:
        return undefined;
    }
  },
};
