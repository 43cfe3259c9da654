import test from 'ava';
import { createRequire } from 'node:module';

// `npm ci`'s prepare step (build/ssh2-binding.js) rebuilds ssh2's native crypto binding for the
// Node that runs tsplay when ssh2's own install built it for another one (npm under the system's
// Node 20, tsplay under the `node` package's 24). Without it every SSH packet goes through ssh2's
// JavaScript AES-GCM, which creates a cipher object per packet: about an eighth more controller
// CPU at 10 hosts (bench/RESULTS.md).
test('ssh2 loads its native crypto binding under the running Node', (t) => {
  const crypto = createRequire(import.meta.url)('ssh2/lib/protocol/crypto.js') as { bindingAvailable: boolean };
  t.true(crypto.bindingAvailable, `ssh2's binding does not load under Node ${process.version}: run npm ci (or node build/ssh2-binding.js)`);
});
