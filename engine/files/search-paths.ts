import { join } from 'node:path';

/** SearchPaths are where a module looks for a controller file, by kind. */
export interface SearchPaths {
  readonly files: readonly string[];
  readonly templates: readonly string[];
  readonly vars: readonly string[];
}

/**
 * searchPaths is Ansible's lookup order for a relative `src` or vars file: the task's role first
 * (`files/`, `templates/`, `vars/` then the role itself, `tasks/` for vars), then beside the playbook.
 * One definition, because the load-time check and the run must agree on what "missing" means.
 */
export function searchPaths(rolePath: string | undefined, playbookDir: string): SearchPaths {
  const r = (sub: string): string[] => (rolePath ? [join(rolePath, sub), sub === 'vars' ? join(rolePath, 'tasks') : rolePath] : []);
  return {
    files: [...r('files'), join(playbookDir, 'files'), playbookDir],
    templates: [...r('templates'), join(playbookDir, 'templates'), playbookDir],
    vars: [...r('vars'), join(playbookDir, 'vars'), playbookDir],
  };
}
