import { moneyPathRoute } from '../../../api/money-path-admission';

/**
 * Admission judges every request the router would send to a money-path route, however the target is written: a
 * payment must not escape load shedding by a fragment, a query, a capital letter or an absolute-form target.
 */
describe('the money-path route a request target names', () => {
  it.each([
    ['/v1/transfers', '/v1/transfers'],
    ['/v1/transfers/', '/v1/transfers'],
    ['/V1/Transfers', '/v1/transfers'],
    ['/v1/transfers?x=1', '/v1/transfers'],
    ['/v1/transfers#x', '/v1/transfers'],
    ['/v1/transfers/#x', '/v1/transfers'],
    ['/v1/transfers/batch?x=1#y', '/v1/transfers/batch'],
    ['http://switch.example/v1/transfers', '/v1/transfers'],
    ['http://switch.example/v1/transfers/batch?x=1', '/v1/transfers/batch'],
  ])('reads %s as %s', (target, route) => {
    expect(moneyPathRoute(target)).toBe(route);
  });

  it.each(['/v1/transfers/x', '/v1/participants', '/', '*', 'not a url', 'http://switch.example/v1/aliases'])(
    'names no route for %s',
    (target) => {
      expect(moneyPathRoute(target)).toBeNull();
    },
  );
});
