import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventType } from '../../shared/events/types.ts';
import { postBinary, postStructured } from '../support/http.ts';
import { startChild } from '../support/process.ts';
import type { Child } from '../support/process.ts';
import { EXTERNAL_SITE_CA_PATH } from '../../shared/dev/targets/index.ts';
import { PORTS, resultsOf, startLab } from '../support/check-lab.ts';
import type { Lab } from '../support/check-lab.ts';

let lab: Lab;
let rules: unknown[];
const children: Child[] = [];
const ping = (id: string) => ({ id, type: EventType.ping, source: '/apis/v1/namespaces/selfheal/pingsources/by-hand' });

before(async () => {
  lab = await startLab();
  await lab.deploy('web', 'web', 2, 'demo', { app: 'web' });
  await lab.deploy('backend', 'database', 1, 'none', { app: 'database' });
  lab.sim.createService({ namespace: 'backend', name: 'database', selector: { app: 'database' }, ports: [{ port: 5432 }] });
  await lab.deploy('proxy', 'squid-primary', 1, 'proxy', { app: 'squid', role: 'primary' });
  await lab.deploy('proxy', 'squid-secondary', 1, 'proxy', { app: 'squid', role: 'secondary' });
  await lab.sim.settle();
  rules = [
    { name: 'web-http', kind: 'http', namespace: 'web', labelSelector: 'app=web', port: PORTS.demo, path: '/health' },
    { name: 'backend-dependencies', kind: 'dependency', namespace: 'backend', services: ['database'] },
    {
      name: 'squid-egress',
      kind: 'egress',
      namespace: 'proxy',
      service: 'squid',
      proxies: { primary: { selector: { app: 'squid', role: 'primary' } }, secondary: { selector: { app: 'squid', role: 'secondary' } } },
      urls: [`${lab.site.url}/`, `${lab.tlsSite.url}/`],
    },
  ];
});
after(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await lab.close();
});

async function start(fn: string, extra: Record<string, string> = {}): Promise<Child> {
  const { rulesFile, kubeconfig } = await lab.files(rules);
  const child = await startChild(`functions/${fn}/index.ts`, {
    RULES_FILE: rulesFile,
    KUBECONFIG: kubeconfig,
    K_SINK: lab.sink.url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...extra,
  });
  children.push(child);
  return child;
}

async function stop(child: Child): Promise<void> {
  child.proc.kill('SIGTERM');
  assert.equal(await child.exited, 0);
}

/** The run summaries logged so far, waiting (bounded) for the pipe to deliver `count` of them. */
async function summaryLines(child: Child, count: number): Promise<Array<Record<string, unknown>>> {
  const read = () => child.lines.filter((l) => l.includes('"check run finished"')).map((l) => JSON.parse(l) as Record<string, unknown>);
  for (let i = 0; i < 100 && read().length < count; i++) await sleep(20);
  return read();
}

const cases: Array<[string, string, number, Record<string, string>]> = [
  ['check-pods', 'web-http', 2, {}],
  ['check-dependencies', 'backend-dependencies', 1, {}],
  ['check-egress', 'squid-egress', 2, { EXTRA_CA_FILE: EXTERNAL_SITE_CA_PATH }],
];

for (const [fn, rule, expected, extra] of cases) {
  test(`${fn} runs as a process: a ping in either mode probes through the simulator and reports to K_SINK`, async () => {
    const child = await start(fn, extra);
    try {
      lab.sink.clear();
      const binary = await postBinary(child.url, ping(`${fn}-binary`), { rules: [rule] });
      assert.equal(binary.status, 202, binary.text);
      const structured = await postStructured(child.url, ping(`${fn}-structured`), { rules: [rule] });
      assert.equal(structured.status, 202, structured.text);
      const results = resultsOf(lab.sink, rule);
      assert.equal(results.length, expected * 2);
      assert.ok(results.every((r) => r.type === EventType.checkPassed), JSON.stringify(results.map((r) => r.data.probe)));
      assert.ok(results.every((r) => r.source === `/selfheal/${fn}/${rule}`));
      const summaries = await summaryLines(child, 2);
      assert.equal(summaries.length, 2);
      assert.equal(summaries[0]?.rules, rule);
      assert.equal(child.lines.find((l) => l.includes('"check run finished"'))?.match(/"rules":/g)?.length, 1);
      assert.equal(summaries[0]?.targets, expected);
      assert.equal(summaries[0]?.ceType, EventType.ping);
    } finally {
      await stop(child);
    }
  });
}

test('a check function without K_SINK refuses to start and says why', async () => {
  const { rulesFile, kubeconfig } = await lab.files(rules);
  await assert.rejects(
    startChild('functions/check-pods/index.ts', { RULES_FILE: rulesFile, KUBECONFIG: kubeconfig, K_SINK: '', PORT: '0', HOST: '127.0.0.1' }),
    /exited with 1 before listening:[\s\S]*K_SINK: check-pods has nowhere to send its results/,
  );
});

test('a failed check logs one warning per target naming the pod and its address, each key once', async () => {
  const child = await start('check-pods');
  const [pod] = lab.sim.listPods('web');
  assert.ok(pod);
  const app = lab.apps.get(pod.metadata.name)!;
  app.fail();
  try {
    const answer = await postBinary(child.url, ping('failing-address'), { rules: ['web-http'] });
    assert.equal(answer.status, 202, answer.text);
    let line: string | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      line = child.lines.find((l) => l.includes('check failed'));
      if (!line) await sleep(20);
    }
    assert.ok(line, child.lines.join('\n'));
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.equal(entry.address, `${pod.status.podIP}:${PORTS.demo}`, line);
    assert.equal(entry.target, `web/pod/${pod.metadata.name}`, line);
    // JSON.parse keeps the last of two equal keys; a line that names one twice says different things to different readers.
    assert.equal(line.match(/"rule":/g)?.length, 1, line);
  } finally {
    app.recover();
    await stop(child);
  }
});
