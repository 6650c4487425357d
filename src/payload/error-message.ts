/**
 * The message of anything thrown: an Error's own message, else the value
 * as text. One definition for every folder (the payload folder is the one
 * all of them may import). Pure.
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
