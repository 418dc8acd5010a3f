import type { Principal } from '../core/auth/principal';
import type { MerchantReader, MerchantRecord } from '../core/gateway/merchant-reader';
import { HttpError } from './http-error';

/**
 * The merchant a caller may see, or 404 as if it did not exist: the operator and the regulator see every
 * merchant, a participant the merchants it acquires, a merchant itself. Nobody learns from the answer that another
 * merchant exists (issue 11: "anyone else gets 404").
 */
export function visibleMerchant(reader: MerchantReader, principal: Principal, merchantId: string): MerchantRecord {
  const record = reader.findMerchant(merchantId);
  if (record === null || !canSee(principal, record)) throw new HttpError('MERCHANT_NOT_FOUND', `merchant ${merchantId} does not exist`);
  return record;
}

function canSee(principal: Principal, record: MerchantRecord): boolean {
  switch (principal.role) {
    case 'operator':
    case 'regulator':
      return true;
    case 'participant':
      return principal.participantId === record.acquirerId;
    case 'merchant':
      return principal.merchantId === record.id;
  }
}
