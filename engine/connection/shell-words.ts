// Which argv the persistent driver may run without a subshell (shell-driver.ts, DEFINE_FLAG 2).
// Without the subshell the driver's own shell looks the command name up: a builtin, keyword or
// function of that name would run inside the driver and could change it (`cd`, `umask`, `set`,
// `trap`, `read`) or end it (`exit`, `exec`). So only a name that is none of those in any shell
// tsplay may meet as /bin/sh goes that way; every other request runs in a subshell as before.

// Builtins and reserved words of dash, bash (also in POSIX mode, as /bin/sh on RHEL-likes),
// busybox ash, mksh/oksh, FreeBSD sh and the POSIX list, closed: a name missing here that is a
// builtin of the host's sh would be a bug (test/connection/direct.test.ts checks the host's sh).
const SHELL_WORDS = new Set(
  [
    // POSIX special builtins, then the other utilities POSIX requires to be builtins
    '. : break continue eval exec exit export readonly return set shift times trap unset',
    'alias bg cd command false fc fg getopts hash jobs kill newgrp pwd read true type ulimit umask unalias wait',
    // common builtins and reserved words
    'echo printf test [ [[ ]] local source let chdir help history',
    'if then else elif fi case esac for select while until do done in function time { } !',
    // bash
    'bind builtin caller compgen complete compopt coproc declare dirs disown enable logout mapfile popd pushd readarray shopt suspend typeset',
    // mksh/oksh/ksh. Left out: mksh's builtin cat, sleep, realpath, rename and mknod, programs
    // that touch no shell state; and mksh never runs a request in place (its driver sets V=exec)
    'autoload functions global integer login nameref print r stop whence',
    // FreeBSD sh
    'jobid setvar wordexp',
  ]
    .join(' ')
    .split(' '),
);

// OPTIND is checked when assigned (dash exits on `OPTIND=x cmd`); as a prefix assignment in the
// driver itself that would end the driver, so such a request keeps its subshell.
const UNSAFE_ENV = new Set(['OPTIND']);

/**
 * directName says whether `name`, as argv[0], may be run by the driver's shell itself: a path
 * (it has a `/`: never a builtin or function) or a plain program name that no shell reserves, and
 * not one of the driver's own functions (`Z`, `tsplay_*`). Never a name starting with `-`.
 */
export function directName(name: string): boolean {
  if (name.startsWith('-')) return false;
  if (name.includes('/')) return true;
  return /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(name) && !SHELL_WORDS.has(name) && name !== 'Z' && !name.startsWith('tsplay_');
}

/** directEnv says whether every variable of `env` may be a prefix assignment in the driver's shell. */
export function directEnv(names: readonly string[]): boolean {
  return names.every((n) => !UNSAFE_ENV.has(n));
}

/** shellWords lists the reserved names (for tests). */
export function shellWords(): readonly string[] {
  return [...SHELL_WORDS];
}
