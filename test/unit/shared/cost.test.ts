import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateCost, formatReportedCost, formatUsd } from '../../../src/shared/cost';

test('estimates price × images without float artifacts', () => {
  assert.equal(estimateCost(0.133, 3), 0.399);
  assert.equal(estimateCost(0.1, 3), 0.3);
  assert.equal(estimateCost(0, 4), 0);
});

test('formats dollars with two to three decimals', () => {
  assert.equal(formatUsd(0.133), '$0.133');
  assert.equal(formatUsd(0.5), '$0.50');
  assert.equal(formatUsd(1.2345), '$1.235');
  assert.equal(formatUsd(12), '$12.00');
});

test("formats Runflow's reported cost, keeping text that is not a number", () => {
  assert.equal(formatReportedCost('0.266'), '$0.266');
  assert.equal(formatReportedCost('n/a'), 'n/a');
  assert.equal(formatReportedCost(''), '');
});
