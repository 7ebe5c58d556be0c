import test from 'ava';
import { PktLineError, readPktLines } from '../../../../../controller/adapters/git/pkt-line.ts';

/** Reads at most 8 packets: a reader that loops without end must not hang the test. */
async function firstPackets(bytes: string) {
  const out: (Buffer | string)[] = [];
  async function* body() { yield Buffer.from(bytes, 'latin1'); }
  for await (const packet of readPktLines(body())) {
    out.push(packet);
    if (out.length >= 8) break;
  }
  return out;
}

const refused = test.macro({
  async exec(t, bytes: string) {
    await t.throwsAsync(firstPackets(bytes), { instanceOf: PktLineError });
  },
  title: (given, bytes: string) => given || `the length ${JSON.stringify(bytes.slice(0, 4))} is refused`,
});

// parseInt alone reads "-001" as -1 (the reader then stepped backwards forever) and "1zzz" as 1.
test(refused, '-001abcdef');
test(refused, '1zzz');
test(refused, '+fffabc');
test(refused, ' 00a');
test(refused, '0003');
test('a stream that ends inside a packet is refused', refused, '0010abc');

test('well-formed packets and specials are read', async (t) => {
  t.deepEqual((await firstPackets('0008abcd0000000100020005x')).map((p) => (typeof p === 'string' ? p : p.toString())), ['abcd', 'flush', 'delim', 'response-end', 'x']);
});
