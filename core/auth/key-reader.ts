/** Roles whose keys the switch issues (the operator's key comes from configuration). */
export type IssuedKeyRole = 'participant' | 'merchant' | 'regulator';

export type StoredKey = {
  keyId: string;
  keyHash: string;
  role: IssuedKeyRole;
  /** The participant or merchant the key acts for; null for a regulator. */
  ownerId: string | null;
  revoked: boolean;
};

/** Read side of issued keys, answered from the keys projection (adapters/readmodel-sqlite/projections/keys-*.ts). */
export interface KeyReader {
  findKey(keyId: string): StoredKey | null;
}
