import { buildWebhookEvent, webhookEventId } from '../../../core/webhooks/webhook-event';

const now = new Date('2026-12-01T10:00:00.000Z');

describe('webhook events', () => {
  it('derive their id from merchant, type and source, so publishing a fact again is the same event', () => {
    const first = buildWebhookEvent({ merchantId: 'SHOP1', type: 'refund.succeeded', object: { id: 're_1' }, sourceId: 're_1' }, now);
    const again = buildWebhookEvent(
      { merchantId: 'SHOP1', type: 'refund.succeeded', object: { id: 're_1' }, sourceId: 're_1' },
      new Date('2026-12-02T00:00:00.000Z'),
    );
    expect(first.id).toBe(again.id);
    expect(first.id).toMatch(/^evt_[0-9a-f]{24}$/);
    expect(webhookEventId('SHOP1', 'refund.failed', 're_1')).not.toBe(first.id);
    expect(webhookEventId('SHOP2', 'refund.succeeded', 're_1')).not.toBe(first.id);
    expect(first).toEqual({
      id: first.id,
      type: 'refund.succeeded',
      createdAt: '2026-12-01T10:00:00.000Z',
      data: { object: { id: 're_1' } },
    });
  });

  it('refuse an unknown type, a malformed merchant or source id, and an object past the size limit, publishing nothing', () => {
    const valid = { merchantId: 'SHOP1', type: 'refund.succeeded' as const, object: {}, sourceId: 're_1' };
    expect(() => buildWebhookEvent({ ...valid, type: 'refund.lost' as 'refund.failed' }, now)).toThrow(/INVALID_WEBHOOK_EVENT|type/);
    expect(() => buildWebhookEvent({ ...valid, merchantId: 'shop one' }, now)).toThrow(/merchant id/);
    expect(() => buildWebhookEvent({ ...valid, sourceId: 'a b' }, now)).toThrow(/source id/);
    expect(() => buildWebhookEvent({ ...valid, object: { note: 'x'.repeat(40_000) } }, now)).toThrow(/at most 32768 bytes/);
  });
});
