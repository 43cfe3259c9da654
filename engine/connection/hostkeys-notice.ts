import type { Client } from 'ssh2';

const NOTICE = 'hostkeys-00@openssh.com';

interface ProtocolInternals {
  _handlers?: { GLOBAL_REQUEST?: (p: { requestSuccess(): void }, name: string, wantReply: boolean, data: unknown) => void };
}

/**
 * ignoreHostKeysNotice stops `client` from answering OpenSSH's hostkeys-00@openssh.com notice
 * (every sshd sends it after authentication, listing all its host keys) with a
 * hostkeys-prove-00@openssh.com request. ssh2 does that on every connection to emit a
 * `hostkeys` event, which tsplay never listens to: per connection, a request, one signature per
 * host key on the host and a key parse and signature check per key on the controller (about a
 * fifth of the controller's connection setup), for nothing. The host key that authenticates the
 * connection is checked during key exchange (hostVerifier), not here.
 *
 * Call it right after ssh2's connect() created its protocol, before any packet arrives. It
 * reaches into ssh2's internals; if they are not what this expects, it changes nothing and ssh2
 * answers as before. A `hostkeys` listener, if one is ever added, gets the old behaviour back.
 */
export function ignoreHostKeysNotice(client: Client): boolean {
  const proto = (client as unknown as { _protocol?: ProtocolInternals })._protocol;
  const handlers = proto?._handlers;
  const answer = handlers?.GLOBAL_REQUEST;
  if (!handlers || typeof answer !== 'function') return false;
  handlers.GLOBAL_REQUEST = (p, name, wantReply, data) => {
    if (name !== NOTICE || client.listenerCount('hostkeys') > 0) return answer(p, name, wantReply, data);
    // what ssh2 replies to the notice, without the proof it would also ask for
    if (wantReply) p.requestSuccess();
  };
  return true;
}
