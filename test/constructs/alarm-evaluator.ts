// A small evaluator of synthesized CloudWatch alarms (AWS::CloudWatch::Alarm), for the metric
// math this project's alarms use, following "Metric math syntax and functions" (CloudWatch User
// Guide, using-metric-math.html):
// - arithmetic: missing values in a time series are treated as 0 (both missing: no value);
// - comparison and logical operators between two time series: a value missing in one of them
//   is treated as 0; a time series against a scalar yields a value where the series has one;
// - FILL(TS, S) fills the missing values of the series over the evaluated range;
// - IF(cond, a, b): per timestamp of cond; true takes a (a missing point of a series is 0),
//   false takes b, dropped when b is a series without that point or omitted; a missing
//   condition point is dropped.
// Alarm state (AlarmThatSendsEmail.html, "Evaluating an alarm"): a new alarm is
// INSUFFICIENT_DATA; each minute the last EvaluationPeriods datapoints are judged, missing ones
// as TreatMissingData says, and DatapointsToAlarm breaching ones make ALARM.

/** A metric an alarm reads, as synthesized. */
export interface MetricQuery {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
  readonly period: number;
}

/** The world's datapoint of one metric in one minute, or undefined when none was published. */
export type Feed = (query: MetricQuery, minute: number) => number | undefined;

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

type Series = (number | undefined)[];
type Value = number | Series;

interface CfnMetricDataQuery {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: {
    Metric: {
      Namespace: string;
      MetricName: string;
      Dimensions?: { Name: string; Value: string }[];
    };
    Period: number;
    Stat: string;
  };
}

/** The properties of a synthesized alarm that decide its state. */
export interface CfnAlarmProperties {
  AlarmName?: string;
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name: string; Value: string }[];
  Statistic?: string;
  Period?: number;
  Metrics?: CfnMetricDataQuery[];
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  TreatMissingData?: string;
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  GreaterThanThreshold: (a, b) => a > b,
  GreaterThanOrEqualToThreshold: (a, b) => a >= b,
  LessThanThreshold: (a, b) => a < b,
  LessThanOrEqualToThreshold: (a, b) => a <= b,
};

/** Extra minutes fetched before the evaluated ones, as CloudWatch fetches more than it judges. */
const LOOKBACK = 3;

/** One synthesized alarm, evaluated minute by minute against a feed. */
export class AlarmModel {
  private readonly queries: Map<string, CfnMetricDataQuery>;
  private readonly returned: string;
  state: AlarmState = 'INSUFFICIENT_DATA';

  constructor(readonly props: CfnAlarmProperties) {
    if (props.Metrics) {
      this.queries = new Map(props.Metrics.map((m) => [m.Id, m]));
      const returned = props.Metrics.filter((m) => m.ReturnData !== false);
      if (returned.length !== 1) throw new Error('an alarm returns exactly one time series');
      this.returned = returned[0].Id;
    } else {
      const single: CfnMetricDataQuery = {
        Id: 'm',
        MetricStat: {
          Metric: {
            Namespace: props.Namespace!,
            MetricName: props.MetricName!,
            Dimensions: props.Dimensions,
          },
          Period: props.Period!,
          Stat: props.Statistic!,
        },
      };
      this.queries = new Map([['m', single]]);
      this.returned = 'm';
    }
    const compare = COMPARE[props.ComparisonOperator];
    if (!compare) throw new Error(`unsupported ComparisonOperator ${props.ComparisonOperator}`);
  }

  /** The alarm's own time series over minutes [from, to]. */
  series(feed: Feed, from: number, to: number): Series {
    const minutes = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const cache = new Map<string, Value>();
    const resolve = (id: string): Value => {
      const cached = cache.get(id);
      if (cached !== undefined) return cached;
      const query = this.queries.get(id);
      if (!query) throw new Error(`unknown id ${id}`);
      const value = query.MetricStat
        ? minutes.map((t) => feed(toQuery(query.MetricStat!), t))
        : evaluate(parse(query.Expression!), resolve, minutes.length);
      cache.set(id, value);
      return value;
    };
    const result = resolve(this.returned);
    if (typeof result === 'number') throw new Error('an alarm expression must give a time series');
    return result;
  }

  /** Evaluates the alarm after minute t; returns the new state. */
  evaluate(feed: Feed, t: number): AlarmState {
    const n = this.props.EvaluationPeriods;
    const m = this.props.DatapointsToAlarm ?? n;
    const window = this.series(feed, t - n + 1 - LOOKBACK, t).slice(-n);
    const compare = COMPARE[this.props.ComparisonOperator];
    const treat = this.props.TreatMissingData ?? 'missing';
    const missing = window.filter((v) => v === undefined).length;
    if (missing === n && treat === 'missing') return (this.state = 'INSUFFICIENT_DATA');
    if (missing === n && treat === 'ignore') return this.state;
    const breaching = window.filter((v) =>
      v === undefined ? treat === 'breaching' : compare(v, this.props.Threshold),
    ).length;
    return (this.state = breaching >= m ? 'ALARM' : 'OK');
  }
}

