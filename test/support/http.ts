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
