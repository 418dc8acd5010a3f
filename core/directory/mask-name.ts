/**
 * Masks an account holder's name for confirmation of payee: each word keeps its first and last letter,
 * enough for the payer to recognise the person and too little to learn the name ("Ayesha Khan" → "A***a K***n").
 * One-letter words keep their letter. The mask always has three stars, so it never reveals the length.
 */
export function maskName(name: string): string {
  return name
    .trim()
    .split(/\s+/)
    .filter((word) => word.length > 0)
    .map(maskWord)
    .join(' ');
}

function maskWord(word: string): string {
  const characters = Array.from(word);
  const first = characters[0] ?? '';
  if (characters.length === 1) return first;
  const last = characters[characters.length - 1] ?? '';
  return `${first}***${last}`;
}
