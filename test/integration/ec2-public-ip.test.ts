import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateNetworkInterfaceCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { Task } from '@aws-sdk/client-ecs';
import { createAwsClients } from '../../src/core/aws/clients.js';
import { taskAddress } from '../../src/core/preview/task-address.js';
import { createDefaultNetwork, testAwsConfig } from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';

// A preview with `assign-public-ip` is reached at the public IP EC2 associated with its task's
// network interface. The product reads it with its own signed EC2 Query request (not the EC2
// client, which would double the Action's bundle): this checks that request against moto's EC2.
let moto: Moto;
let proxy: FaultProxy;
let ec2: EC2Client;
let subnetId: string;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  ec2 = new EC2Client(testAwsConfig(moto.url));
  const network = await createDefaultNetwork(moto.url);
  subnetId = network.subnetIds[0] ?? '';
});

afterAll(async () => {
  ec2?.destroy();
  await Promise.allSettled([proxy?.stop(), moto?.stop()]);
});

async function networkInterface(): Promise<string> {
  const { NetworkInterface } = await ec2.send(
    new CreateNetworkInterfaceCommand({ SubnetId: subnetId }),
  );
  return NetworkInterface?.NetworkInterfaceId ?? '';
}

/** A task as DescribeTasks shows one in awsvpc mode: its ENI and private IP in the attachment. */
function taskOn(eni: string): Task {
  return {
    attachments: [
      {
        type: 'ElasticNetworkInterface',
        details: [
          { name: 'networkInterfaceId', value: eni },
          { name: 'privateIPv4Address', value: '10.0.0.9' },
        ],
      },
    ],
  };
}

function clients(endpoint: string) {
  return createAwsClients('us-east-1', { ...testAwsConfig(endpoint), maxAttempts: 3 });
}

describe('a preview task’s public IP', () => {
  it('is the address EC2 associated with the task’s network interface', async () => {
    const eni = await networkInterface();
    const { AllocationId, PublicIp } = await ec2.send(
      new AllocateAddressCommand({ Domain: 'vpc' }),
    );
    await ec2.send(new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: eni }));
    expect(PublicIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    await expect(taskAddress(taskOn(eni), clients(moto.url), true)).resolves.toBe(PublicIp);
    // Without assign-public-ip, EC2 is not asked at all.
    await expect(taskAddress(taskOn(eni), clients('http://127.0.0.1:9'), false)).resolves.toBe(
      '10.0.0.9',
    );
  });

  it('is missing when the interface has none, and the error says what to change', async () => {
    const eni = await networkInterface();
    await expect(taskAddress(taskOn(eni), clients(moto.url), true)).rejects.toThrow(
      `${eni} has no public IP; check that the subnets give public IPs or set 'assign-public-ip: false'`,
    );
  });

  it('names the interface and EC2’s error code when EC2 refuses', async () => {
    await expect(
      taskAddress(taskOn('eni-0123456789abcdef0'), clients(moto.url), true),
    ).rejects.toThrow(
      /Could not describe eni-0123456789abcdef0.*InvalidNetworkInterfaceID\.NotFound/s,
    );
  });

  it('is read again after a server error, within max attempts', async () => {
    const eni = await networkInterface();
    const { AllocationId, PublicIp } = await ec2.send(
      new AllocateAddressCommand({ Domain: 'vpc' }),
    );
    await ec2.send(new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: eni }));
    proxy.resetCounts();
    proxy.inject('EC2.DescribeNetworkInterfaces', { kind: 'server-error' }, 2);
    await expect(taskAddress(taskOn(eni), clients(proxy.url), true)).resolves.toBe(PublicIp);
    expect(proxy.counts()['EC2.DescribeNetworkInterfaces']).toBe(3);

    proxy.inject('EC2.DescribeNetworkInterfaces', { kind: 'server-error' }, 3);
    await expect(taskAddress(taskOn(eni), clients(proxy.url), true)).rejects.toThrow(
      /Could not describe/,
    );
    proxy.clear();
  });
});
