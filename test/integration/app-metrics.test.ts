import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type Dimension,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import { randomBytes } from 'node:crypto';
import { AppMetrics } from '../../src/bot/app-metrics.js';
import type { Logger } from '../../src/core/logger.js';
import { deliver, settled, startApp, type AppProcess } from '../support/app-process.js';
import { testAwsConfig } from '../support/aws.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { eventually } from '../support/eventually.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';
import { setUpPreviewFixture, type PreviewFixture } from '../support/preview-fixture.js';

const NAMESPACE = 'EcsPaas';
const PERIOD_SECONDS = 60;

let moto: Moto;
let proxy: FaultProxy;
/** What AppMetrics publishes through: the fault proxy, one attempt so faults are not retried away. */
let cloudwatch: CloudWatchClient;
/** What the tests read back with: moto itself, so injected faults never touch the assertions. */
let reader: CloudWatchClient;
let clock: Date;
let warnings: string[];
let metrics: AppMetrics;

function recordingLogger(): Logger {
  return {
    info: () => undefined,
    warning: (message) => void warnings.push(message),
    debug: () => undefined,
    group: (_title, work) => work(),
    secret: () => undefined,
  };
}

function repository(repo: string): Dimension[] {
  return [{ Name: 'Repository', Value: repo }];
}

/** The `stat` of one series over the minute the pinned clock points at, or undefined when empty. */
async function statistic(
  metricName: string,
  dimensions: Dimension[],
  unit: StandardUnit,
  stat: 'Sum' | 'Maximum' | 'SampleCount' = 'Sum',
): Promise<number | undefined> {
  const { MetricDataResults } = await reader.send(
    new GetMetricDataCommand({
      StartTime: clock,
      EndTime: new Date(clock.getTime() + PERIOD_SECONDS * 1000),
      MetricDataQueries: [
        {
          Id: 'q',
          MetricStat: {
            Metric: { Namespace: NAMESPACE, MetricName: metricName, Dimensions: dimensions },
            Period: PERIOD_SECONDS,
            Stat: stat,
            Unit: unit,
          },
        },
      ],
    }),
  );
  const values = MetricDataResults?.[0]?.Values ?? [];
  return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0);
}

/** Every dimension set published for `metricName`, as sorted `Name=Value` lists. */
async function dimensionSets(metricName: string): Promise<string[]> {
  const sets = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await reader.send(
      new ListMetricsCommand({ Namespace: NAMESPACE, MetricName: metricName, NextToken }),
    );
    for (const metric of page.Metrics ?? []) {
      const pairs = (metric.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).sort();
      sets.add(pairs.join(','));
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return [...sets].sort();
}

beforeAll(async () => {
  // Previews wait for their task and DNS, not a service; 1 keeps moto's services honest anyway.
  moto = await startMoto({ servicesRunning: 1 });
  proxy = await startFaultProxy(moto.url);
  cloudwatch = new CloudWatchClient({
    ...testAwsConfig(proxy.url),
    maxAttempts: 1,
    // The SDK gzips PutMetricData bodies over 10 KB; moto_server 5.2.1 then decompresses them twice
    // and answers 500 (real CloudWatch takes them), so the 1000-datum requests go uncompressed.
    disableRequestCompression: true,
  });
  reader = new CloudWatchClient(testAwsConfig(moto.url));
});

afterAll(async () => {
  cloudwatch?.destroy();
  reader?.destroy();
  await proxy?.stop();
  await moto?.stop();
});

beforeEach(() => {
  // A few minutes back, on a minute boundary: reading only that minute proves the datums carry
  // the injected clock's time rather than the moment they were sent.
  clock = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000);
  warnings = [];
  metrics = new AppMetrics(() => Promise.resolve(cloudwatch), recordingLogger(), {
    now: () => clock,
  });
});

afterEach(async () => {
  await metrics.settled();
  proxy.clear();
  proxy.resetCounts();
  await moto.reset();
});

