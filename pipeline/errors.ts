// Errors a user can act on. The CLI prints their message alone (no stack) and exits with the
// documented code; anything else is a bug and prints its stack.

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1; // a bug or an environment failure (disk full, killed worker)
export const EXIT_BAD_INPUT = 2; // bad config, bad CLI usage, unreadable or empty input
export const EXIT_LOCKED = 3; // another run holds the lock

export class UserError extends Error {
  readonly exitCode: number = EXIT_BAD_INPUT;
}

export class ConfigError extends UserError {
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export class InputError extends UserError {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

export class LockError extends UserError {
  override readonly exitCode = EXIT_LOCKED;
  constructor(message: string) {
    super(message);
    this.name = 'LockError';
  }
}
