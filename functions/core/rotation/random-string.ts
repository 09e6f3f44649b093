/** Random strings for generated secrets, drawn with node:crypto's uniform `randomInt`. */
import { randomInt } from 'node:crypto';
import type { RandomSecretSpec } from '../model.ts';

export const ALPHABETS: Readonly<Record<RandomSecretSpec['alphabet'], string>> = {
  alphanumeric: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  hex: '0123456789abcdef',
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
};

/**
 * @example
 * const apiKey = randomString(40, 'alphanumeric');
 */
export function randomString(length: number, alphabet: RandomSecretSpec['alphabet']): string {
  const characters = ALPHABETS[alphabet];
  let result = '';
  for (let i = 0; i < length; i++) result += characters[randomInt(characters.length)];
  return result;
}

/** Whether every character of `value` belongs to the alphabet. */
export function isOfAlphabet(value: string, alphabet: RandomSecretSpec['alphabet']): boolean {
  const characters = ALPHABETS[alphabet];
  for (const character of value) if (!characters.includes(character)) return false;
  return true;
}
