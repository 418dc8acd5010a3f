import { apiLimits, assertLimitRelations } from '../../api/api-limits';
import { batchBodyBytesMax, bodyBytesMax } from '../../api/app';
import { buildOpenApiDocument } from '../../api/openapi';
import { transferBatchSchema, transferRequestSchema } from '../../api/schemas/transfer-schemas';
import { eventStoreLimits } from '../../core/eventstore/limits';
import { batchCommandsMax } from '../../core/ledger/ledger-limits';
import { settlementPostingsPerSubmitMax } from '../../core/settlement/settlement-service';

/** How related limits relate, as TigerBeetle's constants.zig asserts them; the same checks run at start-up. */
describe('limits from one source', () => {
  it('holds every relation between related limits', () => {
    expect(() => assertLimitRelations()).not.toThrow();
    expect(apiLimits.transferBatchSizeMax).toBeLessThanOrEqual(batchCommandsMax);
    expect(settlementPostingsPerSubmitMax).toBeLessThanOrEqual(batchCommandsMax);
    expect(batchCommandsMax).toBeLessThanOrEqual(eventStoreLimits.eventsPerAppendMax);
    expect(apiLimits.batchBodyBytesMax).toBeGreaterThanOrEqual(apiLimits.transferBatchSizeMax * apiLimits.transferItemBytesMax);
    for (const pageMax of [apiLimits.transferPageLimitMax, apiLimits.participantPageLimitMax, apiLimits.settlementWindowPageLimitMax]) {
      expect(pageMax).toBeLessThanOrEqual(eventStoreLimits.readLimitMax);
    }
  });

  it('counts a maximum-size transfer within transferItemBytesMax, as the batch body limit assumes', () => {
    const threeByteText = '€'.repeat(apiLimits.textLengthMax);
    const item = {
      id: '0'.repeat(8) + '-0000-0000-0000-' + '0'.repeat(12),
      payer: { type: 'WALLET', value: 'W'.repeat(apiLimits.partyValueLengthMax), name: threeByteText },
      payee: { type: 'MERCHANT', value: 'M'.repeat(apiLimits.partyValueLengthMax) },
      amount: '9'.repeat(apiLimits.amountTextLengthMax),
      currency: 'PKR',
      purpose: 'SALARY',
      note: threeByteText,
    };
    expect(transferRequestSchema.safeParse(item).error?.issues.map((issue) => issue.path.join('.')) ?? []).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(item), 'utf8')).toBeLessThanOrEqual(apiLimits.transferItemBytesMax);
    const batchBytes = Buffer.byteLength(JSON.stringify({ transfers: new Array(apiLimits.transferBatchSizeMax).fill(item) }), 'utf8');
    expect(batchBytes).toBeLessThanOrEqual(apiLimits.batchBodyBytesMax);
  });

  it('refuses limits that break a relation', () => {
    expect(() => assertLimitRelations({ ...apiLimits, transferBatchSizeMax: batchCommandsMax + 1 })).toThrow(/batch maximum/);
    expect(() => assertLimitRelations({ ...apiLimits, batchBodyBytesMax: 4 * 1024 * 1024 })).toThrow(/full batch/);
    expect(() => assertLimitRelations({ ...apiLimits, transferPageLimitMax: eventStoreLimits.readLimitMax + 1 })).toThrow(/one read/);
  });

  it('gives the body parsers, the schemas and the OpenAPI document the same maxima', () => {
    expect(bodyBytesMax).toBe(apiLimits.bodyBytesMax);
    expect(batchBodyBytesMax).toBe(apiLimits.batchBodyBytesMax);
    expect(transferBatchSchema.safeParse({ transfers: new Array(apiLimits.transferBatchSizeMax).fill({}) }).success).toBe(true);
    expect(transferBatchSchema.safeParse({ transfers: new Array(apiLimits.transferBatchSizeMax + 1).fill({}) }).success).toBe(false);
    const document = buildOpenApiDocument({ currencies: ['PKR'] }) as {
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    expect(document.components.schemas.TransferBatchRequest?.properties.transfers).toMatchObject({
      minItems: 1,
      maxItems: apiLimits.transferBatchSizeMax,
    });
    expect(document.components.schemas.TransferRequest?.properties.note).toMatchObject({ maxLength: apiLimits.textLengthMax });
  });
});
