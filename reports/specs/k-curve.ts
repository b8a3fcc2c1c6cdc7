// The k-selection curve: the model-selection score for each number of topics tried, with the
// chosen k marked, so a reader can see whether the choice was clear or a close call.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from '../model.ts';
import { BASE_CONFIG, CHART_WIDTH, SCHEMA, round } from './common.ts';

export function hasKCurve(model: ReportModel): boolean {
  return (model.facts.kCurve?.length ?? 0) > 0;
}

export function kCurveSpec(model: ReportModel): TopLevelSpec {
  const curve = model.facts.kCurve;
  if (!curve || curve.length === 0) throw new Error('kCurveSpec: facts.kCurve is missing or empty');
  const values = [...curve]
    .sort((a, b) => a.k - b.k)
    .map((p) => ({ k: p.k, score: round(p.score), chosen: p.k === model.facts.k ? 'chosen k' : 'tried' }));
  return {
    $schema: SCHEMA,
    title: { text: 'Choosing the number of topics', subtitle: `Selection score for each k tried; k = ${model.facts.k} was chosen` },
    description: `Line chart of the model-selection score against the number of topics k; the chosen k (${model.facts.k}) is marked.`,
    width: CHART_WIDTH - 240,
    height: 200,
    config: BASE_CONFIG,
    data: { values },
    layer: [
      {
        mark: { type: 'line', point: true, tooltip: true },
        encoding: {
          x: { field: 'k', type: 'quantitative', scale: { zero: false }, axis: { title: 'Number of topics (k)', tickMinStep: 1, format: 'd' } },
          y: { field: 'score', type: 'quantitative', scale: { zero: false }, axis: { title: 'Selection score' } },
          tooltip: [
            { field: 'k', type: 'quantitative', title: 'k' },
            { field: 'score', type: 'quantitative', title: 'Score', format: '.4f' },
          ],
        },
      },
      {
        transform: [{ filter: { field: 'chosen', equal: 'chosen k' } }],
        mark: { type: 'rule', color: '#D55E00', strokeDash: [4, 3] },
        encoding: { x: { field: 'k', type: 'quantitative' } },
      },
    ],
  };
}
