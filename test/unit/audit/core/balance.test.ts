/** How evenly the ranges of a run shared its keys, as the CLI and a distributed run's report say it. */
import { describeBalance, rangeBalance } from '../../../../lambda/audit/core';

test('the balance of ranges is the fewest and most keys any range held, and the mean', () => {
  expect(rangeBalance([4950, 5103, 5000, 4947])).toEqual({ ranges: 4, smallest: 4947, largest: 5103, mean: 5000 });
  expect(() => rangeBalance([])).toThrow(/no range/);
});

test('it is said with the largest range over the smallest and over the mean, thousands grouped', () => {
  expect(describeBalance(rangeBalance([4950, 5103, 5000, 4947]))).toBe(
    '4 ranges held 4,947 to 5,103 keys each (the largest 1.03x the smallest, 1.02x the mean)',
  );
});

test('a range that held nothing is named, not divided by', () => {
  expect(describeBalance(rangeBalance([0, 100, 200, 100]))).toBe(
    '4 ranges held 0 to 200 keys each (the largest 2.00x the mean; at least one held none)',
  );
  expect(describeBalance(rangeBalance([0, 0]))).toBe('2 ranges held 0 to 0 keys each (none held a key)');
});

test('one range is one count', () => {
  expect(describeBalance(rangeBalance([1234]))).toBe('1 range held 1,234 keys');
});
