/** An error the sandbox answers in Dataverse's JSON error shape: `{ error: { code, message } }`. */
export class DataverseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'DataverseError';
  }

  toBody(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Dataverse's "object does not exist" error (also used for missing lookup targets). */
export function notFoundError(table: string, id: string): DataverseError {
  return new DataverseError(404, '0x80040217', `Entity '${table}' With Id = ${id} Does Not Exist`);
}

export function badRequestError(message: string, code = '0x80048d19'): DataverseError {
  return new DataverseError(400, code, message);
}
