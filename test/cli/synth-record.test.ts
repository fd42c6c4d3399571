import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The module object the recording patches (an `import * as` binding is a copy). */
const nodeFs = require('node:fs') as { openSync: typeof fs.openSync };
const { startRecording } = require('../../src/cli/synth-record.js') as {
  startRecording(options: { ignore: (file: string) => boolean }): { stop(): void; record(key: unknown): { reads: string[][] } };
};

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-record-test-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('what a synth read (src/cli/synth-record.js)', () => {
  test('a file read without an encoding is opened twice: by the synth and once for its fingerprint', () => {
    // Node's readFileSync opens through fs.openSync, which the recording patches: the fingerprint's own read must not be
    // taken for the synth's, or each first read fingerprints the file again, once per stack frame (~1,600 reads)
    const file = path.join(tmp, 'input.json');
    fs.writeFileSync(file, '{"a":1}');
    const original = nodeFs.openSync;
    let opens = 0;
    nodeFs.openSync = ((...args: Parameters<typeof fs.openSync>) => {
      opens++;
      return original(...args);
    }) as typeof fs.openSync;
    try {
      const recording = startRecording({ ignore: () => false });
      try {
        expect(fs.readFileSync(file).toString()).toBe('{"a":1}');
      } finally {
        recording.stop();
      }
      expect(opens).toBe(2);
      expect(recording.record({}).reads).toStrictEqual([['content', file, expect.stringMatching(/^file:[0-9a-f]{64}$/)]]);
    } finally {
      nodeFs.openSync = original;
    }
  });
});
