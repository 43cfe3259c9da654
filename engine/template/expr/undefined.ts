/**
 * Undef is the value of a variable or attribute that does not exist. Like Ansible's
 * AnsibleUndefined it survives attribute access (`a.b.c is defined` is false, not an error)
 * and only becomes an error when something actually uses it.
 */
export class Undef {
  /** the full dotted name that was looked up */
  readonly name: string;
  /** offset of the token to blame: the root variable when it is missing, else the missing attribute */
  readonly at: number;
  /** the part that is missing: the root variable's name, or the attribute */
  readonly missing: string;
  readonly rootMissing: boolean;
  /** why a variable that exists counts as undefined: its templated value uses an undefined one */
  readonly detail: string | undefined;
  constructor(name: string, at: number, missing: string, rootMissing: boolean, detail?: string) {
    this.detail = detail;
    this.name = name;
    this.at = at;
    this.missing = missing;
    this.rootMissing = rootMissing;
  }
}

/** isUndef tells whether a value is the Undef sentinel. */
export function isUndef(v: unknown): v is Undef {
  return v instanceof Undef;
}
