import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initEngine } from '../../server/src/engine/backend';
import { fitTemperature, TEMPERATURE_GRID } from '../../server/src/cli/commands/calibrate';
import { TINY_DATA, tinyModel } from './helpers/tinyTagger';

test('the fitted temperature lowers the log loss of the confidences, and leaves the model at its temperature', async () => {
  await initEngine({ backend: 'cpu' });
  const model = tinyModel();
  try {
    // An untrained tiny model's confidences on the tiny data: whatever they are, the best grid temperature is
    // at least as good as 1, and strictly better unless 1 is on the grid's optimum.
    const fit = fitTemperature(model, TINY_DATA);
    assert.ok(TEMPERATURE_GRID.includes(fit.temperature) || fit.temperature === 1);
    assert.ok(fit.fitted.logLoss <= fit.uncalibrated.logLoss);
    assert.equal(fit.fitted.predictions, fit.uncalibrated.predictions);
    // A grid of one temperature far from 1 that is worse is not taken.
    const worse = fitTemperature(model, TINY_DATA, [100]);
    if (worse.fitted.logLoss > fit.uncalibrated.logLoss) assert.equal(worse.temperature, 1);
    assert.equal(model.temperature, 1);
  } finally {
    model.dispose();
  }
});
