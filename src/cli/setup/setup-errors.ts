/**
 * How `connector setup` fails. Input errors (a value missing or refused) exit 2 and change nothing; a step that
 * fails part-way exits 1 and keeps what earlier steps did, so running the same command again resumes.
 */

/** A value is missing, malformed or refused by Xero/Entra: nothing has been written. */
export class SetupInputError extends Error {
  readonly retryable = false;
  constructor(
    message: string,
    /** The contract names concerned (never their values). */
    readonly names: readonly string[] = []
  ) {
    super(message);
  }
}

/** A check or a step could not finish (service unreachable, refused write); a later run may succeed. */
export class SetupStepError extends Error {
  readonly retryable = true;
}
