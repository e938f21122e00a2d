import type { Task } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients.js';
import { withContext } from '../errors.js';

/**
 * The address a preview is reached at: the ENI's private IP, or, with `assign-public-ip`, the
 * public IP EC2 associated with that ENI (ECS itself never reports it).
 */
export async function taskAddress(task: Task, aws: AwsClients, publicIp: boolean): Promise<string> {
  const details =
    task.attachments?.find((a) => a.type === 'ElasticNetworkInterface')?.details ?? [];
  const detail = (name: string) => details.find((d) => d.name === name)?.value;
  const privateIp = detail('privateIPv4Address');
  if (!publicIp) {
    if (!privateIp) throw new Error('the task has no private IP (is its network mode awsvpc?)');
    return privateIp;
  }
  const eni = detail('networkInterfaceId');
  if (!eni) throw new Error('the task has no network interface to read a public IP from');
  const address = await aws
    .ec2()
    .publicIpOf(eni)
    .catch((error: unknown) => Promise.reject(withContext(`Could not describe ${eni}`, error)));
  if (!address) {
    throw new Error(
      `${eni} has no public IP; check that the subnets give public IPs or set 'assign-public-ip: false'`,
    );
  }
  return address;
}
