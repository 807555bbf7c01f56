// The CA list for HTTPS probes: Node's bundled roots plus the operator's extra CA file, read once at start-up.
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';

/** Undefined means "Node's defaults"; an extra file adds to the roots rather than replacing them. */
export async function loadCaBundle(extraCaFile: string | undefined): Promise<string[] | undefined> {
  if (extraCaFile === undefined) return undefined;
  let pem: string;
  try {
    pem = await readFile(extraCaFile, 'utf8');
  } catch (error) {
    throw new Error(`EXTRA_CA_FILE ${extraCaFile} cannot be read: ${(error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`EXTRA_CA_FILE ${extraCaFile} holds no PEM certificate`);
  return [...rootCertificates, pem];
}
