// Reads which PingSource names each rule, and on what schedule, from a Knative pingsources file (zod at the boundary).
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { Problems, issuesToProblems } from '../config/problems.ts';
import { pingSchema } from '../events/schemas.ts';

export interface Schedule {
  pingSource: string;
  schedule: string;
}

const pingSourceDoc = z.object({
  kind: z.literal('PingSource'),
  metadata: z.object({ name: z.string().min(1) }),
  spec: z.object({ schedule: z.string().min(1), data: z.string() }),
});

/** Rule name → the PingSources that name it (one, in a consistent deployment). Other kinds of documents are
 *  skipped, so the file may be a whole kustomization's worth. */
export async function readSchedules(path: string): Promise<Map<string, Schedule[]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Problems(`invalid PingSources in ${path}`, [`cannot read the file: ${(error as Error).message}`]);
  }
  const problems: string[] = [];
  const byRule = new Map<string, Schedule[]>();
  parseAllDocuments(text).forEach((doc, index) => {
    if (doc.errors.length > 0) {
      problems.push(`document #${index + 1}: not valid YAML: ${doc.errors[0]!.message}`);
      return;
    }
    const value: unknown = doc.toJS();
    if ((value as { kind?: unknown } | null)?.kind !== 'PingSource') return;
    const parsed = pingSourceDoc.safeParse(value);
    if (!parsed.success) {
      problems.push(...issuesToProblems(`document #${index + 1}`, parsed.error.issues, value));
      return;
    }
    const { metadata, spec } = parsed.data;
    let data: unknown;
    try {
      data = JSON.parse(spec.data);
    } catch {
      data = undefined;
    }
    const ping = pingSchema.safeParse(data);
    if (!ping.success) {
      problems.push(`PingSource "${metadata.name}" field spec.data: must be JSON naming the rules to run, e.g. {"rules":["web-http"]} (got ${JSON.stringify(spec.data)})`);
      return;
    }
    for (const rule of ping.data.rules) byRule.set(rule, [...(byRule.get(rule) ?? []), { pingSource: metadata.name, schedule: spec.schedule }]);
  });
  if (problems.length > 0) throw new Problems(`invalid PingSources in ${path}`, problems);
  return byRule;
}
