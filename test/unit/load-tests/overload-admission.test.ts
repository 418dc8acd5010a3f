import { moneyPathInFlightMaxLimit } from '../../../api/money-path-admission';
import { admissionEnvironment } from '../../../load-tests/overload-admission';

describe('npm run load:overload: the switches it compares', () => {
  it('bounds the switch under test by its in-flight bound, leaving its shedding on event-loop delay on', () => {
    expect(admissionEnvironment(64)).toEqual({ HISAAB_MONEY_PATH_IN_FLIGHT_MAX: '64' });
  });

  it('lets the control admit everything: no in-flight bound to speak of and no shedding on event-loop delay', () => {
    expect(admissionEnvironment(moneyPathInFlightMaxLimit)).toEqual({
      HISAAB_MONEY_PATH_IN_FLIGHT_MAX: String(moneyPathInFlightMaxLimit),
      HISAAB_MONEY_PATH_LOOP_DELAY_MAX_MS: '0',
    });
  });
});
