// pods/exec over WebSocket through the real client's Exec class: output, exit status, hanging commands, errors.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Exec, type V1Status } from '@kubernetes/client-node';
import WebSocket from 'ws';
import type { ExecReply, V1PodLike } from '../../../shared/dev/kube-sim/index.ts';
import { startFixture } from './fixture.ts';

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

interface Outcome {
  status: V1Status;
  stdout: string;
  stderr: string;
}

async function run(exec: Exec, pod: string, command: string[], timeoutMs = 2000): Promise<Outcome | 'timeout'> {
  const stdout = new Collect();
  const stderr = new Collect();
  let resolveStatus: (s: V1Status) => void = () => {};
  const status = new Promise<V1Status>((resolve) => {
    resolveStatus = resolve;
  });
  const ws = await exec.exec('shop', pod, 'app', command, stdout, stderr, null, false, (s) => resolveStatus(s));
  const winner = await Promise.race([status, sleep(timeoutMs).then(() => 'timeout' as const)]);
  if (winner === 'timeout') {
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.close();
    await closed;
    return 'timeout';
  }
  return { status: winner, stdout: stdout.text, stderr: stderr.text };
}

function runtimeExec(calls: Array<{ pod: string; container: string; command: string[] }>) {
  return (pod: V1PodLike, container: string, command: string[]): ExecReply | Promise<ExecReply> => {
    calls.push({ pod: pod.metadata.name, container, command });
    const script = command.join(' ');
    if (script === 'cat /healthz') return { exitCode: 0, stdout: `ok from ${pod.status.podIP}\n` };
    if (script === 'sh -c exit 2') return Promise.resolve({ exitCode: 2, stderr: 'boom\n' });
    if (script === 'sleep infinity') return { hang: true };
    return { exitCode: 127, stderr: `${command[0] ?? ''}: not found\n` };
  };
}

test('exec with exit 0 streams stdout and reports Success', async (t) => {
  const calls: Array<{ pod: string; container: string; command: string[] }> = [];
  const { sim, kc } = await startFixture(t, { exec: runtimeExec(calls) });
  const pod = sim.listPods('shop')[0];
  assert.ok(pod);
  const out = await run(new Exec(kc), pod.metadata.name, ['cat', '/healthz']);
  assert.notEqual(out, 'timeout');
  if (out === 'timeout') return;
  assert.equal(out.status.status, 'Success');
  assert.equal(out.stdout, `ok from ${pod.status.podIP}\n`);
  assert.equal(out.stderr, '');
  assert.deepEqual(calls, [{ pod: pod.metadata.name, container: 'app', command: ['cat', '/healthz'] }]);
  const record = sim.requests.find((r) => r.path.endsWith('/exec'));
  assert.equal(record?.status, 101);
  assert.match(record?.query ?? '', /command=cat&command=%2Fhealthz/);
});

test('a non-zero exit is a Failure status with an ExitCode cause', async (t) => {
  const { sim, kc } = await startFixture(t, { exec: runtimeExec([]) });
  const pod = sim.listPods('shop')[0];
  assert.ok(pod);
  const out = await run(new Exec(kc), pod.metadata.name, ['sh', '-c', 'exit 2']);
  assert.notEqual(out, 'timeout');
  if (out === 'timeout') return;
  assert.equal(out.status.status, 'Failure');
  assert.equal(out.status.reason, 'NonZeroExitCode');
  assert.match(out.status.message ?? '', /^command terminated with non-zero exit code: /);
  assert.deepEqual(out.status.details?.causes?.map((c) => [c.reason, c.message]), [['ExitCode', '2']]);
  assert.equal(out.stderr, 'boom\n');
});

test('a hanging command never answers; the caller times out and closes the socket', async (t) => {
  const { sim, kc } = await startFixture(t, { exec: runtimeExec([]) });
  const pod = sim.listPods('shop')[0];
  assert.ok(pod);
  const out = await run(new Exec(kc), pod.metadata.name, ['sleep', 'infinity'], 200);
  assert.equal(out, 'timeout');
});

test('the default runtime answers exit 0 with no output', async (t) => {
  const { sim, kc } = await startFixture(t);
  const pod = sim.listPods('shop')[0];
  assert.ok(pod);
  const out = await run(new Exec(kc), pod.metadata.name, ['true']);
  assert.notEqual(out, 'timeout');
  if (out === 'timeout') return;
  assert.equal(out.status.status, 'Success');
  assert.equal(out.stdout, '');
});

test('exec against a missing pod or container fails before the upgrade', async (t) => {
  const { sim, kc } = await startFixture(t);
  await assert.rejects(run(new Exec(kc), 'ghost', ['true']), (err: unknown) => {
    assert.match(String((err as { message?: unknown }).message), /404/);
    return true;
  });
  assert.equal(sim.requests.find((r) => r.path.endsWith('/ghost/exec'))?.status, 404);
  const pod = sim.listPods('shop')[0];
  assert.ok(pod);
  const refused = await rawUpgrade(`${sim.url}/api/v1/namespaces/shop/pods/${pod.metadata.name}/exec?command=true&container=nope&stdout=true`, ['v4.channel.k8s.io']);
  assert.equal(refused.status, 400);
  assert.equal((refused.body as { message: string }).message, `container nope is not valid for pod ${pod.metadata.name}`);
  const plain = await fetch(`${sim.url}/api/v1/namespaces/shop/pods/${pod.metadata.name}/exec?command=true&stdout=true`);
  assert.equal(plain.status, 400);
  assert.equal(((await plain.json()) as { message: string }).message, 'Upgrade request required');
});

// A bare ws client, to see what the server negotiates and sends frame by frame.
function rawUpgrade(url: string, protocols: string[]): Promise<{ status: number; body?: unknown; protocol?: string; frames: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), protocols);
    const frames: Buffer[] = [];
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown, frames }));
    });
    ws.on('message', (data: Buffer) => frames.push(data));
    ws.on('close', () => resolve({ status: 101, protocol: ws.protocol, frames }));
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

test('the server picks the first channel protocol the client offers and speaks it', async (t) => {
  const { sim } = await startFixture(t, { exec: runtimeExec([]) });
  const pod = sim.listPods('shop')[0];
  assert.ok(pod);
  const base = `${sim.url}/api/v1/namespaces/shop/pods/${pod.metadata.name}/exec?command=sh&command=-c&command=exit%202&container=app&stdout=true&stderr=true`;
  const v4 = await rawUpgrade(base, ['v4.channel.k8s.io', 'channel.k8s.io']);
  assert.equal(v4.protocol, 'v4.channel.k8s.io');
  assert.deepEqual([...(v4.frames[0] ?? [])], [1], 'first an empty frame on stdout, the lowest writable channel');
  const last = v4.frames.at(-1);
  assert.equal(last?.[0], 3);
  assert.deepEqual(JSON.parse(last?.subarray(1).toString('utf8') ?? ''), {
    metadata: {},
    status: 'Failure',
    message: "command terminated with non-zero exit code: command 'sh -c exit 2' exited with 2: ",
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: '2' }] },
  });
  const v1 = await rawUpgrade(base, ['channel.k8s.io']);
  assert.equal(v1.protocol, 'channel.k8s.io');
  assert.match(v1.frames.at(-1)?.subarray(1).toString('utf8') ?? '', /^command terminated with non-zero exit code/);
});
