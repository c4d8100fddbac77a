import type { EChartsOption } from 'echarts';
import type { Schemas } from '../../api/client';
import { formatCount, formatMoney, formatRatio } from '../../format';

// The dashboard's chart options, built from the reports' answers. Amounts reach ECharts as yuan
// numbers only to place bars and slices; every figure a person reads (labels, tooltips) is
// formatted from the API's minor-unit strings with bigint arithmetic.

export type Translate = (key: string, options?: Record<string, unknown>) => string;

export const buckets = ['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7'] as const;
export const monthEndStates = [...buckets, 'paid_off', 'written_off'] as const;

const palette = ['#1f5fbf', '#36a3f7', '#13c2c2', '#52c41a', '#faad14', '#fa8c16', '#f5222d', '#722ed1'];
const bucketColours = [
  '#52c41a',
  '#fadb14',
  '#faad14',
  '#fa8c16',
  '#fa541c',
  '#f5222d',
  '#cf1322',
  '#820014',
];

/** Minor units to yuan, for a chart's geometry only (never shown as such). */
const yuan = (minor: string) => Number(BigInt(minor)) / 100;

/** "3.12%" from a four-place ratio; percentage points as a number for a chart's axis. */
const points = (ratio: string) => Math.round(Number(ratio) * 10_000) / 100;

const axisMoney = (value: number) =>
  Math.abs(value) >= 10_000 ? `${formatCount(Math.round(value / 10_000))}万` : formatCount(Math.round(value));

const grid = { left: 12, right: 16, top: 36, bottom: 8, containLabel: true } as const;

export function bucketLabel(t: Translate, bucket: string): string {
  return t(`dashboard:bucket.${bucket}`);
}

export function funnelOption(t: Translate, report: Schemas['FunnelReport']): EChartsOption {
  const count = (stage: string) => report.stages.find((s) => s.stage === stage)?.count ?? 0;
  const stages = ['applications', 'approved', 'orders', 'accepted', 'disbursed'];
  const top = Math.max(1, ...stages.map(count));
  return {
    color: palette,
    tooltip: { trigger: 'item', formatter: '{b}: {c}' },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: '8%',
        right: '8%',
        top: 8,
        bottom: 8,
        min: 0,
        max: top,
        minSize: '12%',
        gap: 2,
        label: { show: true, position: 'inside', formatter: '{b}  {c}', color: '#fff' },
        data: stages.map((stage) => ({ name: t(`dashboard:funnel.${stage}`), value: count(stage) })),
      },
    ],
  };
}

export function bucketOption(t: Translate, report: Schemas['PortfolioReport']): EChartsOption {
  const rows = buckets.map(
    (bucket) =>
      report.byBucket.find((row) => row.bucket === bucket) ?? {
        bucket,
        loans: 0,
        principalMinor: '0',
        share: '0.0000',
      },
  );
  return {
    grid,
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const first = (params as { dataIndex: number }[])[0];
        const row = first === undefined ? undefined : rows[first.dataIndex];
        if (row === undefined) return '';
        return [
          `<b>${bucketLabel(t, row.bucket)}</b>`,
          `${t('dashboard:chart.principal')}: ${formatMoney(row.principalMinor)}`,
          `${t('dashboard:chart.loans')}: ${formatCount(row.loans)}`,
          `${t('dashboard:chart.share')}: ${formatRatio(row.share)}`,
        ].join('<br/>');
      },
    },
    xAxis: { type: 'category', data: rows.map((row) => row.bucket) },
    yAxis: { type: 'value', axisLabel: { formatter: axisMoney } },
    series: [
      {
        type: 'bar',
        name: t('dashboard:chart.principal'),
        barMaxWidth: 48,
        data: rows.map((row, index) => ({
          value: yuan(row.principalMinor),
          itemStyle: { color: bucketColours[index] },
        })),
        label: {
          show: true,
          position: 'top',
          formatter: (p: unknown) => {
            const row = rows[(p as { dataIndex: number }).dataIndex];
            return row === undefined || row.loans === 0 ? '' : formatRatio(row.share, 1);
          },
        },
      },
    ],
  };
}

export function vintageOption(t: Translate, report: Schemas['VintagesReport']): EChartsOption {
  const cohorts = report.cohorts.filter((cohort) => cohort.points.length > 0);
  const longest = Math.max(1, ...cohorts.map((cohort) => cohort.points.length));
  return {
    color: palette,
    grid: { ...grid, top: 48, bottom: 28 },
    legend: { type: 'scroll', top: 0 },
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const list = params as { seriesIndex: number; dataIndex: number; marker: string }[];
        const mob = list[0] === undefined ? '' : String(list[0].dataIndex + 1);
        const lines = list.flatMap((item) => {
          const cohort = cohorts[item.seriesIndex];
          const point = cohort?.points[item.dataIndex];
          if (cohort === undefined || point === undefined) return [];
          return [
            `${item.marker}${cohort.month}: ${formatRatio(point.m1PlusRate)} (${formatMoney(point.m1PlusPrincipalMinor)})`,
          ];
        });
        return [`<b>${t('dashboard:vintage.mob', { mob })}</b>`, ...lines].join('<br/>');
      },
    },
    xAxis: {
      type: 'category',
      name: t('dashboard:vintage.xAxis'),
      nameLocation: 'middle',
      nameGap: 26,
      boundaryGap: false,
      data: Array.from({ length: longest }, (_, index) => String(index + 1)),
    },
    yAxis: { type: 'value', axisLabel: { formatter: '{value}%' }, min: 0 },
    series: cohorts.map((cohort) => ({
      type: 'line',
      name: cohort.month,
      symbolSize: 6,
      data: cohort.points.map((point) => points(point.m1PlusRate)),
    })),
  };
}

