import type { AwsClients } from '../core/aws/clients.js';
import { ociLabels } from '../core/image/build-arguments.js';
import { provideImage, type ProvidedImage } from '../core/image/provide-image.js';
import { actionsLogger as log } from './actions-logger.js';
import type { ActionSettings } from './settings.js';

/** The image for `sha`, built or resolved per the Action's inputs, pinned by digest. */
export function provideActionImage(
  settings: ActionSettings,
  clients: AwsClients,
  env: NodeJS.ProcessEnv,
  sha: string,
  repository: string,
): Promise<ProvidedImage> {
  return provideImage(
    {
      ...(settings.image ? { prebuilt: settings.image } : {}),
      builder: settings.build.builder,
      build: { ...settings.build, labels: ociLabels(env, sha) },
      repository,
      createRepository: settings.createRepository,
      ...(settings.registry ? { registry: settings.registry } : {}),
      sha,
      tags: settings.tags,
    },
    () => clients.ecr(),
    log,
    env,
  );
}
