import { maskName } from '../../../core/directory/mask-name';

describe('maskName', () => {
  it('keeps the first and last letter of each word', () => {
    expect(maskName('Ayesha Khan')).toBe('A***a K***n');
  });

  it('hides the length of each word', () => {
    expect(maskName('Muhammad Ali')).toBe('M***d A***i');
    expect(maskName('Al Bo')).toBe('A***l B***o');
  });

  it('keeps one-letter words and collapses extra spaces', () => {
    expect(maskName('  Zainab   B  ')).toBe('Z***b B');
  });

  it('handles non-Latin letters as whole characters', () => {
    expect(maskName('عائشہ خان')).toBe('ع***ہ خ***ن');
  });
});