export function rollRateOption(
  t: Translate,
  month: Schemas['RollRatesReport']['months'][number],
): EChartsOption {
  const from = buckets.filter((bucket) =>
    month.fromTotals.some((total) => total.bucket === bucket && total.loans > 0),
  );
  const data = month.matrix.flatMap((cell) => {
    const y = from.indexOf(cell.from);
    const x = (monthEndStates as readonly string[]).indexOf(cell.to);
    return y < 0 || x < 0 ? [] : [[x, y, points(cell.rate), cell.loans]];
  });
  const toLabel = (state: string) => (state.startsWith('M') ? state : t(`dashboard:roll.${state}`));
  return {
    grid: { ...grid, top: 8, bottom: 24 },
    tooltip: {
      formatter: (p: unknown) => {
        const [x = 0, y = 0, rate = 0, loans = 0] = (p as { value: number[] }).value;
        return `${from[y]} → ${toLabel(monthEndStates[x] ?? '')}<br/>${rate.toFixed(2)}% · ${t(
          'dashboard:roll.loans',
          { count: loans },
        )}`;
      },
    },
    xAxis: {
      type: 'category',
      data: monthEndStates.map(toLabel),
      splitArea: { show: true },
      axisLabel: { interval: 0 },
    },
    yAxis: { type: 'category', data: [...from], inverse: true, splitArea: { show: true } },
    visualMap: {
      show: false,
      dimension: 2,
      min: 0,
      max: 100,
      inRange: { color: ['#e6f4ff', '#69b1ff', '#1f5fbf'] },
    },
    series: [
      {
        type: 'heatmap',
        data,
        label: {
          show: true,
          color: '#000',
          textBorderColor: '#fff',
          textBorderWidth: 2,
          formatter: (p: unknown) => `${(p as { value: number[] }).value[2]}%`,
        },
        emphasis: { itemStyle: { shadowBlur: 6, shadowColor: 'rgba(0,0,0,0.3)' } },
      },
    ],
  };
}

export function disbursementOption(
  t: Translate,
  rows: { label: string; loans: number; amountMinor: string }[],
): EChartsOption {
  return {
    color: ['#1f5fbf', '#fa8c16'],
    grid: { ...grid, top: 40 },
    legend: { top: 0 },
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const first = (params as { dataIndex: number }[])[0];
        const row = first === undefined ? undefined : rows[first.dataIndex];
        if (row === undefined) return '';
        return [
          `<b>${row.label}</b>`,
          `${t('dashboard:chart.amount')}: ${formatMoney(row.amountMinor)}`,
          `${t('dashboard:chart.loans')}: ${formatCount(row.loans)}`,
        ].join('<br/>');
      },
    },
    xAxis: { type: 'category', data: rows.map((row) => row.label) },
    yAxis: [
      { type: 'value', axisLabel: { formatter: axisMoney } },
      { type: 'value', minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      {
        type: 'bar',
        name: t('dashboard:chart.amount'),
        barMaxWidth: 24,
        data: rows.map((row) => yuan(row.amountMinor)),
      },
      {
        type: 'line',
        name: t('dashboard:chart.loans'),
        yAxisIndex: 1,
        symbolSize: 4,
        data: rows.map((row) => row.loans),
      },
    ],
  };
}

export function funderOption(t: Translate, report: Schemas['FundersReport']): EChartsOption {
  const funders = report.funders.filter((funder) => funder.outstandingPrincipalMinor !== '0');
  return {
    color: palette,
    legend: { type: 'scroll', bottom: 0 },
    tooltip: {
      trigger: 'item',
      formatter: (p: unknown) => {
        const funder = funders[(p as { dataIndex: number }).dataIndex];
        if (funder === undefined) return '';
        return [
          `<b>${funder.name}</b>`,
          `${t('dashboard:chart.principal')}: ${formatMoney(funder.outstandingPrincipalMinor)}`,
          `${t('dashboard:chart.share')}: ${formatRatio(funder.share)}`,
          `${t('dashboard:chart.loans')}: ${formatCount(funder.loans)}`,
        ].join('<br/>');
      },
    },
    series: [
      {
        type: 'pie',
        radius: ['40%', '68%'],
        center: ['50%', '45%'],
        label: {
          formatter: (p: unknown) => {
            const funder = funders[(p as { dataIndex: number }).dataIndex];
            return funder === undefined ? '' : `${funder.name}\n${formatRatio(funder.share)}`;
          },
        },
        data: funders.map((funder) => ({ name: funder.name, value: yuan(funder.outstandingPrincipalMinor) })),
      },
    ],
  };
}