function toQuery(stat: NonNullable<CfnMetricDataQuery['MetricStat']>): MetricQuery {
  return {
    namespace: stat.Metric.Namespace,
    metricName: stat.Metric.MetricName,
    dimensions: Object.fromEntries((stat.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value])),
    stat: stat.Stat,
    period: stat.Period,
  };
}

// ---- expressions -------------------------------------------------------------------------

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'id'; name: string }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'unary'; op: string; arg: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node };

const TOKEN = /\s*(\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|==|!=|<=|>=|&&|\|\||[-+*/^<>(),])/y;

/** Parses the subset of metric math the evaluator knows (operators, FILL, IF). */
export function parse(expression: string): Node {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.trimEnd().length) {
    const match = TOKEN.exec(expression);
    if (!match) throw new Error(`cannot parse ${expression} at ${TOKEN.lastIndex}`);
    tokens.push(match[1]);
  }
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expect = (t: string) => {
    if (next() !== t) throw new Error(`expected ${t} in ${expression}`);
  };
  const levels: string[][] = [
    ['OR', '||'],
    ['AND', '&&'],
    ['==', '!=', '<=', '>=', '<', '>'],
    ['+', '-'],
    ['*', '/'],
    ['^'],
  ];
  const binary = (level: number): Node => {
    if (level === levels.length) return unary();
    let left = binary(level + 1);
    while (levels[level].includes(peek())) {
      const op = next();
      left = {
        kind: 'binary',
        op: op === '&&' ? 'AND' : op === '||' ? 'OR' : op,
        left,
        right: binary(level + 1),
      };
    }
    return left;
  };
  const unary = (): Node => {
    if (peek() === '-') {
      next();
      return { kind: 'unary', op: '-', arg: unary() };
    }
    return primary();
  };
  const primary = (): Node => {
    const t = next();
    if (t === undefined) throw new Error(`unexpected end of ${expression}`);
    if (t === '(') {
      const inner = binary(0);
      expect(')');
      return inner;
    }
    if (/^\d/.test(t)) return { kind: 'number', value: Number(t) };
    if (peek() === '(') {
      next();
      const args: Node[] = [];
      if (peek() !== ')') {
        args.push(binary(0));
        while (peek() === ',') {
          next();
          args.push(binary(0));
        }
      }
      expect(')');
      return { kind: 'call', name: t, args };
    }
    return { kind: 'id', name: t };
  };
  const tree = binary(0);
  if (i !== tokens.length) throw new Error(`trailing tokens in ${expression}`);
  return tree;
}

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '^': (a, b) => a ** b,
};
const LOGICAL: Record<string, (a: number, b: number) => boolean> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<=': (a, b) => a <= b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '>': (a, b) => a > b,
  AND: (a, b) => a !== 0 && b !== 0,
  OR: (a, b) => a !== 0 || b !== 0,
};

/** Evaluates a parsed expression; `resolve` gives the series of an id. */
export function evaluate(node: Node, resolve: (id: string) => Value, length: number): Value {
  const ev = (n: Node) => evaluate(n, resolve, length);
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'id':
      return resolve(node.name);
    case 'unary': {
      const v = ev(node.arg);
      return typeof v === 'number' ? -v : v.map((x) => (x === undefined ? x : -x));
    }
    case 'binary': {
      const fn =
        node.op in ARITHMETIC
          ? ARITHMETIC[node.op]
          : (a: number, b: number) => (LOGICAL[node.op](a, b) ? 1 : 0);
      return pointwise(ev(node.left), ev(node.right), fn);
    }
    case 'call':
      if (node.name === 'FILL') {
        const [series, filler] = node.args.map(ev);
        if (typeof series === 'number' || typeof filler !== 'number') {
          throw new Error('the evaluator knows FILL(TS, S) only');
        }
        return series.map((x) => x ?? filler);
      }
      if (node.name === 'IF') {
        const [cond, a, b] = node.args.map(ev);
        if (typeof cond === 'number') throw new Error('the evaluator knows IF(TS, ...) only');
        return cond.map((c, t) => {
          if (c === undefined) return undefined;
          if (c !== 0) return typeof a === 'number' ? a : (a[t] ?? 0);
          if (b === undefined) return undefined;
          return typeof b === 'number' ? b : b[t];
        });
      }
      throw new Error(`the evaluator does not know ${node.name}`);
  }
}

function pointwise(a: Value, b: Value, fn: (x: number, y: number) => number): Value {
  const drop = (v: number) => (Number.isFinite(v) ? v : undefined); // divide by zero: dropped
  if (typeof a === 'number' && typeof b === 'number') return fn(a, b);
  if (typeof a === 'number')
    return (b as Series).map((y) => (y === undefined ? y : drop(fn(a, y))));
  if (typeof b === 'number') return a.map((x) => (x === undefined ? x : drop(fn(x, b))));
  return a.map((x, t) => {
    const y = b[t];
    if (x === undefined && y === undefined) return undefined;
    return drop(fn(x ?? 0, y ?? 0));
  });
}
