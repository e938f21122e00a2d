import {
  DescribeTasksCommand,
  ListTasksCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';

/** What AWS holds for previews, read straight from moto: what a test asserts a sweep left. */

/** The cluster's running tasks, with their tags. */
export async function runningTasks(ecs: ECSClient, cluster = 'previews'): Promise<Task[]> {
  const { taskArns = [] } = await ecs.send(
    new ListTasksCommand({ cluster, desiredStatus: 'RUNNING' }),
  );
  if (taskArns.length === 0) return [];
  const { tasks = [] } = await ecs.send(
    new DescribeTasksCommand({ cluster, tasks: taskArns, include: ['TAGS'] }),
  );
  return tasks.filter((t) => t.desiredStatus === 'RUNNING');
}

export const tagOf = (task: Task | undefined, key: string): string | undefined =>
  task?.tags?.find((t) => t.key === key)?.value;

/** PR numbers with a running preview task, ascending (a number twice means two tasks). */
export async function runningPrs(ecs: ECSClient, cluster = 'previews'): Promise<number[]> {
  return (await runningTasks(ecs, cluster))
    .map((t) => Number(tagOf(t, 'ecs-paas:pr')))
    .sort((a, b) => a - b);
}

/** The zone's A record names without the trailing dot, sorted. */
export async function aRecordNames(route53: Route53Client, zoneId: string): Promise<string[]> {
  const { ResourceRecordSets = [] } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }),
  );
  return ResourceRecordSets.filter((r) => r.Type === 'A')
    .map((r) => (r.Name ?? '').replace(/\.$/, ''))
    .sort();
}

/** An A record someone (or an App that crashed mid-teardown) left in the zone. */
export async function putARecord(
  route53: Route53Client,
  zoneId: string,
  name: string,
  ip: string,
): Promise<void> {
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: { Name: name, Type: 'A', TTL: 60, ResourceRecords: [{ Value: ip }] },
          },
        ],
      },
    }),
  );
}