describe('AppMetrics', () => {
  it('counts launches per repository with their total launch time in seconds', async () => {
    metrics.launched('octo/web', 42);
    metrics.launched('octo/web', 18.5);
    metrics.launched('octo/api', 7);
    metrics.launchFailed('octo/web');
    await metrics.settled();

    expect(await statistic('Launches', repository('octo/web'), 'Count')).toBe(2);
    expect(await statistic('Launches', repository('octo/api'), 'Count')).toBe(1);
    expect(await statistic('LaunchSeconds', repository('octo/web'), 'Seconds')).toBe(60.5);
    expect(await statistic('LaunchSeconds', repository('octo/web'), 'Seconds', 'Maximum')).toBe(42);
    expect(await statistic('LaunchSeconds', repository('octo/api'), 'Seconds')).toBe(7);
    expect(await statistic('LaunchFailures', repository('octo/web'), 'Count')).toBe(1);
    expect(await statistic('LaunchFailures', repository('octo/api'), 'Count')).toBeUndefined();
    expect(await dimensionSets('Launches')).toEqual(['Repository=octo/api', 'Repository=octo/web']);
    expect(warnings).toEqual([]);
  });

  it('still counts a launch whose duration is not a number, and says why the time is missing', async () => {
    metrics.launched('octo/web', Number.NaN);
    await metrics.settled();

    expect(await statistic('Launches', repository('octo/web'), 'Count')).toBe(1);
    expect(await dimensionSets('LaunchSeconds')).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('LaunchSeconds')]);
  });

  it('counts teardowns per repository and reason', async () => {
    metrics.tornDown('octo/web', 'closed');
    metrics.tornDown('octo/web', 'closed');
    metrics.tornDown('octo/web', 'idle', 3);
    metrics.tornDown('octo/api', 'command');
    metrics.tornDown('octo/api', 'orphan', 2);
    await metrics.settled();

    const teardowns = (repo: string, reason: string): Promise<number | undefined> =>
      statistic('Teardowns', [...repository(repo), { Name: 'Reason', Value: reason }], 'Count');
    expect(await teardowns('octo/web', 'closed')).toBe(2);
    expect(await teardowns('octo/web', 'idle')).toBe(3);
    expect(await teardowns('octo/web', 'command')).toBeUndefined();
    expect(await teardowns('octo/api', 'command')).toBe(1);
    expect(await teardowns('octo/api', 'orphan')).toBe(2);
    expect(await dimensionSets('Teardowns')).toEqual([
      'Reason=closed,Repository=octo/web',
      'Reason=command,Repository=octo/api',
      'Reason=idle,Repository=octo/web',
      'Reason=orphan,Repository=octo/api',
    ]);
  });

  it('publishes active previews per repository, zeros included, and as a fleet total', async () => {
    metrics.activePreviews(
      new Map([
        ['octo/web', 3],
        ['octo/api', 2],
        ['octo/docs', 0],
      ]),
    );
    await metrics.settled();

    expect(await dimensionSets('ActivePreviews')).toEqual([
      '',
      'Repository=octo/api',
      'Repository=octo/docs',
      'Repository=octo/web',
    ]);
    expect(await statistic('ActivePreviews', repository('octo/web'), 'Count')).toBe(3);
    expect(await statistic('ActivePreviews', repository('octo/api'), 'Count')).toBe(2);
    expect(await statistic('ActivePreviews', repository('octo/docs'), 'Count')).toBe(0);
    // moto answers a query without dimensions from every series of the name (CloudWatch only from
    // the dimensionless one); the largest datum is the total under either reading.
    expect(await statistic('ActivePreviews', [], 'Count', 'Maximum')).toBe(5);
  });

  it('publishes a fleet total of 0 when no preview runs', async () => {
    metrics.activePreviews(new Map());
    await metrics.settled();

    expect(await dimensionSets('ActivePreviews')).toEqual(['']);
    expect(await statistic('ActivePreviews', [], 'Count', 'SampleCount')).toBe(1);
    expect(await statistic('ActivePreviews', [], 'Count', 'Maximum')).toBe(0);
  });

  it('splits more than 1000 datums over several PutMetricData calls', async () => {
    const perRepo = new Map(Array.from({ length: 1500 }, (_, i) => [`octo/repo-${i}`, 1]));
    metrics.activePreviews(perRepo);
    await metrics.settled();

    expect(proxy.counts()['CloudWatch.PutMetricData']).toBe(2);
    expect(await statistic('ActivePreviews', repository('octo/repo-0'), 'Count')).toBe(1);
    expect(await statistic('ActivePreviews', repository('octo/repo-1499'), 'Count')).toBe(1);
    expect(await statistic('ActivePreviews', [], 'Count', 'Maximum')).toBe(1500);
    expect(warnings).toEqual([]);
  });

  it('uses the namespace it is given', async () => {
    metrics = new AppMetrics(() => Promise.resolve(cloudwatch), recordingLogger(), {
      namespace: 'OtherPaas',
      now: () => clock,
    });
    metrics.launchFailed('octo/web');
    await metrics.settled();

    const { Metrics } = await reader.send(new ListMetricsCommand({ Namespace: 'OtherPaas' }));
    expect(Metrics?.map((m) => m.MetricName)).toEqual(['LaunchFailures']);
    expect(await dimensionSets('LaunchFailures')).toEqual([]);
  });

  it('returns to the caller before CloudWatch has answered', async () => {
    proxy.inject('CloudWatch.PutMetricData', { kind: 'latency', ms: 1_000 });
    const started = performance.now();
    metrics.launched('octo/web', 12);
    expect(performance.now() - started).toBeLessThan(100);
    expect(await statistic('Launches', repository('octo/web'), 'Count')).toBeUndefined();

    await metrics.settled();
    expect(await statistic('Launches', repository('octo/web'), 'Count')).toBe(1);
  });

  describe('when CloudWatch fails', () => {
    const faults: [string, Fault][] = [
      ['a 500', { kind: 'server-error', status: 500 }],
      ['throttling', { kind: 'throttle' }],
    ];

    it.each(faults)('logs a warning on %s and loses only that publish', async (_name, fault) => {
      proxy.inject('CloudWatch.PutMetricData', fault);
      expect(() => metrics.launched('octo/web', 30)).not.toThrow();
      await expect(metrics.settled()).resolves.toBeUndefined();

      expect(warnings).toEqual([
        expect.stringMatching(/^Could not publish metrics to CloudWatch: .+/),
      ]);
      expect(await dimensionSets('Launches')).toEqual([]);

      // The next publish goes through: one failure does not break the publisher.
      metrics.tornDown('octo/web', 'closed');
      await metrics.settled();
      expect(await dimensionSets('Teardowns')).toEqual(['Reason=closed,Repository=octo/web']);
      expect(warnings).toHaveLength(1);
    });

    it('logs a warning when there is no client to publish with', async () => {
      metrics = new AppMetrics(
        () => Promise.reject(new Error('Region is missing')),
        recordingLogger(),
      );
      expect(() => metrics.activePreviews(new Map([['octo/web', 1]]))).not.toThrow();
      await metrics.settled();

      expect(warnings).toEqual(['Could not publish metrics to CloudWatch: Region is missing']);
    });

    it('warns once per failed request when a large publish fails', async () => {
      proxy.inject('CloudWatch.PutMetricData', { kind: 'server-error', status: 500 }, 2);
      metrics.activePreviews(new Map(Array.from({ length: 1001 }, (_, i) => [`octo/r-${i}`, 1])));
      await metrics.settled();

      expect(proxy.counts()['CloudWatch.PutMetricData']).toBe(2);
      expect(warnings).toHaveLength(2);
      expect(await dimensionSets('ActivePreviews')).toEqual([]);
    });
  });
});

