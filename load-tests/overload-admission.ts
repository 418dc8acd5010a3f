import { moneyPathInFlightMaxLimit } from '../api/money-path-admission';

/**
 * The switch's admission settings for a phase. The control (the in-flight bound at its limit) must admit
 * everything, so its shedding on event-loop delay is off too: with it on, the control shed on a loaded machine
 * (13.8/s in a run of 2026-12-03) and was no longer the switch without a bound that it is compared with.
 */
export function admissionEnvironment(inFlightMax: number): Record<string, string> {
  const admitsEverything = inFlightMax >= moneyPathInFlightMaxLimit;
  return {
    HISAAB_MONEY_PATH_IN_FLIGHT_MAX: String(inFlightMax),
    ...(admitsEverything ? { HISAAB_MONEY_PATH_LOOP_DELAY_MAX_MS: '0' } : {}),
  };
}
