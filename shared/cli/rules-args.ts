// Reads what `selfheal rules` is given: validate or list, one rules file, and for list an optional PingSources file.

export interface RulesArgs {
  action: 'validate' | 'list';
  file: string;
  pingSources?: string;
}

export function parseRulesArgs(rest: readonly string[], pingSources: string | undefined): RulesArgs | { error: string } {
  const [action, file, ...more] = rest;
  if (action !== 'validate' && action !== 'list') {
    return { error: action === undefined ? 'rules needs validate or list, then FILE' : `rules: unknown subcommand "${action}" (use validate or list)` };
  }
  if (file === undefined) return { error: `rules ${action} needs the rules FILE (e.g. knative/rules.yaml)` };
  if (more.length > 0) return { error: `unexpected argument "${more[0]}"` };
  if (pingSources !== undefined && action !== 'list') return { error: 'option --pingsources applies to rules list only' };
  return { action, file, ...(pingSources !== undefined ? { pingSources } : {}) };
}
