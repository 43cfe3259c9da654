import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';

/**
 * includeBeside returns a reader for `%include` paths that looks beside the kickstart: a relative path
 * from its folder, an absolute one (often written by %pre into /tmp) by its file name there.
 */
export function includeBeside(kickstart: string): (path: string) => string | undefined {
  return (path) => {
    if (/^[a-z]+:\/\//.test(path)) return undefined;
    const local = join(dirname(kickstart), isAbsolute(path) ? basename(path) : path);
    return existsSync(local) ? readFileSync(local, 'utf8') : undefined;
  };
}
