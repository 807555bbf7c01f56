// Generated names: random suffixes and the pod-template-hash, in the alphabet Kubernetes uses for them.
import { randomInt } from 'node:crypto';

// utilrand's alphabet: no vowels (no accidental words) and no confusable 0/1/3.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

// Like ComputeHash + SafeEncodeString: FNV-32a of the template, printed in decimal, each digit mapped into the alphabet.
// Padded to 10 characters so every ReplicaSet name has the same shape.
export function templateHash(template: unknown): string {
  const decimal = String(fnv1a32(JSON.stringify(template))).padStart(10, '0');
  let out = '';
  for (const ch of decimal) out += ALPHABET[ch.charCodeAt(0) % ALPHABET.length];
  return out;
}
