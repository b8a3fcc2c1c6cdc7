// Top terms per topic: small bar charts (one panel per topic, top 8 terms by c-TF-IDF weight)
// for the top N topics. Each panel has its own term axis, since topics share few terms.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from '../model.ts';
import { BASE_CONFIG, SCHEMA, resolveTopN, round, topicLegend, type ChartOptions } from './common.ts';

export const TERMS_PER_TOPIC = 8;

export function topTermsSpec(model: ReportModel, options?: ChartOptions): TopLevelSpec {
  const legend = topicLegend(model, resolveTopN(options));
  const values = legend.top.flatMap((topic, rank) =>
    topic.topTerms.slice(0, TERMS_PER_TOPIC).map((t, termRank) => ({
      topic: legend.nameOf(topic.id),
      rank,
      term: t.term,
      termRank,
      weight: round(t.weight),
    })),
  );
  return {
    $schema: SCHEMA,
    title: { text: 'Top terms per topic', subtitle: `The ${TERMS_PER_TOPIC} most distinctive terms (c-TF-IDF weight) of the ${legend.top.length} largest topics` },
    description: `Bar charts, one per topic, of the ${TERMS_PER_TOPIC} terms that best distinguish the topic from the others.`,
    config: BASE_CONFIG,
    data: { values },
    facet: {
      field: 'topic',
      type: 'nominal',
      sort: legend.domain,
      header: { title: null, labelFontWeight: 'bold', labelAnchor: 'start' },
    },
    columns: 3,
    spec: {
      width: 150,
      height: { step: 14 },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'term', type: 'nominal', sort: { field: 'termRank', order: 'ascending' }, axis: { title: 'Term' } },
        x: { field: 'weight', type: 'quantitative', axis: { title: 'Weight', tickCount: 3 } },
        color: { field: 'topic', type: 'nominal', scale: { domain: legend.domain, range: legend.range }, legend: null },
        tooltip: [
          { field: 'topic', type: 'nominal', title: 'Topic' },
          { field: 'term', type: 'nominal', title: 'Term' },
          { field: 'weight', type: 'quantitative', title: 'Weight', format: '.4f' },
        ],
      },
    },
    resolve: { scale: { y: 'independent', x: 'independent' } },
  };
}
