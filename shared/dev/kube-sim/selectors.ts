// Label selectors (query text and LabelSelector objects) and field selectors, with the apiserver's semantics.
import type { LabelSelector } from './wire-types.ts';

export type Operator = 'in' | 'notin' | 'exists' | 'doesnotexist' | 'gt' | 'lt';
export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export class SelectorError extends Error {}

type Token = { kind: 'word'; text: string } | { kind: 'op'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '==' || two === '!=') {
      tokens.push({ kind: 'op', text: two });
      i += 2;
      continue;
    }
    if ('=!(),<>'.includes(c)) {
      tokens.push({ kind: 'op', text: c });
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s=!(),<>]/.test(text[j] ?? '')) j++;
    tokens.push({ kind: 'word', text: text.slice(i, j) });
    i = j;
  }
  return tokens;
}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string): string {
  if (!KEY.test(key) || key.length > 316) throw new SelectorError(`unable to parse requirement: invalid label key "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw new SelectorError(`unable to parse requirement: invalid label value: "${value}"`);
  }
  return value;
}

// Parses the `labelSelector` query parameter (k8s.io/apimachinery/pkg/labels.Parse grammar).
export function parseLabelSelector(text: string): Requirement[] {
  const tokens = tokenize(text);
  const reqs: Requirement[] = [];
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const next = (): Token | undefined => tokens[pos++];
  const atEnd = (): boolean => {
    const t = peek();
    return t === undefined || (t.kind === 'op' && t.text === ',');
  };
  const expectWord = (what: string): string => {
    const t = next();
    if (!t || t.kind !== 'word') throw new SelectorError(`found '${t?.text ?? ''}', expected: ${what}`);
    return t.text;
  };
  while (pos < tokens.length) {
    const first = next();
    if (!first) break;
    if (first.kind === 'op' && first.text === '!') {
      reqs.push({ key: checkKey(expectWord('identifier after \'!\'')), operator: 'doesnotexist', values: [] });
    } else if (first.kind === 'word') {
      const key = checkKey(first.text);
      if (atEnd()) {
        reqs.push({ key, operator: 'exists', values: [] });
      } else {
        const op = next();
        if (op?.kind === 'op' && (op.text === '=' || op.text === '==' || op.text === '!=')) {
          const value = atEnd() ? '' : checkValue(expectWord('identifier'));
          reqs.push({ key, operator: op.text === '!=' ? 'notin' : 'in', values: [value] });
        } else if (op?.kind === 'op' && (op.text === '<' || op.text === '>')) {
          const value = expectWord('integer');
          if (!/^-?\d+$/.test(value)) throw new SelectorError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
          reqs.push({ key, operator: op.text === '>' ? 'gt' : 'lt', values: [value] });
        } else if (op?.kind === 'word' && (op.text === 'in' || op.text === 'notin')) {
          const open = next();
          if (open?.kind !== 'op' || open.text !== '(') throw new SelectorError(`unable to parse requirement: found '${open?.text ?? ''}', expected: '('`);
          const values: string[] = [];
          for (;;) {
            const t = next();
            if (!t) throw new SelectorError("unable to parse requirement: found '', expected: ')'");
            if (t.kind === 'op' && t.text === ')') break;
            if (t.kind === 'op' && t.text === ',') {
              continue;
            }
            if (t.kind !== 'word') throw new SelectorError(`unable to parse requirement: found '${t.text}', expected: ',', ')' or identifier`);
            values.push(checkValue(t.text));
          }
          if (values.length === 0) values.push('');
          reqs.push({ key, operator: op.text, values });
        } else {
          throw new SelectorError(`unable to parse requirement: found '${op?.text ?? ''}', expected: in, notin, =, ==, !=, gt, lt`);
        }
      }
    } else {
      throw new SelectorError(`unable to parse requirement: found '${first.text}', expected: !, identifier, or 'end of string'`);
    }
    const sep = next();
    if (sep && !(sep.kind === 'op' && sep.text === ',')) {
      throw new SelectorError(`found '${sep.text}', expected: ',' or 'end of string'`);
    }
    if (sep && pos === tokens.length) throw new SelectorError("found '', expected: identifier after ','");
  }
  return reqs;
}

export function matches(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.operator) {
      case 'in':
        return has && r.values.includes(v ?? '');
      case 'notin':
        return !has || !r.values.includes(v ?? '');
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v ?? '')) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        return r.operator === 'gt' ? n > bound : n < bound;
      }
    }
  });
}

// A LabelSelector object (Deployment/PDB spec.selector). An empty selector matches everything.
export function requirementsOf(selector: LabelSelector): Requirement[] {
  const reqs: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
    key,
    operator: 'in',
    values: [value],
  }));
  for (const e of selector.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin') reqs.push({ key: e.key, operator: op, values: e.values ?? [] });
    else if (op === 'exists') reqs.push({ key: e.key, operator: 'exists', values: [] });
    else if (op === 'doesnotexist') reqs.push({ key: e.key, operator: 'doesnotexist', values: [] });
    else throw new SelectorError(`"${e.operator}" is not a valid label selector operator`);
  }
  return reqs;
}

export function selectorMatches(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  return matches(requirementsOf(selector), labels);
}

// The text form the API puts in Scale.status.selector (sorted by key, like labels.Selector.String()).
export function selectorString(selector: LabelSelector): string {
  const reqs = requirementsOf(selector).sort((a, b) => a.key.localeCompare(b.key));
  return reqs
    .map((r) => {
      switch (r.operator) {
        case 'in':
          return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${[...r.values].sort().join(',')})`;
        case 'notin':
          return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${[...r.values].sort().join(',')})`;
        case 'exists':
          return r.key;
        case 'doesnotexist':
          return `!${r.key}`;
        case 'gt':
          return `${r.key}>${r.values[0]}`;
        case 'lt':
          return `${r.key}<${r.values[0]}`;
      }
    })
    .join(',');
}

// A Service's map selector: every key must match; the caller decides what an empty map means.
export function mapSelectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export interface FieldRequirement {
  field: string;
  equal: boolean;
  value: string;
}

// Parses `fieldSelector`; `supported` lists the field labels the resource's field-label conversion accepts.
export function parseFieldSelector(text: string, supported: readonly string[]): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  for (const part of text.split(',')) {
    const term = part.trim();
    if (term === '') continue;
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new SelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = m[1] ?? '';
    if (!supported.includes(field)) throw new SelectorError(`field label not supported: ${field}`);
    out.push({ field, equal: m[2] !== '!=', value: m[3] ?? '' });
  }
  return out;
}

export function fieldsMatch(reqs: FieldRequirement[], fields: Record<string, string>): boolean {
  return reqs.every((r) => (fields[r.field] === r.value) === r.equal);
}
