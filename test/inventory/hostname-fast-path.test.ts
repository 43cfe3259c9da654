// parseAddress checks an all-ASCII name with a plain pattern instead of the Unicode one (start-up
// cost): over every name of up to 4 characters from an alphabet with each kind of ASCII character
// the patterns treat differently, both must give the same answer.
import test from 'ava';
import { isHostname } from '../../engine/inventory/address.ts';

test('the ASCII hostname pattern accepts exactly what the Unicode one accepts on ASCII names', (t) => {
  const alphabet = ['a', 'Z', '7', '_', '-', '.'];
  let names = [''];
  let checked = 0;
  let accepted = 0;
  for (let len = 1; len <= 4; len++) {
    names = names.flatMap((n) => alphabet.map((c) => n + c));
    for (const n of names) {
      const full = isHostname(n, true);
      if (isHostname(n) !== full) t.fail(`${JSON.stringify(n)}: fast ${!full}, full ${full}`);
      checked++;
      if (full) accepted++;
    }
  }
  t.is(checked, 6 + 36 + 216 + 1296);
  // both answers occur, so the comparison could fail either way
  t.true(accepted > 100 && accepted < checked - 100, `${accepted} of ${checked} accepted`);
  t.false(isHostname('a_'));
  t.true(isHostname('hv1.lab'));
});