// The tests above drive AppMetrics itself, so they cannot tell whether the App ever calls it. These
// run the App as an operator does and read what it published from moto's CloudWatch.
describe('the App, run as a process', () => {
  let fixture: PreviewFixture;
  let app: AppProcess;

  beforeAll(async () => {
    fixture = await setUpPreviewFixture(moto.url);
    app = await startApp({
      githubUrl: fixture.api.url,
      awsEndpoint: moto.url,
      env: { ECS_PAAS_POLL_MS: '50' },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await fixture?.close();
  });

  /** The Sum of `metricName` for acme/web over the last ten minutes, or undefined when none. */
  async function publishedSum(
    metricName: string,
    unit: StandardUnit,
    extra: Dimension[] = [],
  ): Promise<number | undefined> {
    const now = Date.now();
    const { MetricDataResults } = await reader.send(
      new GetMetricDataCommand({
        StartTime: new Date(Math.floor(now / 60_000) * 60_000 - 10 * 60_000),
        EndTime: new Date(Math.ceil(now / 60_000) * 60_000 + 60_000),
        MetricDataQueries: [
          {
            Id: 'q',
            MetricStat: {
              Metric: {
                Namespace: NAMESPACE,
                MetricName: metricName,
                Dimensions: [...repository('acme/web'), ...extra],
              },
              Period: PERIOD_SECONDS,
              Stat: 'Sum',
              Unit: unit,
            },
          },
        ],
      }),
    );
    const values = MetricDataResults?.[0]?.Values ?? [];
    return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0);
  }

  const reaches = (what: string, probe: () => Promise<number | undefined>, value: number) =>
    eventually(what, async () => ((await probe()) === value ? value : undefined), {
      context: () => app.output().slice(-3000),
    });

  it('counts each preview it launches in Launches and LaunchSeconds, and each close in Teardowns', async () => {
    const { world, ecr } = fixture;
    const first = randomBytes(20).toString('hex');
    world.addPull({ number: 7, sha: first });
    await pushEcrImage(ecr, 'web', first);
    await deliver(app, 'pull_request', world.pullRequestEvent('opened', 7));
    await settled(app);
    expect(world.comments(7).join('\n')).toContain('Preview ready');
    await reaches('Launches = 1', () => publishedSum('Launches', 'Count'), 1);
    expect(await publishedSum('LaunchSeconds', 'Seconds')).toBeGreaterThan(0);
    expect(await dimensionSets('Launches')).toEqual(['Repository=acme/web']);

    // A push replaces the preview: a launch of its own.
    const second = randomBytes(20).toString('hex');
    await pushEcrImage(ecr, 'web', second);
    world.updatePull(7, { sha: second });
    await deliver(app, 'pull_request', world.pullRequestEvent('synchronize', 7));
    await settled(app);
    await reaches('Launches = 2', () => publishedSum('Launches', 'Count'), 2);

    world.updatePull(7, { state: 'closed' });
    await deliver(app, 'pull_request', world.pullRequestEvent('closed', 7));
    await settled(app);
    const closed = () => publishedSum('Teardowns', 'Count', [{ Name: 'Reason', Value: 'closed' }]);
    await reaches('Teardowns (closed) = 1', closed, 1);
    expect(await publishedSum('LaunchFailures', 'Count')).toBeUndefined();
    fixture.api.assertNoViolations();
  });
});
