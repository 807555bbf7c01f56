// The command line of npm start: flags, --speed values, and the one message bad arguments get.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../../shared/dev/stack/args.ts';

test('defaults, flags and both spellings of --speed', () => {
  assert.deepEqual(parseArgs([]), { simulate: false, speed: 1, help: false, portBase: undefined, fresh: false });
  assert.deepEqual(parseArgs(['--simulate', '--speed', '10', '--fresh']), { simulate: true, speed: 10, help: false, portBase: undefined, fresh: true });
  assert.equal(parseArgs(['--port-base', '8080']).portBase, 8080);
  assert.throws(() => parseArgs(['--port-base', '80']), /--port-base needs a port from 1024 to 65530, got "80"/);
  assert.equal(parseArgs(['--speed=2.5']).speed, 2.5);
  assert.equal(parseArgs(['--help']).help, true);
});

test('bad arguments say what is wrong', () => {
  assert.throws(() => parseArgs(['--speed']), (e: unknown) => e instanceof UsageError && /needs a number/.test(e.message));
  assert.throws(() => parseArgs(['--speed', '0']), /positive number, got "0"/);
  assert.throws(() => parseArgs(['--speed', 'fast']), /positive number, got "fast"/);
  assert.throws(() => parseArgs(['--simulat']), /unknown argument "--simulat"/);
  assert.throws(() => parseArgs(['--simulate=yes']), /takes no value/);
  assert.throws(() => parseArgs(['--fresh=1']), /--fresh takes no value/);
});
