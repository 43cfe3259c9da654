/** LOCALHOST_NAMES are the names Ansible answers with its implicit localhost when the inventory lacks them. */
export const LOCALHOST_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];
