// The healer's output contract, checked in tests: every event it answers with or sends fits the schema of its type.
import type { z } from 'zod';
import { alertSchema, healSchema, proxySwitchedSchema } from '../../shared/events/schemas.ts';
import { EventType, HEALER_EMITTED_TYPES } from '../../shared/events/types.ts';

const SCHEMAS: Readonly<Record<(typeof HEALER_EMITTED_TYPES)[number], z.ZodType>> = {
  [EventType.healPerformed]: healSchema,
  [EventType.healSkipped]: healSchema,
  [EventType.healFailed]: healSchema,
  [EventType.proxySwitched]: proxySwitchedSchema,
  [EventType.alert]: alertSchema,
};

/** Throws, naming the type and every problem, unless `data` fits the schema of a type the healer emits. */
export function assertHealerOutput(type: string, data: unknown): void {
  const schema = (SCHEMAS as Record<string, z.ZodType | undefined>)[type];
  if (!schema) throw new Error(`the healer emitted ${type}, which is not one of its output types (${HEALER_EMITTED_TYPES.join(', ')})`);
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`);
    throw new Error(`${type} does not fit its schema: ${problems.join('; ')}\n${JSON.stringify(data)}`);
  }
}
