import type { AwsClients } from '../core/aws/clients.js';
import { ociLabels } from '../core/image/build-arguments.js';
import { provideImage, type ProvidedImage } from '../core/image/provide-image.js';
import { actionsLogger as log } from './actions-logger.js';
import type { RegistryLogins } from './registry-logins.js';
import type { ActionSettings } from './settings.js';

/** What the image is built from: the commit, and the branch or tag it is labelled with. */
export interface ImageSource {
  readonly sha: string;
  readonly repository: string;
  /** The ref name for the version label; default GITHUB_REF_NAME. */
  readonly refName?: string;
}

/** The image for `source.sha`, built or resolved per the Action's inputs, pinned by digest. */
export function provideActionImage(
  settings: ActionSettings,
  clients: AwsClients,
  env: NodeJS.ProcessEnv,
  source: ImageSource,
  logins: RegistryLogins,
): Promise<ProvidedImage> {
  const labelEnv = source.refName ? { ...env, GITHUB_REF_NAME: source.refName } : env;
  return provideImage(
    {
      ...(settings.image ? { prebuilt: settings.image } : {}),
      builder: settings.build.builder,
      build: {
        ...settings.build,
        labels: { ...ociLabels(labelEnv, source.sha), ...settings.build.labels },
      },
      repository: source.repository,
      createRepository: settings.createRepository,
      ...(settings.registry ? { registry: settings.registry } : {}),
      sha: source.sha,
      tags: settings.tags,
      onLogin: (registry) => logins.record(settings.build.builder, registry),
    },
    () => clients.ecr(),
    log,
    env,
  );
}
