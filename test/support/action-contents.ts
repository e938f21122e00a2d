import type { GitHubAnswer } from './github.js';

/** GitHub's answer to GET /repos/{owner}/{repo}/contents/{path} for a small file. */
export function contentFile(repo: string, path: string, text: string): GitHubAnswer {
  const url = `https://api.github.com/repos/${repo}/contents/${path}`;
  return {
    status: 200,
    body: {
      type: 'file',
      encoding: 'base64',
      size: Buffer.byteLength(text),
      name: path.split('/').pop() ?? path,
      path,
      content: Buffer.from(text).toString('base64'),
      sha: '3d21ec53a331a6f037a91c368710b99387d012c1',
      url,
      git_url: null,
      html_url: null,
      download_url: null,
      _links: { self: url, git: null, html: null },
    },
  };
}

export const notFound: GitHubAnswer = {
  status: 404,
  body: {
    message: 'Not Found',
    documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content',
  },
};
