import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setStrings, t } from '../../../src/webview/parts/strings';

test('falls back to English and fills placeholders in order', () => {
  setStrings({});
  assert.equal(t('input.info', 'a.png', 640, 480), 'a.png — 640 × 480 px');
});

test('uses the host-localized text when there is one', () => {
  setStrings({ 'run.label': 'Ausführen', 'status.elapsed': '{0} Sek.' });
  assert.equal(t('run.label'), 'Ausführen');
  assert.equal(t('status.elapsed', 3), '3 Sek.');
  setStrings({});
});
