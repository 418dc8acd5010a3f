import { cnicOfTaxNumber, isTaxNumber } from '../../../core/gateway/merchant-tax-number';

/**
 * The tax number forms a merchant may give (issue 17, item 6): a business's NTN with or without its check digit, or
 * an individual exporter's CNIC with its dashes or as 13 digits; a CNIC is also the data subject it is sealed under.
 */
it.each([
  ['1234567', null],
  ['1234567-8', null],
  ['3520212345671', '3520212345671'],
  ['35202-1234567-1', '3520212345671'],
])('accepts %s (a CNIC: %s)', (text, cnic) => {
  expect(isTaxNumber(text)).toBe(true);
  expect(cnicOfTaxNumber(text)).toBe(cnic);
});

it.each([
  ['', 'empty'],
  ['123456', 'six digits'],
  ['12345678', 'eight digits, no hyphen'],
  ['1234567-89', 'a two-digit check'],
  ['1234567-', 'a hyphen without its check digit'],
  ['352021234567', 'a CNIC one digit short'],
  ['35202123456712', 'a CNIC one digit long'],
  ['35202-12345671', 'a CNIC grouped wrongly'],
  ['3520-21234567-1', 'a CNIC grouped wrongly at the front'],
  ['35202-1234567-12', 'a CNIC with a two-digit check'],
  ['35202 1234567 1', 'a CNIC grouped with spaces'],
  ['1234567 ', 'a trailing space'],
  ['１２３４５６７', 'full-width digits'],
  ['A123456', 'a letter'],
])('refuses %j (%s)', (text) => {
  expect(isTaxNumber(text)).toBe(false);
  expect(cnicOfTaxNumber(text)).toBeNull();
});
