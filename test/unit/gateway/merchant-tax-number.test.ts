import { isTaxNumber } from '../../../core/gateway/merchant-tax-number';

/** The tax number forms a merchant may give (issue 17, item 6): an NTN with or without its check digit. */
it.each(['1234567', '1234567-8'])('accepts %s', (text) => {
  expect(isTaxNumber(text)).toBe(true);
});

it.each([
  ['', 'empty'],
  ['123456', 'six digits'],
  ['12345678', 'eight digits, no hyphen'],
  ['1234567-89', 'a two-digit check'],
  ['1234567-', 'a hyphen without its check digit'],
  ['3520212345671', 'a CNIC (personal data: not kept unsealed)'],
  ['35202-1234567-1', 'a CNIC grouped as on the card'],
  ['352021234567', 'a CNIC one digit short'],
  ['35202-12345671', 'a CNIC grouped wrongly'],
  ['1234567 ', 'a trailing space'],
  ['１２３４５６７', 'full-width digits'],
  ['A123456', 'a letter'],
])('refuses %j (%s)', (text) => {
  expect(isTaxNumber(text)).toBe(false);
});
