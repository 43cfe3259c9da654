/** UNTAGGED is the tag set Ansible gives an item with no tags, so `--tags untagged` can select it. */
const UNTAGGED: ReadonlySet<string> = new Set(['untagged']);

/** effectiveTags unions a task's own tags with those it inherits (play, role, block, import). */
export function effectiveTags(...levels: readonly (readonly string[])[]): string[] {
  return [...new Set(levels.flat())];
}

/**
 * selectByTags decides whether an item with these (already inherited) tags runs under
 * `--tags only` / `--skip-tags skip`, exactly as Ansible's Taggable.evaluate_tags: no --tags
 * means `all`; `always` runs unless skipped by name; `never` runs only when asked for by name;
 * `tagged`/`untagged` select by whether there are tags at all.
 */
export function selectByTags(tags: readonly string[], only: readonly string[], skip: readonly string[]): boolean {
  const set: ReadonlySet<string> = tags.length ? new Set(tags) : UNTAGGED;
  const onlySet = new Set(only.length ? only : ['all']);
  const skipSet = new Set(skip);
  const meets = (s: ReadonlySet<string>): boolean => [...set].some((t) => s.has(t));
  // Ansible compares with `tags != frozenset(['untagged'])`: an explicit `tags: untagged` counts as untagged
  const untagged = set.size === 1 && set.has('untagged');
  let run = false;
  if (set.has('always')) run = true;
  else if (onlySet.has('all') && !set.has('never')) run = true;
  else if (meets(onlySet)) run = true;
  else if (onlySet.has('tagged') && !untagged && !set.has('never')) run = true;
  if (run && skipSet.size) {
    if (skipSet.has('all')) {
      if (!set.has('always') || skipSet.has('always')) run = false;
    } else if (meets(skipSet)) run = false;
    else if (skipSet.has('tagged') && !untagged) run = false;
  }
  return run;
}
