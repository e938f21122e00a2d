import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * One `user:bcrypt-hash` line for docker-registry's htpasswd auth, which accepts bcrypt only.
 * Node cannot make bcrypt without a package, so an installed tool does it: `htpasswd` from
 * apache2-utils when present, else the `crypt` module of the Python that moto needs anyway
 * (glibc's libxcrypt makes `$2b$` hashes; the module exists up to Python 3.12). The password goes
 * in on stdin, never in an argument list another process could read. Cost 4, the lowest bcrypt
 * allows: the hash guards nothing but a test registry, and each check must stay fast.
 */
export async function htpasswdLine(user: string, password: string): Promise<string> {
  const tools: [command: string, args: string[]][] = [
    ['htpasswd', ['-niB', '-C', '4', user]],
    [
      'python3',
      [
        '-W',
        'ignore',
        '-c',
        'import crypt, sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))',
      ],
    ],
  ];
  const failures: string[] = [];
  for (const [command, args] of tools) {
    try {
      const out = (await runWithInput(command, args, password)).trim();
      const hash = command === 'htpasswd' ? out.slice(out.indexOf(':') + 1) : out;
      if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) return `${user}:${hash}`;
      failures.push(`${command} printed no bcrypt hash`);
    } catch (error) {
      failures.push(`${command}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(
    `Cannot make a bcrypt htpasswd entry (apt-get install apache2-utils gives htpasswd): ${failures.join('; ')}`,
  );
}

async function runWithInput(command: string, args: string[], input: string): Promise<string> {
  const pending = execFileAsync(command, args);
  pending.child.stdin?.end(input);
  return (await pending).stdout;
}
