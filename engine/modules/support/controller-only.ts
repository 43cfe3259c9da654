import type { ModuleContext } from '../types.ts';

/**
 * readNothing is the `read` of modules that run on the controller only (debug, assert, fail,
 * set_fact, meta): they have no host state, so there is nothing to read.
 */
export async function readNothing(_ctx: ModuleContext): Promise<null> {
  return null;
}

/** applyNothing is the `apply` of controller-only modules; their plans never hold changes. */
export async function applyNothing(): Promise<{ changed: false }> {
  return { changed: false };
}
