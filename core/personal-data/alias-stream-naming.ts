import { aliasStreamName, type AliasKey, type AliasStreamNaming } from '../directory/alias-key';

/**
 * Alias streams named by the subject's keyed hash for a person's alias (MSISDN, CNIC), so that the log's stream
 * names carry no number; a merchant's alias names a business and keeps its readable name.
 */
export function sealedAliasStreamNaming(referenceOf: (subject: { type: 'MSISDN' | 'CNIC'; value: string }) => string): AliasStreamNaming {
  return (alias: AliasKey) => {
    if (alias.type === 'MERCHANT') return aliasStreamName(alias);
    return `alias-${alias.type}-${referenceOf({ type: alias.type, value: alias.value })}`;
  };
}
