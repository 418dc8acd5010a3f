import { judgeFrame } from '../../../scripts/fuzz-iso8583/frame-judge';
import { FUZZ_INSTITUTION_ID, type GeneratedFrame } from '../../../scripts/fuzz-iso8583/generated-frames';

/**
 * Frames `npm run fuzz:iso8583 -- --frames 100000 --seed 20261203` reported as violations on 2026-12-03: since
 * issue 17 the currency table holds all of ISO 4217 and the switch carries six currencies by default, while the
 * fuzzer's second reading of the rules knew only PKR and USD, and its in-process judge asked the server's decision
 * with every currency of the table enabled. Both now follow the switch the TCP phase runs (HISAAB_CURRENCIES unset).
 */
function frame(hex: string): GeneratedFrame {
  const body = Buffer.from(hex, 'hex');
  return { baseMti: '0200', mutation: 'field_value', body, declaredBytes: body.length };
}

/** A 0200 for 418,846.45 in JPY (DE49 392): in the currency table, not carried by the switch. */
const inYen = frame(
  '30323030b2380001088080000000000006000000343030303030303030303431383834363435303932333132313130383239343131373334333335323337353230363630303030313539373436383834383634355445524d303030313339323234504b383946555a5a303030303030313132333435363730323234504b343546555a5a30303030303031323334353637383930',
);
/** A 0200 for 0.01 in GBP (DE49 826): carried by default. */
const inPounds = frame(
  '30323030b23800010880800000000000060000003430303030303030303030303030303030313130323330303535303330373738383436303332363334373233303636303030303134313933393938353035333446555a5a202020203832363234504b383946555a5a303030303030313132333435363730323234504b33365343424c30303030303031313233343536373032',
);

/** A 0420 reversing a JPY transfer: a reversal names an original that may predate HISAAB_CURRENCIES, so any currency of the table. */
const reversalInYen = frame(
  '30343230b220000108808000000000400000000034303030303030303030323138393431353830333035313434393034313735323836303636303030303139303134343330323032303941544d3030303432333932303230303732373734313035313930333439343530303030303630303030313030303030303030303030',
);

describe('fuzz:iso8583 and the currencies the switch carries', () => {
  it('expects 13 for a currency of the table the switch does not carry, and the server decides so', () => {
    expect(judgeFrame(inYen, FUZZ_INSTITUTION_ID, 0xffff)).toEqual({ outcomes: ['answered 13'], violations: [] });
  });

  it('expects a carried foreign currency to reach the handler, and the server takes it there', () => {
    expect(judgeFrame(inPounds, FUZZ_INSTITUTION_ID, 0xffff)).toEqual({ outcomes: ['handler: transfer_request'], violations: [] });
  });

  it('takes a reversal in any currency of the table to the handler, as the server does', () => {
    expect(judgeFrame(reversalInYen, FUZZ_INSTITUTION_ID, 0xffff)).toEqual({ outcomes: ['handler: reversal_advice'], violations: [] });
  });
});
