// Small HTTP helpers for tests: POST CloudEvents in either mode and read the answer.
import { request } from 'undici';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

export async function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const res = await request(url, { method: 'POST', body, headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

export async function get(url: string): Promise<Answer> {
  const res = await request(url);
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

export function postBinary(url: string, attrs: { id: string; type: string; source: string; subject?: string }, data: unknown): Promise<Answer> {
  return post(url, JSON.stringify(data), {
    'content-type': 'application/json',
    'ce-specversion': '1.0',
    'ce-id': attrs.id,
    'ce-type': attrs.type,
    'ce-source': attrs.source,
    ...(attrs.subject ? { 'ce-subject': attrs.subject } : {}),
  });
}

export function postStructured(url: string, attrs: { id: string; type: string; source: string }, data: unknown): Promise<Answer> {
  return post(url, JSON.stringify({ specversion: '1.0', datacontenttype: 'application/json', ...attrs, data }), {
    'content-type': 'application/cloudevents+json',
  });
}

/** `[[[…1…]]]` or `{"a":{"a":…1…}}` nested `depth` deep, as text: JSON.stringify itself would overflow the stack. */
export function deepJson(depth: number, shape: 'array' | 'object'): string {
  return shape === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A binary-mode event whose data is already JSON text. */
export function postBinaryText(url: string, attrs: { id: string; type: string; source: string }, data: string): Promise<Answer> {
  return post(url, data, { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': attrs.id, 'ce-type': attrs.type, 'ce-source': attrs.source });
}

/** A structured-mode event whose data is already JSON text. */
export function postStructuredText(url: string, attrs: { id: string; type: string; source: string }, data: string): Promise<Answer> {
  const envelope = JSON.stringify({ specversion: '1.0', datacontenttype: 'application/json', ...attrs });
  return post(url, `${envelope.slice(0, -1)},"data":${data}}`, { 'content-type': 'application/cloudevents+json' });
}
